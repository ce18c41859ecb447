//! My dashboard (`/my`): the signed-in person's own work as the agent they are linked to —
//! presence and capacity, offers to accept or decline, their conversations, the open ones of
//! their queues to take, what they closed today, and a conversation's panel (`/my/{id}`).
//!
//! Live from the agent's change feed (`/api/v1/stream/my`): each change refetches the lists
//! (at once when idle, at most four times a second), as the Insights tab does; clocks tick in
//! the browser every second.

mod keys;
mod lists;
mod panel;

use leptos::prelude::*;

use crate::components::live_feed::{LiveFeed, LiveState};
use crate::i18n::t;
use crate::server_fns::my::{MyWork, get_my_work, set_my_presence};

pub use panel::MyPanel;

/// The page's shared state: the work as last fetched, the browser's clock, the last answer.
#[derive(Clone, Copy)]
pub(crate) struct MyState {
    /// The work, fetched again on each change.
    pub work: Resource<Result<MyWork, crate::error::AppError>>,
    /// The browser's clock (ms), ticking every second.
    pub now: RwSignal<i64>,
    /// What the last action answered (a refusal's reason).
    pub message: RwSignal<Option<String>>,
    /// The page's language, for the answers.
    pub locale: crate::i18n::Locale,
}

impl MyState {
    /// Sends an agent's action; the answer (a refusal's reason) goes to the page's message line.
    pub fn act(
        self,
        id: String,
        action: crate::ongoing::AgentAction,
        expected_state: Option<String>,
    ) {
        self.message.set(None);
        leptos::task::spawn_local(async move {
            let request = crate::ongoing::AgentRequest {
                action,
                expected_state,
            };
            let text = match crate::server_fns::my::my_act(id, request).await {
                Ok(o) if o.over_capacity => {
                    Some(crate::i18n::tr(self.locale, "my.over_capacity").to_owned())
                }
                Ok(_) => None,
                Err(e) => Some(e.text_in(self.locale)),
            };
            self.message.set(text);
        });
    }
}

/// The My dashboard.
#[component]
pub fn MyPage() -> impl IntoView {
    let viewer = crate::components::access::use_viewer();
    if viewer.as_ref().and_then(|v| v.agent_id.as_ref()).is_none() {
        #[cfg(feature = "ssr")]
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::FORBIDDEN);
        }
        return view! {
            <section class="card access-denied" data-testid="my-not-agent">
                <h1>{t("my.title")}</h1>
                <p>{t("problem.my_not_agent")}</p>
            </section>
        }
        .into_any();
    }
    let live = LiveState::new();
    provide_context(live);
    let work = Resource::new(move || live.version.get(), |_| get_my_work());
    let now = RwSignal::new(chrono::Utc::now().timestamp_millis());
    #[cfg(feature = "hydrate")]
    {
        let tick = gloo_timers::callback::Interval::new(1_000, move || {
            now.set(chrono::Utc::now().timestamp_millis());
        });
        let tick = send_wrapper::SendWrapper::new(tick);
        on_cleanup(move || drop(tick));
    }
    let state = MyState {
        work,
        now,
        message: RwSignal::new(None),
        locale: crate::i18n::use_locale(),
    };
    provide_context(state);
    let help = RwSignal::new(false);
    // A new offer chimes and notifies when the agent turned that on.
    let alerts = crate::components::alerts::Alerts::new("offers");
    let offers = Memo::new(move |_| {
        work.get()
            .and_then(|w| w.ok())
            .map(|w| {
                w.mine
                    .iter()
                    .filter(|r| r.awaiting_acceptance)
                    .map(|r| r.id.clone())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    Effect::new(move |seen: Option<Vec<String>>| {
        let now = offers.get();
        if let Some(seen) = seen
            && now.iter().any(|id| !seen.contains(id))
        {
            alerts.raise(t("my.offers"), t("my.offer_new"));
        }
        now
    });
    #[cfg(feature = "hydrate")]
    keys::listen(state, help);
    view! {
        <div class="my-dashboard">
            <LiveFeed path="/api/v1/stream/my" />
            <p class="hint">
                <button type="button" class="link" data-testid="key-help-open" on:click=move |_| help.update(|h| *h = !*h)>
                    {t("my.keys")}" (?)"
                </button>
            </p>
            <keys::Help help />
            <p class="action-message" role="status" aria-live="polite" data-testid="my-message">
                {move || state.message.get()}
            </p>
            // The panel stays outside the lists' refresh: a change elsewhere must not wipe what
            // the agent is typing.
            <div class="my-layout">
                <div class="my-lists">
                    <Transition fallback=|| view! { <p class="skeleton">{t("my.loading")}</p> }>
                        <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "my-error")>
                            {move || Suspend::new(async move {
                                work.await.map(|w| {
                                    view! {
                                        <PresenceBar work=w.clone() alerts />
                                        <lists::Offers work=w.clone() />
                                        <lists::MyItems work=w.clone() />
                                        <lists::OpenItems work=w.clone() />
                                        <lists::ClosedToday work=w />
                                    }
                                })
                            })}
                        </ErrorBoundary>
                    </Transition>
                </div>
                <leptos_router::components::Outlet />
            </div>
        </div>
    }
    .into_any()
}

/// The presences an agent chooses from, with their text keys.
const PRESENCES: [(&str, &str); 5] = [
    ("available", "presence.available"),
    ("busy", "presence.busy"),
    ("busy_dnd", "presence.busy_dnd"),
    ("away", "presence.away"),
    ("offline", "presence.offline"),
];

/// Presence (chosen here) and capacity in use, always in view.
#[component]
fn PresenceBar(work: MyWork, alerts: crate::components::alerts::Alerts) -> impl IntoView {
    let state = expect_context::<MyState>();
    let free = work.capacity.saturating_sub(work.used);
    let percent = (work.used * 100).checked_div(work.capacity).unwrap_or(0);
    let change = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev);
        leptos::task::spawn_local(async move {
            if let Err(e) = set_my_presence(chosen).await {
                state.message.set(Some(e.text_in(state.locale)));
            }
        });
    };
    view! {
        <section class="card presence-bar" aria-labelledby="my-title">
            <h1 id="my-title">{t("my.title")}" · "<bdi>{work.name.clone()}</bdi></h1>
            <label>
                {t("my.presence")}" "
                <select data-testid="my-presence" on:change=change>
                    {PRESENCES
                        .into_iter()
                        .map(|(value, key)| {
                            view! {
                                <option value=value selected=work.presence == value>
                                    {t(key)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <div class="capacity" data-testid="my-capacity">
                <meter min="0" max=work.capacity value=work.used aria-label=t("my.capacity")></meter>
                " "{crate::i18n::fill(t("my.capacity_used"), &[&work.used, &work.capacity, &free])}
                " ("{percent}" %)"
            </div>
            <span class="note">{t("my.offer_alerts")}" "</span>
            <crate::components::alerts::AlertSwitches alerts />
        </section>
    }
}
