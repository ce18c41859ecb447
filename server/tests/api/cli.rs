use crate::helpers::{fresh_database, intraday};

#[test]
fn help_lists_the_commands() {
    let out = intraday().arg("--help").output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("serve") && text.contains("migrate"), "{text}");
}

#[test]
fn unknown_command_fails_with_a_usage_message() {
    let out = intraday().arg("frobnicate").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unrecognized subcommand"));
}

#[test]
fn unsupported_database_url_is_refused_clearly() {
    let out = intraday()
        .args(["migrate", "--db", "mysql://root:hunter2@localhost/x"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unsupported database URL"), "{err}");
    assert!(!err.contains("hunter2"), "the password leaked: {err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_command_creates_the_schema() {
    let url = fresh_database(server::db::DbKind::Sqlite).await;
    let out = intraday()
        .args(["migrate", "--db", &url])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("schema is current"));
}

#[test]
fn config_check_prints_effective_settings_with_secrets_masked() {
    let dir = std::env::temp_dir().join(format!("intraday-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("settings.toml");
    std::fs::write(&file, "ingest_rate = 9\nretention_days = 20\n").expect("write");
    let out = intraday()
        .args(["config", "check", "--config", file.to_str().expect("path")])
        .env(
            "INTRADAY_DB",
            "postgres://ops:hunter2@db.example:5432/intraday",
        )
        .env("INTRADAY_RETENTION_DAYS", "40")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("database_url = postgres://ops:***@db.example:5432/intraday"),
        "{text}"
    );
    assert!(text.contains("ingest_rate = 9"), "{text}");
    assert!(
        text.contains("retention_days = 40"),
        "the environment overrides the file: {text}"
    );
    assert!(!text.contains("hunter2"));
}

#[test]
fn config_check_fails_naming_an_invalid_value() {
    let out = intraday()
        .args(["config", "check"])
        .env("INTRADAY_RETENTION_DAYS", "1")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("retention_days = 1"));
    let dir = std::env::temp_dir().join(format!("intraday-cfg-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("typo.toml");
    std::fs::write(&file, "retension_days = 10\n").expect("write");
    let out = intraday()
        .args(["config", "check", "--config", file.to_str().expect("path")])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("retension_days"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
