//! The grid's rows in the browser: filled from the stream's snapshot, then changed delta by
//! delta (a row appears, changes or leaves), never by fetching the grid again. Deltas that
//! arrive together are applied together, once per browser task, so a burst costs one
//! re-render; while paused they wait and are applied on resume.

use std::collections::HashMap;

use leptos::prelude::*;
use serde::Deserialize;

use crate::model::conversation::ConversationStatus;
use crate::model::event::Presence;
use crate::ongoing::OngoingRow;

/// An agent as the stream sends it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct AgentLite {
    /// Id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Queues.
    #[serde(default)]
    pub queues: Vec<String>,
    /// Skills.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Capacity units.
    #[serde(default)]
    pub capacity: u32,
    /// Presence.
    pub presence: Presence,
    /// Units in use.
    #[serde(default)]
    pub capacity_used: u32,
    /// Units left (negative: over capacity).
    #[serde(default)]
    pub capacity_free: i64,
}

/// Every row and agent of the caller's scope.
#[derive(Clone, Debug, Default)]
pub struct Grid {
    /// Conversations not closed, by id.
    pub rows: HashMap<String, OngoingRow>,
    /// Agents, by id.
    pub agents: HashMap<String, AgentLite>,
    /// The first snapshot has arrived.
    pub loaded: bool,
}

impl Grid {
    /// An agent's name (the id when unknown).
    pub fn agent_name(&self, id: &str) -> String {
        self.agents
            .get(id)
            .map(|a| a.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| id.to_owned())
    }

    /// Applies a snapshot: the rows and agents as of its sequence.
    pub fn reset(&mut self, snapshot: Snapshot) {
        self.rows = snapshot
            .conversations
            .into_iter()
            .filter(|r| r.status != ConversationStatus::Closed)
            .map(|r| (r.id.clone(), r))
            .collect();
        self.agents = snapshot
            .agents
            .into_iter()
            .map(|a| (a.id.clone(), a))
            .collect();
        self.loaded = true;
    }

    /// Applies one delta.
    pub fn apply(&mut self, delta: Delta) {
        match delta {
            Delta::Conversation(row) => {
                if row.status == ConversationStatus::Closed {
                    self.rows.remove(&row.id);
                } else {
                    self.rows.insert(row.id.clone(), row);
                }
            }
            Delta::Agent(agent) => {
                self.agents.insert(agent.id.clone(), agent);
            }
        }
    }
}

/// The stream's `snapshot` (and `resync`) message.
#[derive(Debug, Deserialize)]
pub struct Snapshot {
    /// Conversations.
    #[serde(default)]
    pub conversations: Vec<OngoingRow>,
    /// Agents.
    #[serde(default)]
    pub agents: Vec<AgentLite>,
    /// The newest event's time.
    #[serde(default)]
    pub as_of: Option<String>,
}

/// One change.
#[derive(Debug)]
pub enum Delta {
    /// A conversation's new state.
    Conversation(OngoingRow),
    /// An agent's new state.
    Agent(AgentLite),
}

/// The grid's state, shared by the page, the grid, the panel and the lists.
#[derive(Clone, Copy)]
pub struct Store {
    /// Rows and agents.
    pub grid: RwSignal<Grid>,
    /// Now (ms), ticking each second in the browser.
    pub now: RwSignal<i64>,
}

