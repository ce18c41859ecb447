//! Every user-facing string by key. English now; Polish comes with the identity issue, and a
//! test fails when a key is missing in a language.

mod en;

/// A UI language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Locale {
    /// English.
    #[default]
    En,
}

impl Locale {
    fn table(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Locale::En => en::TEXTS,
        }
    }
}

/// The text of `key` in `locale`; the key itself when missing (and a test catches that).
pub fn tr(locale: Locale, key: &'static str) -> &'static str {
    locale
        .table()
        .iter()
        .find(|(k, _)| *k == key)
        .map_or(key, |(_, v)| *v)
}

/// The text of `key` in the default language.
pub fn t(key: &'static str) -> &'static str {
    tr(Locale::default(), key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A string literal that looks like a UI text key (`group.name`, lowercase).
    fn is_key(s: &str) -> bool {
        const GROUPS: [&str; 25] = [
            "agent",
            "agents",
            "auth",
            "notice",
            "role",
            "signin",
            "user",
            "channel",
            "chart",
            "export",
            "filters",
            "insights",
            "kpi",
            "live",
            "nav",
            "panels",
            "presence",
            "queue",
            "replay",
            "sentiment",
            "sl",
            "status",
            "tile",
            "views",
            "window",
        ];
        s.split_once('.').is_some_and(|(g, rest)| {
            GROUPS.contains(&g)
                && !rest.is_empty()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
    }

    #[test]
    fn every_key_has_a_text_and_keys_are_unique() {
        let table = Locale::En.table();
        for (i, (k, v)) in table.iter().enumerate() {
            assert!(!v.trim().is_empty(), "{k} has no English text");
            assert!(!table[..i].iter().any(|(x, _)| x == k), "{k} twice");
        }
    }

    #[test]
    fn every_key_the_code_uses_is_translated() {
        // Scan the sources for t("…") calls and check each key exists.
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(root)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("src dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                // UI code only: the domain's event names look like keys too.
                let ui = ["components", "routes", "charts"]
                    .iter()
                    .any(|d| path.components().any(|c| c.as_os_str() == *d));
                if !ui {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let quoted = text.split('"').skip(1).step_by(2);
                for key in quoted.filter(|k| is_key(k)) {
                    if !Locale::En.table().iter().any(|(x, _)| x == &key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
                for part in text.split("t(\"").skip(1) {
                    let Some(key) = part.split('"').next() else {
                        continue;
                    };
                    if key.contains('.') && !Locale::En.table().iter().any(|(k, _)| *k == key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys without English text: {missing:?}");
    }
}
