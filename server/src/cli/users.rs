//! `intraday user …` and the demo users `intraday serve --simulate` seeds into an empty database.

use std::io::BufRead;

use app::auth::Role;
use sea_orm::DatabaseConnection;

use crate::cli::UserCommand;
use crate::config::Config;
use crate::db;
use crate::error::StartError;
use crate::store::audit;
use crate::store::users::{self, NewUser, UserError};

/// Runs a `user` subcommand.
pub async fn run(command: UserCommand, config: &Config) -> Result<(), StartError> {
    match command {
        UserCommand::Add(args) => {
            let db = db::connect_and_migrate(&args.db.url(config)).await?;
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .map_err(|source| StartError::Io {
                    context: "cannot read the password from stdin".into(),
                    source,
                })?;
            let password = password.trim_end_matches(['\r', '\n']);
            let new = NewUser {
                login: args.login.trim().to_owned(),
                role: args.role,
                queues: args.queues.iter().map(|q| q.trim().to_owned()).collect(),
                agent_id: args.agent.clone(),
            };
            let id = users::insert(&db, &new, password)
                .await
                .map_err(|e| StartError::Invalid(e.to_string()))?;
            audit::record(
                &db,
                "cli",
                "user.add",
                &new.login,
                serde_json::json!({"id": id, "role": new.role.as_str(), "queues": new.queues, "agent_id": new.agent_id}),
            )
            .await
            .map_err(StartError::Database)?;
            println!("added {} ({})", new.login, new.role.as_str());
            Ok(())
        }
        UserCommand::List(args) => {
            let db = db::connect_and_migrate(&args.url(config)).await?;
            for u in users::list(&db).await.map_err(StartError::Database)? {
                println!(
                    "{}\t{}\t{}\t{}",
                    u.login,
                    u.role,
                    serde_json::from_str::<Vec<String>>(&u.queues)
                        .unwrap_or_default()
                        .join(","),
                    u.agent_id.unwrap_or_default()
                );
            }
            Ok(())
        }
    }
}

/// The demo users: an admin, two supervisors of different queues of the simulated center, and
/// agents who are simulated agents.
pub fn demo_users() -> Vec<NewUser> {
    let user = |login: &str, role, queues: &[&str], agent: Option<&str>| NewUser {
        login: login.to_owned(),
        role,
        queues: queues.iter().map(|q| q.to_string()).collect(),
        agent_id: agent.map(str::to_owned),
    };
    vec![
        user("admin", Role::Admin, &[], None),
        user(
            "sup.chat",
            Role::Supervisor,
            &["sales-chat", "support-chat", "social-care"],
            None,
        ),
        user(
            "sup.voice",
            Role::Supervisor,
            &["support-voice", "billing-email"],
            None,
        ),
        user("anna", Role::Agent, &[], Some("a01")),
        user("katarzyna", Role::Agent, &[], Some("a05")),
        user("piotr", Role::Agent, &[], Some("a07")),
        user("emily", Role::Agent, &[], Some("a08")),
    ]
}

/// Adds the demo users to a database that has no user yet, all with `password` (or a random
/// one), and returns their logins and the password; nothing when users exist.
pub async fn seed_demo(
    db: &DatabaseConnection,
    password: Option<String>,
) -> Result<Option<(Vec<NewUser>, String)>, UserError> {
    if users::count(db).await? > 0 {
        return Ok(None);
    }
    let password = match password {
        Some(p) => p,
        None => {
            let t = crate::store::tokens::generate().map_err(|e| UserError::Hash(e.to_string()))?;
            t[4..20].to_owned()
        }
    };
    let demo = demo_users();
    for user in &demo {
        users::insert(db, user, &password).await?;
    }
    audit::record(
        db,
        "serve",
        "user.seed_demo",
        "users",
        serde_json::json!({"logins": demo.iter().map(|u| u.login.as_str()).collect::<Vec<_>>()}),
    )
    .await?;
    Ok(Some((demo, password)))
}
