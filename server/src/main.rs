//! `intraday`: the server binary. See `intraday --help`.

use std::process::ExitCode;

use clap::Parser;
use server::cli::{Cli, Command, ConfigCommand, TokenCommand};
use server::config::Config;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    server::ops::telemetry::init(cli.log_format);
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("intraday: invalid settings: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match cli.command {
        Command::Serve(args) => server::cli::serve::run(args, config).await,
        Command::Migrate(args) => server::db::migrate_command(args, &config).await,
        Command::Backup(args) => server::cli::backup::run(args, &config).await,
        Command::Simulate(args) => server::simulator::drive::remote(args).await,
        Command::Token(TokenCommand::Create(args)) => {
            server::cli::token::create(args, &config).await
        }
        Command::User(command) => server::cli::users::run(command, &config).await,
        Command::Embed(command) => server::auth::embed::run(command, &config).await,
        Command::Panel(command) => server::admin::panels::run(command, &config).await,
        Command::Connector(command) => server::connectors::admin::run(command, &config).await,
        Command::Config(ConfigCommand::Check) => {
            print!("{}", config.describe());
            Ok(())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("intraday: {error}");
            ExitCode::FAILURE
        }
    }
}
