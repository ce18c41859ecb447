//! One live stream per tab: the browser listens to the server's deltas and refreshes the page's
//! data at most once a second while anything changed — or not at all while paused or replaying.

use leptos::prelude::*;

use crate::i18n::t;

/// The page's live status, shared through context.
#[derive(Clone, Copy)]
pub struct LiveState {
    /// Bumped when the page's data should be fetched again.
    pub version: RwSignal<u64>,
    /// Updates paused by the user.
    pub paused: RwSignal<bool>,
    /// The stream is connected.
    pub connected: RwSignal<bool>,
    /// Deltas arrived since the last refresh.
    pub pending: RwSignal<bool>,
    /// Time of the newest delta seen (RFC 3339 "as of"), if any.
    pub as_of: RwSignal<Option<String>>,
}

impl LiveState {
    /// A fresh state.
    pub fn new() -> LiveState {
        LiveState {
            version: RwSignal::new(0),
            paused: RwSignal::new(false),
            connected: RwSignal::new(false),
            pending: RwSignal::new(false),
            as_of: RwSignal::new(None),
        }
    }

    /// Pauses or resumes; resuming refreshes at once if anything changed meanwhile.
    pub fn toggle_pause(&self) {
        let paused = !self.paused.get_untracked();
        self.paused.set(paused);
        if !paused && self.pending.get_untracked() {
            self.pending.set(false);
            self.version.update(|v| *v += 1);
        }
    }
}

impl Default for LiveState {
    fn default() -> Self {
        LiveState::new()
    }
}

/// The live indicator, and (in the browser) the stream behind it.
#[component]
pub fn LiveFeed(
    /// Whether it opens the pages' change feed itself; the Ongoing grid has a stream of its own
    /// and sets the state from it.
    #[prop(optional, default = true)]
    feed: bool,
    /// The change feed to listen to: the pages' (`/api/v1/stream/page`) unless given (the My
    /// dashboard listens to its agent's, `/api/v1/stream/my`).
    #[prop(optional)]
    path: Option<&'static str>,
) -> impl IntoView {
    let live = use_context::<LiveState>().unwrap_or_default();
    let q = leptos_router::hooks::use_query_map();
    let replaying = move || q.with(|q| q.get_str("at").is_some_and(|v| !v.is_empty()));
    // The feed's instants are shown in the page's time zone, like the numbers.
    let tz = move || q.with(|q| crate::format::time_zone(q.get_str("tz")));
    #[cfg(feature = "hydrate")]
    if feed {
        connect(live, path.unwrap_or("/api/v1/stream/page"));
        // The top bar's count is a supervisor's; an agent's feed has no escalations to count.
        if path.is_none() {
            escalation_count(live);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (feed, path);
    let label = move || {
        if replaying() {
            t("live.replay").to_owned()
        } else if live.paused.get() {
            t("live.paused").to_owned()
        } else if !live.connected.get() {
            t("live.reconnecting").to_owned()
        } else {
            match live.as_of.get() {
                Some(at) => format!(
                    "{} · {} {}",
                    t("live.live"),
                    t("tile.as_of"),
                    crate::format::clock(&at, tz())
                ),
                None => t("live.live").to_owned(),
            }
        }
    };
    view! {
        <p class="live-indicator" role="status" aria-live="polite" data-testid="live-indicator">
            {label}
        </p>
    }
}

/// Keeps the top bar's count of open escalations, asked again each time the page refreshes.
#[cfg(feature = "hydrate")]
fn escalation_count(live: LiveState) {
    let count = LocalResource::new(move || {
        live.version.track();
        crate::server_fns::ongoing::get_open_escalations()
    });
    let n = Signal::derive(move || count.get().and_then(|r| r.ok()).map(|n| n as usize));
    crate::components::top_bar::OpenEscalations::show(n);
}

#[cfg(feature = "hydrate")]
fn connect(live: LiveState, path: &str) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    // Inside a portal's frame there is no cookie: the page's embed session goes along.
    let url = match crate::auth::embed_session() {
        Some(session) => format!("{path}?session={}", crate::url::encode(&session)),
        None => path.to_owned(),
    };
    let refresh = Refresher::default();
    let on_delta = {
        let refresh = refresh.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            live.connected.set(true);
            if let Some(text) = ev.data().as_string()
                && let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
                && let Some(at) = v.get("as_of").and_then(|a| a.as_str())
            {
                live.as_of.set(Some(at.to_owned()));
            }
            live.pending.set(true);
            refresh.soon(live);
        })
    };
    // The session ended, its user or queues changed: the sign-in page says so (the same page
    // a sign-out in this tab leads to, so the two never disagree), or, in a portal's frame, a
    // reload shows the page saying to open it again from the portal.
    let embedded = crate::auth::embed_session().is_some();
    let on_unauthorized = Closure::<dyn FnMut()>::new(move || {
        let Some(window) = web_sys::window() else {
            return;
        };
        let location = window.location();
        if embedded {
            let _ = location.reload();
        } else {
            let here =
                location.pathname().unwrap_or_default() + &location.search().unwrap_or_default();
            let next = crate::url::encode(&crate::auth::safe_next(&here));
            let _ = location.set_href(&format!("/signin?error=signed_out&next={next}"));
        }
    });
    let function = |c: &wasm_bindgen::JsValue| c.unchecked_ref::<js_sys::Function>().clone();
    super::event_stream::open(
        url,
        super::event_stream::Listeners {
            // The pages' feed says only that the log moved.
            events: vec![
                ("changed", function(on_delta.as_ref())),
                ("unauthorized", function(on_unauthorized.as_ref())),
            ],
            on_open: Box::new(move |how| {
                live.connected.set(true);
                // Changes made while the feed was down reach the page through the `changed` the
                // server sends on every (re)opened feed; reading again on the reopening itself
                // does not depend on that first event arriving.
                if how == super::event_stream::Reopened::AfterDrop {
                    live.pending.set(true);
                    refresh.soon(live);
                }
            }),
            on_error: Box::new(move || live.connected.set(false)),
        },
    );
    on_unauthorized.forget();
    on_delta.forget();
}

