//! `intraday serve`: migrate, then serve until interrupted.

use std::net::SocketAddr;

use axum::serve::ListenerExt;
use leptos::prelude::get_configuration;
use tokio::net::TcpListener;

use crate::cli::ServeArgs;
use crate::config::Config;
use crate::db::{self, DbKind};
use crate::error::StartError;
use crate::http::router;
use crate::ops::ready::{self, Startup};
use crate::simulator::drive::SimPlan;
use crate::state::AppState;
use migrations::{Migrator, MigratorTrait};

/// Sends small writes (a stream's deltas) at once instead of holding them back until the
/// previous segment is acknowledged (Nagle), which with the peer's delayed ACKs can cost up to
/// 40 ms a frame.
pub fn no_delay(tcp: &mut tokio::net::TcpStream) {
    if let Err(error) = tcp.set_nodelay(true) {
        tracing::debug!(%error, "could not set TCP_NODELAY");
    }
}

/// Runs the server with the given options.
pub async fn run(args: ServeArgs, mut config: Config) -> Result<(), StartError> {
    let conf = get_configuration(Some("Leptos.toml"))
        .map_err(|e| StartError::SiteConfig(e.to_string()))?;
    let mut leptos_options = conf.leptos_options;
    let addr = match args.addr.as_ref().or(config.addr.as_ref()) {
        Some(a) => a
            .parse::<SocketAddr>()
            .map_err(|_| StartError::Address(a.clone()))?,
        None => leptos_options.site_addr,
    };
    leptos_options.site_addr = addr;

    let url = args.db.url(&config);
    let db_kind = DbKind::of(&url)?;
    config.resolve_snapshot_path(&url);
    let every = (config.snapshot_minutes > 0)
        .then(|| std::time::Duration::from_secs(60 * u64::from(config.snapshot_minutes)));

    // Listen first, so /healthz answers and /readyz says why it is not ready yet.
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Io {
            context: format!("cannot listen on {addr}"),
            source,
        })?;
    let local = listener.local_addr().map_err(|source| StartError::Io {
        context: "cannot read the listening address".into(),
        source,
    })?;
    let startup = Startup::new();
    let (stop, stopping) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        stop.send_replace(true);
    });
    let mut graceful = stopping.clone();
    let mut server = tokio::spawn(
        axum::serve(
            listener.tap_io(no_delay),
            // The peer's address is the sign-in limit's key (behind a proxy, see `client`).
            ready::router(startup.clone()).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = graceful.wait_for(|s| *s).await;
        })
        .into_future(),
    );

    let db = db::connect(&url).await?;
    startup.set_stage("migrating the database");
    Migrator::up(&db, None).await.map_err(StartError::Migrate)?;
    tracing::info!(database = %db::redact(&url), "database ready");
    startup.set_stage("rebuilding the live state from the event log");
    let state = AppState::build(leptos_options, db.clone(), db_kind, config)
        .await
        .map_err(StartError::Database)?;
    let simulator = match (args.simulate, args.no_simulate) {
        (Some(speed), false) => {
            seed_demo_users(&db).await;
            Some(simulator_plan(&state, &args, speed).await)
        }
        _ => {
            if crate::store::users::count(&db).await.unwrap_or(1) == 0 {
                println!(
                    "No user can sign in yet: add one with `echo PASSWORD | intraday user add LOGIN --role admin`"
                );
            }
            None
        }
    };
    let tasks = crate::tasks::start(
        &state,
        crate::tasks::Plan {
            housekeeping: true,
            snapshots: Some(every),
            simulator,
            stop: Some(stopping.clone()),
        },
    );
    startup.ready(router(state), db);
    println!("Intraday is running: open http://{local}/ (Ctrl-C to stop)");
    let mut deadline = stopping;
    let result = tokio::select! {
        result = &mut server => Some(result),
        _ = async {
            let _ = deadline.wait_for(|s| *s).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => {
            tracing::warn!("connections still open after the shutdown grace period; closing them");
            None
        }
    };
    // The next start reads this instead of replaying the log.
    if let Some(s) = &tasks.snapshots {
        s.write().await;
    }
    let Some(result) = result else {
        return Ok(());
    };
    result
        .map_err(|e| StartError::Invalid(format!("the server task failed: {e}")))?
        .map_err(|source| StartError::Io {
            context: "the server stopped".into(),
            source,
        })
}

/// With the simulator on an empty user table: the demo users, printed with their password
/// (`INTRADAY_DEMO_PASSWORD`, else a random one).
async fn seed_demo_users(db: &sea_orm::DatabaseConnection) {
    let password = std::env::var("INTRADAY_DEMO_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    match crate::cli::users::seed_demo(db, password).await {
        Ok(Some((users, password))) => {
            println!("Demo users (password {password}):");
            for u in users {
                let queues = if u.queues.is_empty() {
                    String::new()
                } else {
                    format!(", queues {}", u.queues.join(", "))
                };
                let agent = u
                    .agent_id
                    .map(|a| format!(", works as agent {a}"))
                    .unwrap_or_default();
                println!("  {:<10} {}{queues}{agent}", u.login, u.role.as_str());
            }
        }
        Ok(None) => {}
        Err(e) => tracing::error!(error = %e, "seeding the demo users failed"),
    }
}

/// How long in-flight requests may take to finish after SIGTERM/SIGINT.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// The built-in simulator's plan. The backfill runs only over an empty log, so a restart does
/// not add a second history.
async fn simulator_plan(state: &AppState, args: &ServeArgs, speed: f64) -> SimPlan {
    let empty = crate::store::events::count(&state.db)
        .await
        .map(|n| n == 0)
        .unwrap_or(false);
    let backfill = match args.sim.backfill {
        Some(b) if empty => b,
        Some(_) => {
            tracing::info!("the log already holds events: simulator starts live, without backfill");
            std::time::Duration::ZERO
        }
        None => std::time::Duration::ZERO,
    };
    tracing::info!(
        seed = args.sim.seed,
        speed,
        backfill_hours = backfill.as_secs_f64() / 3600.0,
        "simulator on"
    );
    SimPlan {
        seed: args.sim.seed,
        speed,
        backfill,
        live: true,
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
