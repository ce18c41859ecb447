//! Saved views: a named set of filters, kept in this browser (per user once sign-in exists) and
//! restorable by its URL — a saved view is a link to the page with its query string.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::filter_bar::with_param;
use crate::i18n::t;

/// A saved view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedView {
    /// The name the supervisor gave it.
    pub name: String,
    /// The page's query string, `?…` or empty.
    pub query: String,
}

/// The storage key: the views of the signed-in person (several people may share a browser).
fn key() -> String {
    match super::access::use_viewer() {
        Some(v) => format!("intraday.views.{}", v.login),
        None => "intraday.views".to_owned(),
    }
}

/// Adds or replaces a view by name; views stay sorted by name. A blank name is refused.
pub fn save(views: &mut Vec<SavedView>, name: &str, query: &str) -> Result<(), &'static str> {
    let name = name.trim();
    if name.is_empty() {
        return Err("views.name_needed");
    }
    views.retain(|v| v.name != name);
    views.push(SavedView {
        name: name.to_owned(),
        query: query.to_owned(),
    });
    views.sort_by_key(|v| v.name.to_lowercase());
    Ok(())
}

#[cfg(feature = "hydrate")]
fn load(key: &str) -> Vec<SavedView> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(key).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

#[cfg(feature = "hydrate")]
fn store(key: &str, views: &[SavedView]) {
    if let (Some(s), Ok(text)) = (
        web_sys::window().and_then(|w| w.local_storage().ok().flatten()),
        serde_json::to_string(views),
    ) {
        // A full or disabled storage only loses the views, never the page.
        let _ = s.set_item(key, &text);
    }
}

#[cfg(not(feature = "hydrate"))]
fn store(_: &str, _: &[SavedView]) {}

/// The saved-views control: a name box, Save, and the saved views as links.
#[component]
pub fn SavedViews(
    /// The page's filters.
    filters: Memo<Vec<(String, String)>>,
) -> impl IntoView {
    let storage = StoredValue::new(key());
    let views = RwSignal::new(Vec::<SavedView>::new());
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<&'static str>);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| views.set(storage.with_value(|k| load(k))));
    let path = leptos_router::hooks::use_location().pathname;
    let on_save = move |_| {
        let query = with_param(&filters.get_untracked(), "at", "");
        let mut next = views.get_untracked();
        match save(&mut next, &name.get_untracked(), &query) {
            Ok(()) => {
                storage.with_value(|k| store(k, &next));
                views.set(next);
                name.set(String::new());
                error.set(None);
            }
            Err(key) => error.set(Some(key)),
        }
    };
    view! {
        <div class="saved-views" data-testid="saved-views">
            <label class="filter">
                <span>{t("views.label")}</span>
                <input
                    type="text"
                    size="14"
                    data-testid="view-name"
                    placeholder=t("views.placeholder")
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </label>
            <button type="button" data-testid="view-save" on:click=on_save>
                {t("views.save")}
            </button>
            <span class="error" role="alert">{move || error.get().map(t)}</span>
            <ul class="view-list">
                <For each=move || views.get() key=|v| v.name.clone() let:v>
                    {
                        let remove_name = v.name.clone();
                        view! {
                            <li>
                                <a href=move || format!("{}{}", path.get(), v.query) data-testid="saved-view">
                                    {v.name.clone()}
                                </a>
                                <button
                                    type="button"
                                    class="link"
                                    aria-label=format!("{} {}", t("views.delete"), v.name)
                                    on:click=move |_| {
                                        let mut next = views.get_untracked();
                                        next.retain(|x| x.name != remove_name);
                                        storage.with_value(|k| store(k, &next));
                                        views.set(next);
                                    }
                                >
                                    "×"
                                </button>
                            </li>
                        }
                    }
                </For>
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saving_replaces_by_name_keeps_order_and_refuses_blank_names() {
        let mut v = Vec::new();
        save(&mut v, "Voice", "?channel=voice").unwrap();
        save(&mut v, "billing", "?queue=billing").unwrap();
        save(&mut v, " Voice ", "?channel=voice&window=2h").unwrap();
        assert_eq!(
            v.iter().map(|x| x.name.as_str()).collect::<Vec<_>>(),
            ["billing", "Voice"]
        );
        assert_eq!(v[1].query, "?channel=voice&window=2h");
        assert_eq!(save(&mut v, "  ", "?x=1"), Err("views.name_needed"));
    }
}
