//! cargo-leptos builds from `[[workspace.metadata.leptos]]` in Cargo.toml; the server reads
//! Leptos.toml. The keys both hold must agree, or the server looks for files that were never built.

fn read(path: &str) -> toml::Table {
    let full = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full)
        .expect("read")
        .parse()
        .expect("toml")
}

#[test]
fn leptos_toml_agrees_with_cargo_toml() {
    let cargo = read("Cargo.toml");
    let build = cargo["workspace"]["metadata"]["leptos"]
        .as_array()
        .and_then(|a| a.first())
        .and_then(|t| t.as_table())
        .expect("[[workspace.metadata.leptos]] in Cargo.toml");
    let leptos = read("Leptos.toml");
    let run = leptos["package"]["metadata"]["leptos"]
        .as_table()
        .expect("[package.metadata.leptos] in Leptos.toml");

    assert_eq!(build["name"], run["output-name"], "name vs output-name");
    for key in [
        "site-root",
        "site-pkg-dir",
        "site-addr",
        "reload-port",
        "env",
        "hash-files",
    ] {
        assert_eq!(
            build.get(key),
            run.get(key),
            "{key} differs between Cargo.toml and Leptos.toml"
        );
    }
}

#[test]
fn server_reads_leptos_toml() {
    let conf = leptos::prelude::get_configuration(Some(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../Leptos.toml"
    )))
    .expect("Leptos.toml");
    assert_eq!(conf.leptos_options.output_name.as_ref(), "intraday");
    assert_eq!(conf.leptos_options.site_addr.to_string(), "127.0.0.1:3000");
}
