//! Extra report panels of the Insights tab (`intraday panel …`, until the admin pages exist):
//! kept as JSON in the `report_panels` setting; every change is audited.

use std::future::Future;
use std::pin::Pin;

use app::model::panel::{PanelKind, ReportPanel, check_url};
use sea_orm::{DatabaseConnection, DbErr};

use crate::cli::{PanelAddArgs, PanelCommand};
use crate::config::Config;
use crate::db;
use crate::error::StartError;
use crate::store::{audit, settings};

const KEY: &str = "report_panels";

/// The panels, in order.
pub async fn list(db: &DatabaseConnection) -> Result<Vec<ReportPanel>, DbErr> {
    Ok(settings::get(db, KEY)
        .await?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

async fn save(db: &DatabaseConnection, panels: &[ReportPanel]) -> Result<(), DbErr> {
    let value = serde_json::to_string(panels).map_err(|e| DbErr::Custom(e.to_string()))?;
    settings::set(db, KEY, &value).await
}

/// Validates a new panel.
pub fn panel(id: u32, args: &PanelAddArgs) -> Result<ReportPanel, String> {
    let title = args.title.trim();
    if title.is_empty() || title.chars().count() > 80 {
        return Err("the panel title must be 1 to 80 characters".into());
    }
    let kind = match (&args.url, &args.view) {
        (Some(url), None) => {
            check_url(url)?;
            PanelKind::Url(url.clone())
        }
        (None, Some(view)) => {
            let view = view.trim_start_matches('?');
            let pairs = view
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| p.split_once('=').unwrap_or((p, "")));
            app::kpi::Query::from_pairs(pairs)
                .map_err(|e| format!("--view: {}: {}", e.field, e.message))?;
            PanelKind::View(view.to_owned())
        }
        _ => return Err("give either --url URL or --view QUERY".into()),
    };
    Ok(ReportPanel {
        id,
        title: title.to_owned(),
        kind,
    })
}

/// Runs `intraday panel …`.
pub async fn run(command: PanelCommand, config: &Config) -> Result<(), StartError> {
    let db_args = match &command {
        PanelCommand::Add(a) => &a.db,
        PanelCommand::List(d) => d,
        PanelCommand::Remove { db, .. } => db,
    };
    let db = db::connect_and_migrate(&db_args.url(config)).await?;
    let mut panels = list(&db).await.map_err(StartError::Database)?;
    match command {
        PanelCommand::List(_) => {
            for p in &panels {
                let (kind, value) = match &p.kind {
                    PanelKind::Url(u) => ("url", u.as_str()),
                    PanelKind::View(v) => ("view", v.as_str()),
                };
                println!("{}\t{}\t{kind}\t{value}", p.id, p.title);
            }
            return Ok(());
        }
        PanelCommand::Add(args) => {
            let id = panels.iter().map(|p| p.id).max().unwrap_or(0) + 1;
            let p = panel(id, &args).map_err(StartError::Invalid)?;
            panels.push(p.clone());
            save(&db, &panels).await.map_err(StartError::Database)?;
            audit::record(
                &db,
                "cli",
                "panel.add",
                &format!("panel:{id}"),
                serde_json::json!(p),
            )
            .await
            .map_err(StartError::Database)?;
            println!("{id}");
        }
        PanelCommand::Remove { id, .. } => {
            let before = panels.len();
            panels.retain(|p| p.id != id);
            if panels.len() == before {
                return Err(StartError::Invalid(format!(
                    "there is no panel {id}; see intraday panel list"
                )));
            }
            save(&db, &panels).await.map_err(StartError::Database)?;
            audit::record(
                &db,
                "cli",
                "panel.remove",
                &format!("panel:{id}"),
                serde_json::json!({}),
            )
            .await
            .map_err(StartError::Database)?;
        }
    }
    Ok(())
}

/// The server's [`app::server_fns::PanelSource`].
pub struct Panels(pub DatabaseConnection);

impl app::server_fns::PanelSource for Panels {
    fn panels(
        &self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<ReportPanel>, String>> + Send + '_>> {
        Box::pin(async move { list(&self.0).await.map_err(|e| e.to_string()) })
    }
}
