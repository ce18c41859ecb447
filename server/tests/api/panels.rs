//! Extra report panels: added and removed from the command line (audited), validated, and
//! served to the Insights page with the figures of saved-view panels.

use serde_json::Value;

use crate::helpers::spawn_app;

each_backend! {
    async fn panels_are_validated_audited_and_served_to_the_page(kind) {
        let app = spawn_app(kind).await;
        let db_url = app.db_url.clone();
        let run = |args: &[&str]| {
            let mut all: Vec<&str> = vec!["panel"];
            all.extend_from_slice(args);
            all.extend_from_slice(&["--db", &db_url]);
            crate::helpers::intraday().args(&all).output().expect("run")
        };
        let added = run(&["add", "BI weekly", "--url", "https://bi.example.com/r/7"]);
        assert!(
            added.status.success(),
            "{}",
            String::from_utf8_lossy(&added.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&added.stdout).trim(), "1");
        let view = run(&[
            "add",
            "Billing today",
            "--view",
            "queue=billing&window=today",
        ]);
        assert!(
            view.status.success(),
            "{}",
            String::from_utf8_lossy(&view.stderr)
        );
        for (args, says) in [
            (
                vec!["add", "x", "--url", "javascript:alert(1)"],
                "must start with https://",
            ),
            (vec!["add", "x", "--view", "window=3h"], "window"),
            (vec!["add", "x"], "either --url"),
            (vec!["remove", "9"], "no panel 9"),
        ] {
            let out = run(&args);
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            assert!(
                String::from_utf8_lossy(&out.stderr).contains(says),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let list = run(&["list"]);
        let text = String::from_utf8_lossy(&list.stdout);
        assert!(
            text.contains("1\tBI weekly\turl\thttps://bi.example.com/r/7"),
            "{text}"
        );

        let admin = app.session("admin", &[], None).await;
        let (status, _, body) = app
            .page_request("POST", "/api/insights", Some(&admin), Some(""))
            .await;
        assert_eq!(status, 200, "{body}");
        let data: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(data["panels"][0]["panel"]["kind"]["type"], "url");
        assert_eq!(
            data["panels"][1]["report"]["Ok"]["window"], "today",
            "{}",
            data["panels"]
        );

        assert!(run(&["remove", "1"]).status.success());
        let audit = server::store::audit::recent(&app.db, 10)
            .await
            .expect("audit");
        let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        assert!(
            actions.contains(&"panel.add") && actions.contains(&"panel.remove"),
            "{actions:?}"
        );
    }
}
