//! Keyboard first: single keys for what an agent does all day, listed in a help overlay (`?`).
//! Keys are ignored while typing in a field (Enter there sends), so a message never triggers
//! them.

use leptos::prelude::*;

#[cfg(feature = "hydrate")]
use super::MyState;
use crate::i18n::t;
#[cfg(feature = "hydrate")]
use crate::model::conversation::ConversationStatus;
#[cfg(feature = "hydrate")]
use crate::ongoing::AgentAction;

/// The shortcuts: key and what it does (a text key).
pub const SHORTCUTS: [(&str, &str); 7] = [
    ("a", "my.key_accept"),
    ("d", "my.key_decline"),
    ("n", "my.key_next"),
    ("m", "my.key_message"),
    ("e", "my.key_end"),
    ("Enter", "my.key_send"),
    ("?", "my.key_help"),
];

/// Listens for the shortcuts while the page is open; `help` shows the overlay.
#[cfg(feature = "hydrate")]
pub fn listen(state: MyState, help: RwSignal<bool>) {
    let navigate = leptos_router::hooks::use_navigate();
    let path = leptos_router::hooks::use_location().pathname;
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let key = ev.key();
        if key == "Escape" {
            help.set(false);
            return;
        }
        if typing(&ev) {
            return;
        }
        let Some(work) = state.work.get_untracked().and_then(|w| w.ok()) else {
            return;
        };
        let current = path
            .get_untracked()
            .strip_prefix("/my/")
            .map(|id| {
                percent_encoding::percent_decode_str(id)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .unwrap_or_default();
        let offer = work
            .mine
            .iter()
            .find(|r| r.status == ConversationStatus::Active && r.awaiting_acceptance);
        match key.as_str() {
            "?" => help.update(|h| *h = !*h),
            "a" | "d" => {
                let Some(r) = offer else { return };
                let action = if key == "a" {
                    AgentAction::Accept
                } else {
                    AgentAction::Decline
                };
                state.act(r.id.clone(), action, Some(r.state_token()));
            }
            "n" => {
                // The next of my conversations after the open one (the first after the last).
                let ids: Vec<&str> = work.mine.iter().map(|r| r.id.as_str()).collect();
                let at = ids.iter().position(|id| *id == current);
                let next = match at {
                    Some(i) => ids.get(i + 1).or(ids.first()),
                    None => ids.first(),
                };
                let Some(next) = next else { return };
                navigate(
                    &format!("/my/{}", crate::url::encode(next)),
                    Default::default(),
                );
            }
            "m" => {
                let Some(field) = document().get_element_by_id("my-text") else {
                    return;
                };
                use wasm_bindgen::JsCast;
                if let Ok(field) = field.dyn_into::<web_sys::HtmlElement>() {
                    let _ = field.focus();
                }
            }
            "e" => {
                let Some(r) = work.mine.iter().find(|r| {
                    r.id == current
                        && r.status == ConversationStatus::Active
                        && !r.awaiting_acceptance
                }) else {
                    return;
                };
                state.act(r.id.clone(), AgentAction::End, Some(r.state_token()));
            }
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || handle.remove());
}

/// Whether the key went to a field the person types in.
#[cfg(feature = "hydrate")]
fn typing(ev: &web_sys::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

/// The overlay listing the shortcuts.
#[component]
pub fn Help(help: RwSignal<bool>) -> impl IntoView {
    move || {
        help.get().then(|| {
            view! {
                <div class="key-help card" role="dialog" aria-modal="false" aria-labelledby="key-help-title" data-testid="key-help">
                    <h2 id="key-help-title">{t("my.keys")}</h2>
                    <dl>
                        {SHORTCUTS
                            .into_iter()
                            .map(|(k, what)| view! { <dt><kbd>{k}</kbd></dt><dd>{t(what)}</dd> })
                            .collect_view()}
                    </dl>
                    <button type="button" on:click=move |_| help.set(false)>{t("my.keys_close")}</button>
                </div>
            }
        })
    }
}
