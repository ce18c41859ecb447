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

#[tokio::test]
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
