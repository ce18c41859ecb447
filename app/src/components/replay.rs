//! The replay slider: any minute of the last 24 h; the page then shows the numbers as they were
//! at that minute (the `at` filter). Zero is live.

use chrono::{DateTime, TimeDelta, Utc};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate};

use crate::components::filter_bar::with_param;
use crate::i18n::t;

/// Minutes before now of an `at` value (0 when absent or unreadable).
pub fn minutes_back(at: Option<&str>, now: DateTime<Utc>) -> i64 {
    at.and_then(|a| DateTime::parse_from_rfc3339(a).ok())
        .map_or(0, |a| (now - a.to_utc()).num_minutes().clamp(0, 24 * 60))
}

/// The slider.
#[component]
pub fn ReplaySlider(
    /// The page's filters.
    filters: Memo<Vec<(String, String)>>,
) -> impl IntoView {
    let navigate = use_navigate();
    let path = use_location().pathname;
    let at = move || {
        filters
            .get()
            .into_iter()
            .find(|(k, _)| k == "at")
            .map(|(_, v)| v)
    };
    let back = move || minutes_back(at().as_deref(), Utc::now());
    let go = {
        let navigate = navigate.clone();
        move |minutes: i64| {
            let value = if minutes <= 0 {
                String::new()
            } else {
                (Utc::now() - TimeDelta::minutes(minutes))
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            };
            let url = format!(
                "{}{}",
                path.get_untracked(),
                with_param(&filters.get_untracked(), "at", &value)
            );
            navigate(&url, NavigateOptions::default());
        }
    };
    let go_live = go.clone();
    view! {
        <div class="replay" data-testid="replay">
            <label class="filter">
                <span>
                    {t("replay.label")} ": "
                    <output data-testid="replay-value">
                        {move || match back() {
                            0 => t("live.live").to_owned(),
                            m => format!("{m} {}", t("replay.minutes_ago")),
                        }}
                    </output>
                </span>
                <input
                    type="range"
                    min="-1440"
                    max="0"
                    step="1"
                    data-testid="replay-slider"
                    aria-label=t("replay.label")
                    prop:value=move || (-back()).to_string()
                    on:change=move |ev| {
                        let v: i64 = event_target_value(&ev).parse().unwrap_or(0);
                        go(-v);
                    }
                />
            </label>
            <Show when=move || at().is_some()>
                <button type="button" data-testid="replay-live" on:click={
                    let go_live = go_live.clone();
                    move |_| go_live(0)
                }>
                    {t("replay.live")}
                </button>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_back_reads_the_at_filter() {
        let now = DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(minutes_back(None, now), 0);
        assert_eq!(minutes_back(Some("2026-11-25T11:15:00Z"), now), 45);
        assert_eq!(minutes_back(Some("nonsense"), now), 0);
        assert_eq!(minutes_back(Some("2026-11-20T00:00:00Z"), now), 1440);
    }
}
