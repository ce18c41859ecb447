//! Alerts a person can turn on for something that needs them now (a new escalation, an offer):
//! a short chime and a desktop notification. Both are off until turned on (browsers allow
//! sound and notifications only after a person's gesture), and the choice is kept in this
//! browser per kind of alert.

use leptos::prelude::*;

use crate::i18n::t;

/// The alert choices of one kind of alert.
#[derive(Clone, Copy)]
pub struct Alerts {
    /// Play a chime.
    pub sound: RwSignal<bool>,
    /// Show a desktop notification.
    pub desktop: RwSignal<bool>,
    kind: &'static str,
}

impl Alerts {
    /// The choices for alerts of `kind` (e.g. `escalations`), restored from this browser after
    /// hydration (so the server's HTML, all off, matches the first render).
    pub fn new(kind: &'static str) -> Alerts {
        let alerts = Alerts {
            sound: RwSignal::new(false),
            desktop: RwSignal::new(false),
            kind,
        };
        #[cfg(feature = "hydrate")]
        request_animation_frame(move || {
            let stored = storage().and_then(|s| s.get_item(&alerts.key()).ok().flatten());
            if let Some(v) = stored {
                alerts.sound.set(v.contains("sound"));
                alerts.desktop.set(v.contains("desktop"));
            }
        });
        alerts
    }

    #[cfg(feature = "hydrate")]
    fn key(&self) -> String {
        format!("intraday.alerts.{}", self.kind)
    }

    fn keep(&self) {
        #[cfg(feature = "hydrate")]
        if let Some(s) = storage() {
            let mut on = Vec::new();
            if self.sound.get_untracked() {
                on.push("sound");
            }
            if self.desktop.get_untracked() {
                on.push("desktop");
            }
            let _ = s.set_item(&self.key(), &on.join(","));
        }
    }

    /// Raises the alert: the chime and the notification the person turned on.
    pub fn raise(&self, title: &str, body: &str) {
        #[cfg(feature = "hydrate")]
        {
            if self.sound.get_untracked() {
                chime();
            }
            if self.desktop.get_untracked() {
                let options = web_sys::NotificationOptions::new();
                options.set_body(body);
                let _ = web_sys::Notification::new_with_options(title, &options);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (title, body);
    }
}

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// Two short tones (880 Hz, then 660 Hz) of about a fifth of a second, quiet enough for an
/// open-plan floor; Web Audio, so no sound file is shipped.
#[cfg(feature = "hydrate")]
fn chime() {
    let Ok(ctx) = web_sys::AudioContext::new() else {
        return;
    };
    let start = ctx.current_time();
    for (i, hz) in [880.0_f32, 660.0].into_iter().enumerate() {
        let (Ok(osc), Ok(gain)) = (ctx.create_oscillator(), ctx.create_gain()) else {
            return;
        };
        let at = start + i as f64 * 0.12;
        osc.frequency().set_value(hz);
        let _ = gain.gain().set_value_at_time(0.15, at);
        let _ = gain
            .gain()
            .exponential_ramp_to_value_at_time(0.001, at + 0.11);
        let _ = osc.connect_with_audio_node(&gain);
        let _ = gain.connect_with_audio_node(&ctx.destination());
        let _ = osc.start_with_when(at);
        let _ = osc.stop_with_when(at + 0.12);
    }
    // The context is closed once the tones ended, so alerts do not pile up contexts.
    gloo_timers::callback::Timeout::new(600, move || {
        let _ = ctx.close();
    })
    .forget();
}

/// The two switches of an alert kind.
#[component]
pub fn AlertSwitches(alerts: Alerts) -> impl IntoView {
    view! {
        <span class="alert-switches">
            <label class="check">
                <input
                    type="checkbox"
                    data-testid=format!("{}-sound", alerts.kind)
                    prop:checked=alerts.sound
                    on:change=move |ev| {
                        alerts.sound.set(event_target_checked(&ev));
                        alerts.keep();
                    }
                />
                {t("alerts.sound")}
            </label>
            <label class="check">
                <input
                    type="checkbox"
                    data-testid=format!("{}-notify", alerts.kind)
                    prop:checked=alerts.desktop
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        alerts.desktop.set(on);
                        alerts.keep();
                        #[cfg(feature = "hydrate")]
                        if on {
                            let _ = web_sys::Notification::request_permission();
                        }
                    }
                />
                {t("alerts.desktop")}
            </label>
        </span>
    }
}
