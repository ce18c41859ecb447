//! The admin server functions: each works for an admin and is audited, is refused to a
//! supervisor (403) and to nobody signed in (401), and names the field of bad input (400);
//! users are added and the last admin stays (settings taking effect: `admin_settings.rs`).

use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};

/// Queues qa and qb with a conversation waiting in each since two minutes ago; agent Ann in qa.
pub(crate) async fn queues(app: &TestApp) {
    let at = chrono::Utc::now() - chrono::TimeDelta::minutes(2);
    let t = |s: i64| (at + chrono::TimeDelta::seconds(s)).to_rfc3339();
    let body = format!(
        r#"[
        {{"id":"q-a","type":"queue.upserted","at":"{t0}","queue_id":"qa","name":"Queue A","channels":["chat"]}},
        {{"id":"q-b","type":"queue.upserted","at":"{t0}","queue_id":"qb","name":"Queue B","channels":["chat"]}},
        {{"id":"ag","type":"agent.upserted","at":"{t0}","agent_id":"ann","name":"Ann","queues":["qa"]}},
        {{"id":"c1","type":"conversation.created","at":"{t0}","conversation_id":"ca","queue_id":"qa","channel":"chat","customer":{{"id":"k1","name":"Ada"}}}},
        {{"id":"c2","type":"conversation.created","at":"{t0}","conversation_id":"cb","queue_id":"qb","channel":"chat","customer":{{"id":"k2","name":"Bea"}}}}
        ]"#,
        t0 = t(0),
    );
    assert_eq!(app.ingest(&body).await.0, 200);
}

/// The login in a session cookie made by `TestApp::session` (its user is the newest).
async fn newest_login(app: &TestApp) -> String {
    server::store::users::list(&app.db)
        .await
        .expect("users")
        .into_iter()
        .max_by_key(|u| u.id)
        .expect("a user")
        .login
}

async fn newest_audit(app: &TestApp) -> Option<(String, String, String)> {
    server::store::audit::recent(&app.db, 1)
        .await
        .expect("audit")
        .into_iter()
        .next()
        .map(|e| (e.actor, e.action, e.target))
}

/// One server function: a good call (and the audit action it leaves), and bad input with the
/// status and the field its message names.
struct Case<'a> {
    endpoint: &'static str,
    good: String,
    audited: Option<&'static str>,
    bad: Option<(&'a str, u16, &'static str)>,
}

fn case<'a>(
    endpoint: &'static str,
    good: &str,
    audited: Option<&'static str>,
    bad: Option<(&'a str, u16, &'static str)>,
) -> Case<'a> {
    Case {
        endpoint,
        good: good.to_owned(),
        audited,
        bad,
    }
}

