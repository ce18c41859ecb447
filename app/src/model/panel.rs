//! Extra report panels an admin adds to the Insights tab: a saved KPI view, or an external
//! report shown in a sandboxed frame.

use serde::{Deserialize, Serialize};

use super::problem::Problem;

/// One panel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportPanel {
    /// Stable id.
    pub id: u32,
    /// Title shown above it.
    pub title: String,
    /// What it shows.
    pub kind: PanelKind,
}

/// What a panel shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum PanelKind {
    /// An external report (http or https URL) in a sandboxed iframe.
    Url(String),
    /// A saved KPI view: an Insights query string (`queue=billing&window=4h`).
    View(String),
}

/// Checks a report URL: absolute http(s) with a host, no credentials, no spaces.
pub fn check_url(url: &str) -> Result<(), Problem> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| Problem::new("problem.url_scheme", &[&format!("{url:?}")]))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty()
        || host.contains('@')
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Problem::new("problem.url_bad", &[&format!("{url:?}")]));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_web_addresses_are_report_urls() {
        assert!(check_url("https://bi.example.com/report/7?x=1").is_ok());
        assert!(check_url("http://localhost:8080/r").is_ok());
        for bad in [
            "javascript:alert(1)",
            "https://",
            "https://user:pw@bi.example.com/",
            "ftp://x",
            "https://a b",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }
}
