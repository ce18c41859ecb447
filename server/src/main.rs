//! `intraday`: the server binary. See `intraday --help`.

use std::process::ExitCode;

use clap::Parser;
use server::cli::{Cli, Command, TokenCommand};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    server::telemetry::init(cli.log_format);
    let outcome = match cli.command {
        Command::Serve(args) => server::serve::run(args).await,
        Command::Migrate(args) => server::db::migrate_command(args).await,
        Command::Backup(args) => server::backup::run(args).await,
        Command::Simulate(args) => server::simulate::remote(args).await,
        Command::Token(TokenCommand::Create(args)) => server::token::create(args).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("intraday: {error}");
            ExitCode::FAILURE
        }
    }
}
