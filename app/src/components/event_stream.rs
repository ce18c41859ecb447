//! A browser `EventSource` that never gives up. The browser reconnects by itself after a
//! dropped connection, but not after an answer that is not a stream — such as the 503 of a
//! server that is still starting after a restart, or of a proxy in front of it: it closes the
//! source for good, and the page would say "Reconnecting…" forever. This opens a new one a
//! few seconds later, with the same listeners, until the page goes away.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::EventSource;

/// How long after the browser gave up a new source is opened (ms): the stream's own `retry`.
const REOPEN_MS: u32 = 3_000;

/// What the page listens to: named events, and the source's open and error.
pub struct Listeners {
    /// `(event name, handler)`; the handler gets the `MessageEvent`.
    pub events: Vec<(&'static str, js_sys::Function)>,
    /// Called when a connection opens.
    pub on_open: Box<dyn Fn(Reopened)>,
    /// Called when a connection drops or is refused.
    pub on_error: Box<dyn Fn()>,
}

/// Whether an opening connection is the first one or follows a drop (the page may have
/// missed changes meanwhile).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reopened {
    First,
    AfterDrop,
}

struct Inner {
    url: String,
    listeners: Listeners,
    source: RefCell<Option<EventSource>>,
    dropped: Cell<bool>,
    stopped: Cell<bool>,
    on_open: RefCell<Option<Closure<dyn FnMut()>>>,
    on_error: RefCell<Option<Closure<dyn FnMut()>>>,
}

/// Opens `url` and keeps it open until the reactive owner is cleaned up.
pub fn open(url: String, listeners: Listeners) {
    let inner = Rc::new(Inner {
        url,
        listeners,
        source: RefCell::new(None),
        dropped: Cell::new(false),
        stopped: Cell::new(false),
        on_open: RefCell::new(None),
        on_error: RefCell::new(None),
    });
    // The handlers hold only a weak reference: the cleanup below owns the rest.
    let weak = Rc::downgrade(&inner);
    *inner.on_open.borrow_mut() = Some(Closure::new(move || {
        if let Some(inner) = weak.upgrade() {
            let how = if inner.dropped.replace(false) {
                Reopened::AfterDrop
            } else {
                Reopened::First
            };
            (inner.listeners.on_open)(how);
        }
    }));
    let weak = Rc::downgrade(&inner);
    *inner.on_error.borrow_mut() = Some(Closure::new(move || {
        let Some(inner) = weak.upgrade() else {
            return;
        };
        inner.dropped.set(true);
        (inner.listeners.on_error)();
        let closed = inner
            .source
            .borrow()
            .as_ref()
            .is_none_or(|s| s.ready_state() == EventSource::CLOSED);
        if closed {
            let weak = Rc::downgrade(&inner);
            gloo_timers::callback::Timeout::new(REOPEN_MS, move || {
                if let Some(inner) = weak.upgrade() {
                    connect(&inner);
                }
            })
            .forget();
        }
    }));
    connect(&inner);
    let inner = send_wrapper::SendWrapper::new(inner);
    leptos::prelude::on_cleanup(move || {
        inner.stopped.set(true);
        if let Some(source) = inner.source.borrow_mut().take() {
            source.close();
        }
    });
}

/// Opens a new source with the listeners (closing the one before, if any).
fn connect(inner: &Inner) {
    if inner.stopped.get() {
        return;
    }
    if let Some(old) = inner.source.borrow_mut().take() {
        old.close();
    }
    let Ok(source) = EventSource::new(&inner.url) else {
        return;
    };
    for (name, handler) in &inner.listeners.events {
        let _ = source.add_event_listener_with_callback(name, handler);
    }
    if let Some(f) = inner.on_open.borrow().as_ref() {
        source.set_onopen(Some(f.as_ref().unchecked_ref()));
    }
    if let Some(f) = inner.on_error.borrow().as_ref() {
        source.set_onerror(Some(f.as_ref().unchecked_ref()));
    }
    *inner.source.borrow_mut() = Some(source);
}
