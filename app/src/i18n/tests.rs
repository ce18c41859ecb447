//! Both tables complete and alike, every key UI code uses translated, and how a request's
//! language is chosen.

use super::*;

/// The key groups UI code uses; a quoted `group.name` in UI code is taken for a key.
const GROUPS: [&str; 37] = [
    "my",
    "admin",
    "alerts",
    "ongoing",
    "field",
    "problem",
    "agent",
    "agents",
    "auth",
    "embed",
    "notice",
    "role",
    "signin",
    "user",
    "channel",
    "chart",
    "clock",
    "error",
    "export",
    "filters",
    "home",
    "insights",
    "kpi",
    "lang",
    "live",
    "nav",
    "panels",
    "presence",
    "queue",
    "replay",
    "sentiment",
    "sl",
    "status",
    "theme",
    "tile",
    "views",
    "window",
];

/// Literals in UI code that look like keys but are not: download file names.
const NOT_KEYS: [&str; 1] = ["agents.csv"];

/// A string literal that looks like a UI text key (`group.name` or `group.sub.name`, lowercase).
fn is_key(s: &str) -> bool {
    !NOT_KEYS.contains(&s)
        && s.split_once('.').is_some_and(|(g, rest)| {
            GROUPS.contains(&g)
                && !rest.is_empty()
                && rest.split('.').all(|part| {
                    !part.is_empty()
                        && part
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                })
        })
}

fn has(locale: Locale, key: &str) -> bool {
    locale.table().iter().any(|(k, _)| *k == key)
}

#[test]
fn every_key_has_a_text_in_every_language_and_keys_are_unique() {
    for locale in Locale::ALL {
        let table = locale.table();
        for (i, (k, v)) in table.iter().enumerate() {
            assert!(!v.trim().is_empty(), "{k} has no {locale:?} text");
            assert!(
                !table[..i].iter().any(|(x, _)| x == k),
                "{k} twice in {locale:?}"
            );
            assert!(
                is_key(k),
                "{k} is not a key of a known group (add it to GROUPS)"
            );
        }
    }
}

#[test]
fn english_and_polish_have_the_same_keys() {
    let missing: Vec<String> = Locale::ALL
        .iter()
        .flat_map(|a| {
            Locale::ALL.iter().flat_map(move |b| {
                a.table()
                    .iter()
                    .filter(move |(k, _)| !has(*b, k))
                    .map(move |(k, _)| format!("{k} is in {a:?} but not in {b:?}"))
            })
        })
        .collect();
    assert!(missing.is_empty(), "{missing:#?}");
}

/// The `{}` and `{name}` placeholders of `text`, sorted.
fn placeholders(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        found.push(&rest[start..=start + len]);
        rest = &rest[start + len + 1..];
    }
    found.sort_unstable();
    found
}

#[test]
fn every_text_has_the_placeholders_of_its_english_text() {
    let differ: Vec<String> = Locale::ALL
        .iter()
        .flat_map(|l| l.table().iter().map(move |(k, v)| (l, k, v)))
        .filter(|(_, k, v)| placeholders(v) != placeholders(tr(Locale::En, k)))
        .map(|(l, k, v)| format!("{k} in {l:?}: {v:?}"))
        .collect();
    assert!(differ.is_empty(), "{differ:#?}");
    assert_eq!(placeholders("{b} and {} of {a}"), ["{a}", "{b}", "{}"]);
}

#[test]
fn polish_is_actually_polish() {
    // A table copied from English would pass the key checks; these would not.
    assert_eq!(tr(Locale::Pl, "kpi.service_level"), "Poziom obsługi");
    assert_eq!(tr(Locale::Pl, "kpi.abandoned"), "Porzucone");
    let same = Locale::Pl
        .table()
        .iter()
        .filter(|(k, v)| tr(Locale::En, k) == *v)
        .count();
    assert!(
        same * 5 < Locale::Pl.table().len(),
        "{same} Polish texts equal the English"
    );
}

/// UI source files: components, routes, charts, and the app root (the domain's event names
/// look like keys too, so `model`, `kpi` and `server_fns` are not scanned).
fn ui_sources() -> Vec<std::path::PathBuf> {
    let root = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
    let mut out = vec![root.join("lib.rs")];
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if ["components", "routes", "charts"]
                .iter()
                .any(|d| path.components().any(|c| c.as_os_str() == *d))
            {
                out.push(path);
            }
        }
    }
    out
}

#[test]
fn every_key_the_code_uses_is_translated() {
    let mut missing = Vec::new();
    let mut used = 0;
    for path in ui_sources() {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        // Quoted strings: the text between a quote and the next one, on one line.
        let quoted = text.lines().flat_map(|l| l.split('"').skip(1).step_by(2));
        let calls = text
            .split("t(\"")
            .skip(1)
            .filter_map(|p| p.split('"').next())
            .filter(|k| k.contains('.'));
        for key in quoted.filter(|k| is_key(k)).chain(calls) {
            used += 1;
            for locale in Locale::ALL {
                if !has(locale, key) {
                    missing.push(format!("{}: {key} ({locale:?})", path.display()));
                }
            }
        }
    }
    assert!(used > 150, "the scan found only {used} keys");
    assert!(missing.is_empty(), "keys without a text: {missing:#?}");
}