each_backend! {
    async fn every_admin_function_works_for_admins_only_is_audited_and_names_bad_fields(kind) {
        let app = spawn_app(kind).await;
        queues(&app).await;
        let admin = app.session("admin", &[], None).await;
        let admin_login = newest_login(&app).await;
        let supervisor = app.session("supervisor", &["qa"], None).await;
        let spare = server::store::tokens::generate().expect("random");
        let spare_id = server::store::tokens::insert(
            &app.db,
            "spare",
            &spare,
            &[server::store::tokens::Scope::Read],
            None,
        )
        .await
        .expect("token");
        let delete_self = format!("login={admin_login}");
        let cases = vec![
            case("admin_users", "", None, None),
            case(
                "admin_user_add",
                "login=sue&role=supervisor&queues[0]=qa&password=sue%27s+password",
                Some("user.add"),
                Some((
                    "login=bad+login&role=supervisor&password=long+enough",
                    400,
                    "login",
                )),
            ),
            case(
                "admin_user_update",
                "login=sue&role=supervisor&queues[0]=qa&queues[1]=qb",
                Some("user.update"),
                Some(("login=sue&role=king", 400, "role")),
            ),
            case(
                "admin_user_password",
                "login=sue&password=another+long+password",
                Some("user.password"),
                Some(("login=sue&password=short", 400, "password")),
            ),
            case("admin_queues", "", None, None),
            case(
                "admin_queue_supervisor",
                "queue_id=qb&login=sue&assigned=false",
                Some("queue.unassign_supervisor"),
                Some(("queue_id=nope&login=sue&assigned=true", 400, "queue_id")),
            ),
            case(
                "admin_queue_save",
                "queue_id=qa&name=Queue+A2&service_level_seconds=30",
                Some("queue.upserted"),
                Some((
                    "queue_id=qa&name=Queue+A2&service_level_seconds=soon",
                    400,
                    "service_level_seconds",
                )),
            ),
            case("admin_agents", "", None, None),
            case(
                "admin_agent_save",
                "agent_id=bob&name=Bob&queues[0]=qa&skills=billing%2C+french&capacity=4",
                Some("agent.upserted"),
                Some(("agent_id=bob&name=Bob&capacity=0", 400, "capacity")),
            ),
            case("admin_settings", "", None, None),
            case(
                "admin_actions_set",
                "monitor=true&join=true&assign=true",
                Some("settings.supervisor_actions"),
                None,
            ),
            case(
                "admin_thresholds_set",
                "queue_id=qa&service_level_target=90&longest_wait=60&abandon_rate=5&sentiment=-2",
                Some("settings.thresholds"),
                Some((
                    "service_level_target=90&longest_wait=soon&abandon_rate=5&sentiment=-2",
                    400,
                    "longest_wait",
                )),
            ),
            case(
                "admin_thresholds_clear",
                "queue_id=qa",
                Some("settings.thresholds_clear"),
                Some(("queue_id=qb", 400, "queue_id")),
            ),
            case(
                "admin_retention_set",
                "days=10",
                Some("settings.retention_days"),
                Some(("days=2", 400, "retention_days")),
            ),
            case(
                "admin_desk_set",
                "full_presence=busy_dnd&tell_monitoring=true&offer_seconds=45",
                Some("settings.agent_desk"),
                Some(("full_presence=away&offer_seconds=45", 400, "full_presence")),
            ),
            case(
                "admin_offer_queue_set",
                "queue_id=qa&seconds=8",
                Some("settings.offer_queue"),
                Some(("queue_id=qa&seconds=601", 400, "seconds")),
            ),
            case(
                "admin_origins_set",
                "origins=https%3A%2F%2Fportal.example.com",
                Some("settings.embed_origins"),
                Some((
                    "origins=https%3A%2F%2Fportal.example.com%2Fpath",
                    400,
                    "embed_origins",
                )),
            ),
            case("admin_tokens", "", None, None),
            case(
                "admin_token_create",
                "name=wall&scopes[0]=read&queues[0]=qa",
                Some("token.create"),
                Some(("name=wall&scopes[0]=write", 400, "scopes")),
            ),
            case(
                "admin_token_revoke",
                &format!("id={spare_id}"),
                Some("token.revoke"),
                Some(("id=9999", 404, "9999")),
            ),
            case("admin_panels", "", None, None),
            case(
                "admin_panel_add",
                "title=BI&url=https%3A%2F%2Fbi.example.com%2Fr%2F7",
                Some("panel.add"),
                Some(("title=BI&url=javascript%3Aalert(1)", 400, "url")),
            ),
            case(
                "admin_panel_remove",
                "id=1",
                Some("panel.remove"),
                Some(("id=99", 404, "99")),
            ),
            case("admin_audit", "page=0", None, None),
            case(
                "admin_user_delete",
                "login=sue",
                Some("user.delete"),
                Some((delete_self.as_str(), 400, "login")),
            ),
        ];
        for c in &cases {
            let path = format!("/api/{}", c.endpoint);
            let before = newest_audit(&app).await;
            for (who, cookie, expected) in [
                ("nobody", None, 401),
                ("a supervisor", Some(supervisor.as_str()), 403),
            ] {
                let (status, _, body) =
                    app.page_request("POST", &path, cookie, Some(&c.good)).await;
                assert_eq!(status, expected, "{kind:?} {path} as {who}: {body}");
            }
            assert_eq!(
                newest_audit(&app).await,
                before,
                "{path}: refused, not stored"
            );
            if let Some((bad, status, field)) = &c.bad {
                let (got, _, body) = app
                    .page_request("POST", &path, Some(&admin), Some(bad))
                    .await;
                assert_eq!(got, *status, "{kind:?} {path} {bad}: {body}");
                assert!(body.contains(field), "{path}: {body:?} names {field}");
                assert_eq!(
                    newest_audit(&app).await,
                    before,
                    "{path}: bad input, not stored"
                );
            }
            let (status, _, body) = app
                .page_request("POST", &path, Some(&admin), Some(&c.good))
                .await;
            assert_eq!(status, 200, "{kind:?} {path}: {body}");
            match c.audited {
                Some(action) => {
                    let (actor, got, _) = newest_audit(&app).await.expect("audited");
                    assert_eq!(
                        (actor.as_str(), got.as_str()),
                        (admin_login.as_str(), action),
                        "{path}"
                    );
                }
                None => assert_eq!(newest_audit(&app).await, before, "{path} reads only"),
            }
        }

        // Unparsable arguments are bad input too.
        for (path, body) in [
            ("/api/admin_token_revoke", "id=abc"),
            ("/api/admin_panel_remove", "id=-1"),
            (
                "/api/admin_queue_supervisor",
                "queue_id=qa&login=sue&assigned=maybe",
            ),
        ] {
            let (status, _, text) = app
                .page_request("POST", path, Some(&admin), Some(body))
                .await;
            assert_eq!(status, 400, "{path} {body}: {text}");
        }
        assert!(
            !server::admin::supervisor_actions(&app.db)
                .await
                .allows(app::model::admin::SupervisorAction::ForceClose),
            "the typed accessor reads the setting"
        );

        // What the changes did.
        let (_, _, body) = app
            .page_request("POST", "/api/admin_queues", Some(&admin), Some(""))
            .await;
        let queues: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(queues[0]["name"], "Queue A2", "through the event log");
        assert_eq!(queues[0]["service_level_seconds"], 30);
        assert_eq!(queues[0]["channels"], serde_json::json!(["chat"]), "kept");
        let (_, _, body) = app
            .page_request("POST", "/api/admin_agents", Some(&admin), Some(""))
            .await;
        let agents: Value = serde_json::from_str(&body).expect("json");
        let bob = agents
            .as_array()
            .expect("agents")
            .iter()
            .find(|a| a["agent_id"] == "bob")
            .expect("bob was upserted through the event log");
        assert_eq!(bob["capacity"], 4);
        assert_eq!(bob["skills"], serde_json::json!(["billing", "french"]));
        let (_, _, body) = app
            .page_request("POST", "/api/admin_settings", Some(&admin), Some(""))
            .await;
        let settings: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(settings["retention_days"], 10);
        assert_eq!(settings["actions"]["force_close"], false);
        assert_eq!(settings["actions"]["monitor"], true);
        assert_eq!(
            settings["embed_origins"],
            serde_json::json!(["https://portal.example.com"])
        );
        let (_, head, _) = app.page_request("GET", "/embed/x", None, None).await;
        assert!(
            head.contains("frame-ancestors https://portal.example.com"),
            "{head}"
        );
        let (_, _, body) = app
            .page_request("POST", "/api/admin_audit", Some(&admin), Some("page=0"))
            .await;
        let page: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(page["entries"][0]["action"], "user.delete", "newest first");
        let actions = app::server_fns::admin::AUDIT_PAGE;
        assert!(page["entries"].as_array().expect("rows").len() <= actions as usize);
    }
}