impl Store {
    /// An empty store; in the browser, connected to the stream and ticking.
    pub fn new(live: crate::components::live_feed::LiveState) -> Store {
        let store = Store {
            grid: RwSignal::new(Grid::default()),
            now: RwSignal::new(chrono::Utc::now().timestamp_millis()),
        };
        #[cfg(feature = "hydrate")]
        {
            let now = store.now;
            let tick = gloo_timers::callback::Interval::new(1_000, move || {
                now.set(chrono::Utc::now().timestamp_millis());
            });
            let tick = send_wrapper::SendWrapper::new(tick);
            on_cleanup(move || drop(tick));
            connect(store, live);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = live;
        store
    }
}

#[cfg(feature = "hydrate")]
fn connect(store: Store, live: crate::components::live_feed::LiveState) {
    use std::cell::RefCell;
    use std::rc::Rc;

    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    #[derive(Deserialize)]
    struct ConversationMsg {
        conversation: OngoingRow,
        #[serde(default)]
        as_of: Option<String>,
    }
    #[derive(Deserialize)]
    struct AgentMsg {
        agent: AgentLite,
    }

    let url = match crate::auth::embed_session() {
        Some(session) => format!("/api/v1/stream?session={}", crate::url::encode(&session)),
        None => "/api/v1/stream".to_owned(),
    };
    let pending: Rc<RefCell<Vec<Delta>>> = Rc::default();
    let scheduled = Rc::new(std::cell::Cell::new(false));
    let flush = {
        let pending = pending.clone();
        let scheduled = scheduled.clone();
        move || {
            scheduled.set(false);
            if live.paused.get_untracked() {
                return;
            }
            let batch = std::mem::take(&mut *pending.borrow_mut());
            if !batch.is_empty() {
                store.grid.update(|g| {
                    for d in batch {
                        g.apply(d);
                    }
                });
            }
        }
    };
    let flush = Rc::new(flush);
    let queue = {
        let pending = pending.clone();
        let flush = flush.clone();
        move |d: Delta| {
            pending.borrow_mut().push(d);
            if !scheduled.replace(true) {
                let flush = flush.clone();
                gloo_timers::callback::Timeout::new(0, move || flush()).forget();
            }
        }
    };
    // Resuming applies what waited.
    {
        let flush = send_wrapper::SendWrapper::new(flush.clone());
        Effect::new(move |_| {
            if !live.paused.get() {
                flush();
            }
        });
    }
    let on_snapshot =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            live.connected.set(true);
            let Some(text) = ev.data().as_string() else {
                return;
            };
            // For the benchmark of the first paint (end2end/bench): when the rows arrived.
            if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
                let _ = p.mark("ongoing-snapshot");
            }
            match serde_json::from_str::<Snapshot>(&text) {
                Ok(mut snapshot) => {
                    if let Some(at) = snapshot.as_of.take() {
                        live.as_of.set(Some(at));
                    }
                    pending.borrow_mut().clear();
                    store.grid.update(|g| g.reset(snapshot));
                }
                Err(e) => leptos::logging::warn!("the grid's snapshot did not parse: {e}"),
            }
        });
    let queue = Rc::new(queue);
    let on_conversation = {
        let queue = queue.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            live.connected.set(true);
            if let Some(text) = ev.data().as_string()
                && let Ok(msg) = serde_json::from_str::<ConversationMsg>(&text)
            {
                if let Some(at) = msg.as_of {
                    live.as_of.set(Some(at));
                }
                queue(Delta::Conversation(msg.conversation));
            }
        })
    };
    let on_agent = {
        let queue = queue.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            if let Some(text) = ev.data().as_string()
                && let Ok(msg) = serde_json::from_str::<AgentMsg>(&text)
            {
                queue(Delta::Agent(msg.agent));
            }
        })
    };
    // The session ended or its rights changed: a reload shows the sign-in (or the portal's) page.
    let on_unauthorized = Closure::<dyn FnMut()>::new(move || {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    let function = |c: &wasm_bindgen::JsValue| c.unchecked_ref::<js_sys::Function>().clone();
    // A source opened again after the browser gave up starts with a snapshot (it sends no
    // Last-Event-ID); while the browser reconnects by itself, the stream resumes or resyncs.
    crate::components::event_stream::open(
        url,
        crate::components::event_stream::Listeners {
            events: vec![
                ("snapshot", function(on_snapshot.as_ref())),
                ("resync", function(on_snapshot.as_ref())),
                ("conversation", function(on_conversation.as_ref())),
                ("agent", function(on_agent.as_ref())),
                ("unauthorized", function(on_unauthorized.as_ref())),
            ],
            on_open: Box::new(move |_| live.connected.set(true)),
            on_error: Box::new(move || live.connected.set(false)),
        },
    );
    on_snapshot.forget();
    on_conversation.forget();
    on_agent.forget();
    on_unauthorized.forget();
}