#[test]
fn the_scan_knows_keys_from_file_names() {
    assert!(is_key("chart.title.by_queue"));
    assert!(is_key("kpi.service_level"));
    assert!(!is_key("chart."));
    assert!(!is_key("chart.title."));
    assert!(!is_key("Europe/Warsaw"));
    assert!(!is_key("conversation.created"));
    assert!(!is_key("agents.csv"));
}

#[test]
fn tags_parse_in_any_case_and_region() {
    assert_eq!(Locale::parse("pl"), Some(Locale::Pl));
    assert_eq!(Locale::parse("pl-PL"), Some(Locale::Pl));
    assert_eq!(Locale::parse("EN_gb"), Some(Locale::En));
    assert_eq!(Locale::parse("de"), None);
    assert_eq!(Locale::parse(""), None);
    for l in Locale::ALL {
        assert_eq!(Locale::parse(l.as_str()), Some(l));
    }
}

#[test]
fn accept_language_honours_quality_values() {
    assert_eq!(
        Locale::from_accept_language("pl-PL,pl;q=0.9,en;q=0.8"),
        Locale::Pl
    );
    assert_eq!(
        Locale::from_accept_language("en-US,en;q=0.9,pl;q=0.8"),
        Locale::En
    );
    assert_eq!(
        Locale::from_accept_language("de-DE, pl;q=0.5, en;q=0.4"),
        Locale::Pl
    );
    assert_eq!(
        Locale::from_accept_language("en;q=0.3, pl;q=0.7"),
        Locale::Pl
    );
    assert_eq!(Locale::from_accept_language("pl;q=0, de"), Locale::En);
    assert_eq!(Locale::from_accept_language("fr, de"), Locale::En);
    assert_eq!(Locale::from_accept_language(""), Locale::En);
    assert_eq!(Locale::from_accept_language("*"), Locale::En);
}

#[test]
fn the_user_then_the_cookie_then_the_browser_choose_the_language() {
    let cookie = Some("theme=dark; intraday_lang=pl; other=1");
    assert_eq!(resolve_locale(None, None, None), Locale::En);
    assert_eq!(resolve_locale(None, Some("pl,en;q=0.5"), None), Locale::Pl);
    assert_eq!(resolve_locale(cookie, Some("en"), None), Locale::Pl);
    assert_eq!(resolve_locale(cookie, Some("pl"), Some("en")), Locale::En);
    assert_eq!(
        resolve_locale(Some("intraday_lang=en"), Some("pl"), None),
        Locale::En
    );
    // Unknown values fall through to the next source.
    assert_eq!(
        resolve_locale(Some("intraday_lang=xx"), Some("pl"), Some("de")),
        Locale::Pl
    );
    assert_eq!(resolve_locale(Some("lang=pl"), None, None), Locale::En);
}

#[test]
fn texts_follow_the_context_and_default_to_english() {
    assert_eq!(t("kpi.abandoned"), "Abandoned", "no owner: English");
    let owner = Owner::new();
    owner.with(|| {
        provide_context(Locale::Pl);
        assert_eq!(use_locale(), Locale::Pl);
        assert_eq!(t("kpi.abandoned"), "Porzucone");
    });
    assert_eq!(tr(Locale::Pl, "no.such_key"), "no.such_key");
}

#[test]
fn every_problem_reads_in_every_language_with_its_values_and_field() {
    use crate::error::AppError;
    use crate::model::problem::Problem;
    let problems: Vec<&'static str> = Locale::En
        .table()
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| k.starts_with("problem."))
        .collect();
    assert!(problems.len() > 30, "{}", problems.len());
    for key in problems {
        let holes = tr(Locale::En, key).matches("{}").count();
        let values = ["\"ann.b\"", "42", "open"];
        let args: Vec<&dyn std::fmt::Display> = values[..holes]
            .iter()
            .map(|v| v as &dyn std::fmt::Display)
            .collect();
        let problem = Problem::new(key, &args);
        for locale in Locale::ALL {
            let text = tr(locale, key);
            assert_eq!(text.matches("{}").count(), holes, "{key} in {locale:?}");
            assert_eq!(
                AppError::problem(None, &problem).text_in(locale),
                fill(text, &args),
                "{key} in {locale:?}"
            );
            assert_eq!(
                AppError::problem(Some("login"), &problem).text_in(locale),
                format!("{}: {}", tr(locale, "field.login"), fill(text, &args)),
            );
        }
        // The English sentence is what the server logs and states.
        assert_eq!(
            AppError::problem(None, &problem).to_string(),
            problem.to_string()
        );
    }
}

#[test]
fn a_domain_problem_reads_as_the_server_states_it() {
    use crate::model::problem::Problem;
    assert_eq!(
        Problem::new("problem.number_range", &[&0.0, &100.0]).to_string(),
        problem("problem.number_range", &[&0.0, &100.0])
    );
    assert_eq!(
        Problem::new("problem.whole_number_range", &[&-3, &3]).to_string(),
        problem("problem.whole_number_range", &[&-3, &3])
    );
    assert_eq!(
        Problem::new("problem.internal", &[]).to_string(),
        tr(Locale::En, "problem.internal")
    );
}