each_backend! {
    async fn users_are_added_can_sign_in_and_the_last_admin_stays(kind) {
        let app = spawn_app(kind).await;
        queues(&app).await;
        let admin = app.session("admin", &[], None).await;
        let admin_login = newest_login(&app).await;
        let (status, _, body) = app
            .page_request(
                "POST",
                "/api/admin_user_add",
                Some(&admin),
                Some("login=sue&role=supervisor&queues[0]=qa&password=sue%27s+password"),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (status, _, body) = app
            .page_request(
                "POST",
                "/api/admin_user_add",
                Some(&admin),
                Some("login=sue&role=agent&agent_id=ann&password=sue%27s+password"),
            )
            .await;
        assert_eq!(status, 409, "{body}");
        assert!(body.contains("login"), "{body}");

        // Sue signs in and sees her queue.
        let (status, head, _) = app
            .page_request(
                "POST",
                "/auth/signin",
                None,
                Some("login=sue&password=sue%27s+password"),
            )
            .await;
        assert_eq!(status, 303);
        let cookie = head
            .lines()
            .find_map(|l| l.strip_prefix("set-cookie: "))
            .and_then(|c| c.split(';').next())
            .expect("session cookie")
            .to_owned();
        let (status, _, html) = app
            .page_request("GET", "/insights", Some(&cookie), None)
            .await;
        assert_eq!(status, 200);
        assert!(html.contains(">sue<"), "her login in the user menu");
        let (status, _, _) = app.page_request("GET", "/admin", Some(&cookie), None).await;
        assert_eq!(status, 403, "not an admin page for her");

        // The admin pages render the data (server-side, before any script runs).
        let (status, _, html) = app.page_request("GET", "/admin", Some(&admin), None).await;
        assert_eq!(status, 200);
        assert!(
            html.contains("admin-count-users\" class=\"count\">2<"),
            "the overview counts the admin and sue"
        );
        let (status, _, html) = app
            .page_request("GET", "/admin/users", Some(&admin), None)
            .await;
        assert_eq!(status, 200);
        assert!(html.contains("data-testid=\"user-sue\""), "the users table");
        assert!(
            html.contains("data-testid=\"user-add-queue-qa\""),
            "queue boxes"
        );
        let (status, _, html) = app
            .page_request("GET", "/admin/queues", Some(&admin), None)
            .await;
        assert_eq!(status, 200);
        assert!(html.contains("data-testid=\"unassign-qa-sue\""), "{html}");
        // A form with only its second queue ticked sends `queues[1]` alone.
        let (status, _, body) = app
            .page_request(
                "POST",
                "/api/admin_user_update",
                Some(&admin),
                Some("login=sue&role=supervisor&queues[1]=qa"),
            )
            .await;
        assert_eq!(status, 200, "{body}");

        // The queues page lists her as qa's supervisor.
        let (_, _, body) = app
            .page_request("POST", "/api/admin_queues", Some(&admin), Some(""))
            .await;
        let queues: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(queues[0]["queue_id"], "qa");
        assert_eq!(queues[0]["supervisors"], serde_json::json!(["sue"]));
        assert_eq!(queues[1]["supervisors"], serde_json::json!([]));

        // A reset password ends her sessions.
        let (status, _, _) = app
            .page_request(
                "POST",
                "/api/admin_user_password",
                Some(&admin),
                Some("login=sue&password=a+brand+new+one"),
            )
            .await;
        assert_eq!(status, 200);
        let (status, _, _) = app
            .page_request("GET", "/insights", Some(&cookie), None)
            .await;
        assert_eq!(status, 303, "signed out by the reset");

        // The only admin can neither leave the role nor be deleted.
        let (status, _, body) = app
            .page_request(
                "POST",
                "/api/admin_user_update",
                Some(&admin),
                Some(&format!("login={admin_login}&role=supervisor&queues[0]=qa")),
            )
            .await;
        assert_eq!(status, 400);
        assert!(body.contains(r#""key":"problem.last_admin""#), "{body}");
        let other = app.session("admin", &[], None).await;
        let (status, _, body) = app
            .page_request(
                "POST",
                "/api/admin_user_delete",
                Some(&other),
                Some(&format!("login={admin_login}")),
            )
            .await;
        assert_eq!(status, 200, "another admin remains: {body}");
        let other_login = newest_login(&app).await;
        let (status, _, body) = app
            .page_request(
                "POST",
                "/api/admin_user_delete",
                Some(&other),
                Some(&format!("login={other_login}")),
            )
            .await;
        assert_eq!(status, 400);
        assert!(body.contains(r#""key":"problem.delete_self""#), "{body}");
    }
}