/// The least time between two refreshes (ms): a change shows at once when the page is idle,
/// and a burst of changes costs at most four refetches a second.
#[cfg(feature = "hydrate")]
const REFRESH_GAP_MS: f64 = 250.0;

/// Refreshes the page on a change: at once if the last refresh is older than
/// [`REFRESH_GAP_MS`], else once when that gap has passed (changes meanwhile ride along).
/// Never while paused or replaying (resuming refreshes, see [`LiveState::toggle_pause`]).
#[cfg(feature = "hydrate")]
#[derive(Clone, Default)]
struct Refresher {
    last: std::rc::Rc<std::cell::Cell<f64>>,
    scheduled: std::rc::Rc<std::cell::Cell<bool>>,
}

#[cfg(feature = "hydrate")]
impl Refresher {
    fn soon(&self, live: LiveState) {
        if self.scheduled.get() {
            return;
        }
        let wait = self.last.get() + REFRESH_GAP_MS - now_ms();
        if wait <= 0.0 {
            self.fire(live);
            return;
        }
        self.scheduled.set(true);
        let this = self.clone();
        gloo_timers::callback::Timeout::new(wait.ceil() as u32, move || {
            this.scheduled.set(false);
            this.fire(live);
        })
        .forget();
    }

    fn fire(&self, live: LiveState) {
        let replaying = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .is_some_and(|s| s.contains("at="));
        if live.pending.get_untracked() && !live.paused.get_untracked() && !replaying {
            self.last.set(now_ms());
            live.pending.set(false);
            live.version.update(|v| *v += 1);
        }
    }
}

#[cfg(feature = "hydrate")]
fn now_ms() -> f64 {
    chrono::Utc::now().timestamp_millis() as f64
}
