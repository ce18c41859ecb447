//! `intraday token create`: a new API token, printed on stdout and audited.

use crate::cli::TokenCreateArgs;
use crate::config::Config;
use crate::db;
use crate::error::StartError;
use crate::store::{audit, tokens};

/// Creates the token and prints it (and nothing else) on stdout.
pub async fn create(args: TokenCreateArgs, config: &Config) -> Result<(), StartError> {
    let name = args.name.trim();
    if name.is_empty() || name.len() > 128 {
        return Err(StartError::Invalid(
            "the token name must be 1 to 128 characters".into(),
        ));
    }
    let db = db::connect_and_migrate(&args.db.url(config)).await?;
    let token =
        tokens::generate().map_err(|e| StartError::Invalid(format!("no randomness: {e}")))?;
    let queues = args.queues.as_deref();
    let id = tokens::insert(&db, name, &token, &args.scope.0, queues)
        .await
        .map_err(StartError::Database)?;
    let scopes: Vec<&str> = args.scope.0.iter().map(|s| s.as_str()).collect();
    audit::record(
        &db,
        "cli",
        "token.create",
        &format!("token:{id}"),
        serde_json::json!({"name": name, "scopes": scopes, "queues": queues}),
    )
    .await
    .map_err(StartError::Database)?;
    println!("{token}");
    Ok(())
}
