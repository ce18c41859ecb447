//! A conversation's panel beside the grid (`/ongoing/{id}`): its facts and clocks from the live
//! row, its timeline and transcript (fetched again when the row changes), and the actions the
//! admin allows in the state it is in. An action names the state it was taken on, so a change
//! meanwhile refuses it with a reason instead of acting on something the supervisor did not see.

use leptos::prelude::*;

use super::store::{AgentLite, Store};
use super::{Setup, cell_ctx};
use crate::i18n::{fill, t};
use crate::model::conversation::ConversationStatus;
use crate::model::event::{MonitorMode, Presence};
use crate::ongoing::view::{self, Column};
use crate::ongoing::{Action, ActionRequest, OngoingRow};
use crate::server_fns::ongoing::{
    ConversationDetail, EventLine, get_conversation_detail, ongoing_act,
};

/// The open panel's conversation and its events, fetched again when the conversation moves (a
/// message, a monitor, a state). Made by the page, not the panel: on the server the page's own
/// resources decide the answer's status (another queue's conversation is a 404).
#[derive(Clone, Copy)]
pub struct PanelData {
    /// The conversation id from the path (empty: no panel).
    pub id: Memo<String>,
    /// Its events.
    pub detail: Resource<Result<ConversationDetail, crate::error::AppError>>,
}

impl PanelData {
    /// For the page at the current path.
    pub fn new(store: Store) -> PanelData {
        let path = leptos_router::hooks::use_location().pathname;
        let id = Memo::new(move |_| {
            path.with(|p| {
                p.trim_end_matches('/')
                    .rsplit_once("/ongoing/")
                    .map(|(_, id)| {
                        percent_encoding::percent_decode_str(id)
                            .decode_utf8_lossy()
                            .into_owned()
                    })
                    .unwrap_or_default()
            })
        });
        let version = Memo::new(move |_| {
            let id = id.get();
            store.grid.with(|g| {
                g.rows.get(&id).map(|r| {
                    (
                        r.updated_at.timestamp_millis(),
                        r.monitors.len(),
                        r.state_token(),
                    )
                })
            })
        });
        let detail = Resource::new(
            move || (id.get(), version.get()),
            |(id, _)| async move {
                if id.is_empty() {
                    Ok(ConversationDetail {
                        id,
                        events: Vec::new(),
                        truncated: false,
                    })
                } else {
                    get_conversation_detail(id).await
                }
            },
        );
        PanelData { id, detail }
    }
}

/// Sends an action; `message` says how it went, in the page's language.
pub fn send(id: String, request: ActionRequest, message: RwSignal<Option<String>>) {
    let locale = crate::i18n::use_locale();
    message.set(None);
    leptos::task::spawn_local(async move {
        let text = match ongoing_act(id, request).await {
            Ok(o) if o.over_capacity => crate::i18n::tr(locale, "ongoing.done_over").to_owned(),
            Ok(_) => crate::i18n::tr(locale, "ongoing.done").to_owned(),
            Err(e) => e.text_in(locale),
        };
        message.set(Some(text));
    });
}

/// The panel.
#[component]
pub fn ConversationPanel() -> impl IntoView {
    let store = expect_context::<Store>();
    let setup = expect_context::<Setup>();
    let PanelData { id, detail } = expect_context::<PanelData>();
    let row = Memo::new(move |_| store.grid.with(|g| g.rows.get(&id.get()).cloned()));
    // Outlives the actions' box, which is drawn again when the row changes (as the action
    // itself makes it do): the outcome stays said.
    let message = RwSignal::new(None::<String>);
    let search = leptos_router::hooks::use_location().search;
    let close = move || {
        format!(
            "{}/ongoing{}",
            crate::routes::base(),
            search.get().pipe_query()
        )
    };
    let facts = {
        let setup = setup.clone();
        move || {
            let now = store.now.get();
            row.get().map(|r| {
                store.grid.with(|g| {
                    let ctx = cell_ctx(g, &setup, now);
                    let tz = chrono_tz::UTC;
                    let cell = |c: Column| view::cell_text(&r, c, &ctx, tz);
                    view! {
                        <dl class="facts">
                            <dt>{t("ongoing.col_status")}</dt>
                            <dd><span class=format!("badge status-{}", view::status_name(&r)) data-testid="panel-status">{t(view::status_key(view::status_name(&r)))}</span></dd>
                            <dt>{t("ongoing.col_queue")}</dt><dd>{r.queue_id.clone()}</dd>
                            <dt>{t("ongoing.col_agent")}</dt><dd>{cell(Column::Agent)}</dd>
                            <dt>{t("ongoing.col_channel")}</dt><dd>{cell(Column::Channel)}</dd>
                            <dt>{t("ongoing.col_subject")}</dt><dd class="text">{cell(Column::Subject)}</dd>
                            <dt>{t("ongoing.col_in_status")}</dt><dd class="num">{cell(Column::InStatus)}</dd>
                            <dt>{t("ongoing.col_wait")}</dt><dd class="num">{cell(Column::Wait)}</dd>
                            <dt>{t("ongoing.col_breach")}</dt><dd class="num" data-testid="panel-breach">{cell(Column::Breach)}</dd>
                            <dt>{t("ongoing.col_handle")}</dt><dd class="num">{cell(Column::Handle)}</dd>
                            <dt>{t("ongoing.col_sentiment")}</dt><dd class="num">{cell(Column::Sentiment)}</dd>
                            <dt>{t("ongoing.col_monitors")}</dt><dd data-testid="panel-monitors">{cell(Column::Monitors)}</dd>
                            <dt>{t("ongoing.col_id")}</dt><dd class="text">{r.id.clone()}</dd>
                        </dl>
                    }
                    .into_any()
                })
            })
        }
    };
    view! {
        <section class="conv-panel card" data-testid="panel" aria-labelledby="panel-title">
            <header class="panel-head">
                <h2 id="panel-title" data-testid="panel-title">
                    <bdi>{move || row.get().map(|r| r.customer_name).unwrap_or_else(|| id.get())}</bdi>
                </h2>
                <a href=close class="button" data-testid="panel-close">{t("ongoing.close_panel")}</a>
            </header>
            {move || {
                if store.grid.with(|g| g.loaded) && row.with(Option::is_none) {
                    Some(view! { <p class="empty" data-testid="panel-gone">{t("ongoing.gone")}</p> })
                } else {
                    None
                }
            }}
            {facts}
            {move || row.get().map(|r| view! { <ActionsBox row=r setup=setup.clone() message /> }.into_any())}
            <PanelEvents detail />
        </section>
    }
    .into_any()
}

/// The panel's timeline and transcript, once fetched.
#[component]
fn PanelEvents(
    detail: Resource<
        Result<crate::server_fns::ongoing::ConversationDetail, crate::error::AppError>,
    >,
) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p class="skeleton">{t("ongoing.loading")}</p> }>
            <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "panel-error")>
                {move || Suspend::new(async move {
                    detail.await.map(|d| view! {
                        {d.truncated.then(|| view! { <p class="hint">{t("ongoing.truncated")}</p> })}
                        <Sentiments events=d.events.clone() />
                        <Timeline events=d.events.clone() />
                        <Transcript events=d.events />
                    }.into_any())
                })}
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}

/// `?a=b` kept as is, nothing when empty.
trait PipeQuery {
    fn pipe_query(self) -> String;
}

impl PipeQuery for String {
    fn pipe_query(self) -> String {
        if self.is_empty() || self == "?" {
            String::new()
        } else if self.starts_with('?') {
            self
        } else {
            format!("?{self}")
        }
    }
}

pub(crate) fn time_of(at: &str) -> String {
    crate::server_fns::ongoing::line_time(at)
        .map(|t| crate::format::clock_ms(t.timestamp_millis(), chrono_tz::UTC))
        .unwrap_or_default()
}

/// The customer's sentiment over time: one mark per customer message that carried one.
#[component]
fn Sentiments(events: Vec<EventLine>) -> impl IntoView {
    let marks: Vec<(String, i8)> = events
        .iter()
        .filter(|e| e.kind == "message" && e.from.as_deref() == Some("customer"))
        .filter_map(|e| e.sentiment.map(|s| (time_of(&e.at), s)))
        .collect();
    (!marks.is_empty()).then(|| {
        view! {
            <div class="sentiment-strip" aria-label=t("ongoing.col_sentiment") data-testid="sentiment-strip">
                {marks
                    .into_iter()
                    .map(|(at, s)| {
                        let level = if s <= -2 { "bad" } else if s < 0 { "warn" } else if s > 0 { "ok" } else { "" };
                        view! { <span class=format!("mark {level}") title=format!("{at}: {s}")>{s.to_string()}</span> }
                    })
                    .collect_view()}
            </div>
        }
    })
}

/// What happened to it, apart from messages.
#[component]
pub(crate) fn Timeline(events: Vec<EventLine>) -> impl IntoView {
    let items = events
        .into_iter()
        .filter(|e| e.kind != "message")
        .map(|e| {
            let mut words = vec![e.kind.replace('_', " ")];
            for part in [
                &e.agent_id,
                &e.to_agent_id,
                &e.to_queue_id,
                &e.supervisor_id,
                &e.detail,
            ]
            .into_iter()
            .flatten()
            {
                words.push(part.clone());
            }
            if let Some(by) = &e.by {
                words.push(fill(t("ongoing.by"), &[by]));
            }
            view! {
                <li>
                    <time>{time_of(&e.at)}</time>" "{words.join(" · ")}
                    {e.text.map(|n| view! { <p class="note">{n}</p> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <h3>{t("ongoing.timeline")}</h3>
        <ol class="conv-timeline" data-testid="timeline">{items}</ol>
    }
}

/// The messages, a whisper marked as such (`whisper`: the mark's text key; an agent reads
/// "only you see this").
#[component]
pub(crate) fn Transcript(
    events: Vec<EventLine>,
    #[prop(optional)] whisper: Option<&'static str>,
) -> impl IntoView {
    let whisper = whisper.unwrap_or("ongoing.whisper_mark");
    let messages: Vec<EventLine> = events.into_iter().filter(|e| e.kind == "message").collect();
    let empty = messages.is_empty();
    view! {
        <h3>{t("ongoing.transcript")}</h3>
        {empty.then(|| view! { <p class="empty">{t("ongoing.no_messages")}</p> })}
        <ol class="transcript" data-testid="transcript">
            {messages
                .into_iter()
                .map(|m| {
                    let from = m.from.clone().unwrap_or_default();
                    let who = m.supervisor_id.clone().or(m.agent_id.clone()).map(|w| format!(" ({w})")).unwrap_or_default();
                    view! {
                        <li class=format!("msg from-{from}") class:whisper=m.agents_only data-testid="message">
                            <span class="meta"><time>{time_of(&m.at)}</time>" "{from.clone()}{who}</span>
                            {m.agents_only.then(|| view! { <span class="badge whisper" data-testid="whisper-mark">{t(whisper)}</span> })}
                            <p class="text">{m.text.clone().unwrap_or_default()}</p>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// The actions allowed on the row as it is; `message` says how the last one went.
#[component]
fn ActionsBox(row: OngoingRow, setup: Setup, message: RwSignal<Option<String>>) -> impl IntoView {
    use ConversationStatus as S;
    let store = expect_context::<Store>();
    let sw = setup.switches;
    let me = setup.login.clone();
    let monitoring = row.monitored_by(&me);
    let joined = row
        .monitors
        .iter()
        .any(|m| m.supervisor_id == me && m.mode == MonitorMode::Joined);
    let with_agent = row.agent_id.is_some();
    let state = row.state_token();
    let id = row.id.clone();
    let act = {
        let id = id.clone();
        let state = state.clone();
        move |action: Action| {
            send(
                id.clone(),
                ActionRequest {
                    action,
                    expected_state: Some(state.clone()),
                },
                message,
            );
        }
    };
    let button = |key: &'static str, testid: &'static str, action: Action| {
        let act = act.clone();
        view! { <button type="button" data-testid=testid on:click=move |_| act(action.clone())>{t(key)}</button> }
    };
    let mut buttons = Vec::new();
    if monitoring {
        buttons.push(
            button(
                "ongoing.act_stop_monitoring",
                "act-stop-monitoring",
                Action::StopMonitoring,
            )
            .into_any(),
        );
    } else if sw.monitor {
        buttons.push(button("ongoing.act_monitor", "act-monitor", Action::Monitor).into_any());
    }
    if sw.join && !joined && with_agent && matches!(row.status, S::Active | S::Waiting) {
        buttons.push(button("ongoing.act_join", "act-join", Action::Join).into_any());
    }
    if row.open_escalation {
        buttons.push(
            button(
                "ongoing.act_resolve",
                "act-resolve",
                Action::ResolveEscalation,
            )
            .into_any(),
        );
    }
    let text_form = |key: &'static str, testid: &'static str, make: fn(String) -> Action| {
        let act = act.clone();
        let text = RwSignal::new(String::new());
        view! {
            <form class="act-text" on:submit=move |ev| {
                ev.prevent_default();
                act(make(text.get_untracked()));
                text.set(String::new());
            }>
                <label>
                    <span class="sr-only">{t(key)}</span>
                    <textarea rows="2" maxlength="4000" data-testid=format!("{testid}-text") prop:value=text
                        on:input=move |ev| text.set(event_target_value(&ev)) />
                </label>
                <button type="submit" data-testid=testid>{t(key)}</button>
            </form>
        }
    };
    let whisper =
        (sw.whisper && with_agent && matches!(row.status, S::Active | S::Waiting | S::WrapUp))
            .then(|| {
                text_form("ongoing.act_whisper", "act-whisper", |text| {
                    Action::Whisper { text }
                })
            });
    let write = joined.then(|| {
        text_form("ongoing.act_message", "act-message", |text| {
            Action::Message { text }
        })
    });
    let agents: Vec<AgentLite> = store.grid.with_untracked(|g| {
        let mut a: Vec<AgentLite> = g
            .agents
            .values()
            .filter(|a| a.queues.contains(&row.queue_id) && Some(&a.id) != row.agent_id.as_ref())
            .cloned()
            .collect();
        a.sort_by(|x, y| x.name.cmp(&y.name));
        a
    });
    let cost = i64::from(row.channel.cost());
    let assign = (sw.assign && row.status == S::Open).then(|| {
        agent_picker(
            agents.clone(),
            row.skills.clone(),
            cost,
            "act-assign",
            act.clone(),
            |agent_id| Action::Assign { agent_id },
        )
    });
    let transfer_ok = sw.transfer && with_agent && matches!(row.status, S::Active | S::Waiting);
    let transfer = transfer_ok.then(|| {
        let queues: Vec<(String, String)> = setup
            .queues
            .iter()
            .filter(|q| q.id != row.queue_id)
            .map(|q| (q.id.clone(), q.name.clone()))
            .collect();
        let act_q = act.clone();
        let queue = RwSignal::new(String::new());
        view! {
            {agent_picker(agents.clone(), row.skills.clone(), cost, "act-transfer", act.clone(), |agent_id| Action::Transfer { agent_id: Some(agent_id), queue_id: None })}
            <form class="act-pick" on:submit=move |ev| {
                ev.prevent_default();
                let q = queue.get_untracked();
                if !q.is_empty() {
                    act_q(Action::Transfer { agent_id: None, queue_id: Some(q) });
                }
            }>
                <label>
                    <span>{t("ongoing.to_queue")}</span>
                    <select data-testid="act-transfer-queue-select" on:change=move |ev| queue.set(event_target_value(&ev))>
                        <option value="">{t("ongoing.choose")}</option>
                        {queues.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit" data-testid="act-transfer-queue">{t("ongoing.act_transfer")}</button>
            </form>
        }
    });
    let close = sw.force_close.then(|| {
        let confirming = RwSignal::new(false);
        let reason = RwSignal::new(String::new());
        let act = act.clone();
        let question = fill(t("ongoing.confirm_close"), &[&row.id, &row.customer_name]);
        view! {
            <button type="button" class="danger" data-testid="act-force-close" on:click=move |_| confirming.set(true)>
                {t("ongoing.act_force_close")}
            </button>
            <Show when=move || confirming.get()>
                <div class="confirm" role="alertdialog" aria-labelledby="confirm-close" data-testid="confirm-close">
                    <p id="confirm-close">{question.clone()}</p>
                    <label>
                        <span>{t("ongoing.reason")}</span>
                        <textarea rows="2" maxlength="500" data-testid="close-reason" prop:value=reason
                            on:input=move |ev| reason.set(event_target_value(&ev)) />
                    </label>
                    <button type="button" class="danger" data-testid="confirm-close-yes" on:click={
                        let act = act.clone();
                        move |_| {
                            act(Action::ForceClose { reason: reason.get_untracked() });
                            confirming.set(false);
                        }
                    }>{t("ongoing.act_force_close")}</button>
                    <button type="button" data-testid="confirm-close-no" on:click=move |_| confirming.set(false)>{t("ongoing.close_panel")}</button>
                </div>
            </Show>
        }
    });
    view! {
        <section class="actions" aria-label=t("ongoing.actions") data-testid="actions">
            <h3>{t("ongoing.actions")}</h3>
            <div class="act-buttons">{buttons}</div>
            {whisper}
            {write}
            {assign}
            {transfer}
            {close}
            <p class="action-message" role="status" aria-live="polite" data-testid="action-message">{move || message.get()}</p>
        </section>
    }
    .into_any()
}

/// An agent select of the conversation's queue (presence, free capacity, skills) and its
/// button; an offline agent cannot be chosen, one without free capacity asks first.
fn agent_picker(
    agents: Vec<AgentLite>,
    skills: Vec<String>,
    cost: i64,
    testid: &'static str,
    act: impl Fn(Action) + Clone + Send + Sync + 'static,
    make: fn(String) -> Action,
) -> impl IntoView {
    let chosen = RwSignal::new(String::new());
    let warn = RwSignal::new(false);
    let free: std::collections::HashMap<String, i64> = agents
        .iter()
        .map(|a| (a.id.clone(), a.capacity_free))
        .collect();
    let options = agents
        .into_iter()
        .map(|a| {
            let matches = skills.iter().all(|s| a.skills.contains(s));
            let presence = presence_key(a.presence);
            let label = format!(
                "{}{}",
                fill(t("ongoing.agent_option"), &[&a.name, &t(presence), &a.capacity_free]),
                if matches && !skills.is_empty() { " · ✓" } else { "" }
            );
            view! { <option value=a.id.clone() disabled=a.presence == Presence::Offline>{label}</option> }
        })
        .collect_view();
    let submit = {
        let act = act.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let id = chosen.get_untracked();
            if id.is_empty() {
                return;
            }
            if free.get(&id).is_some_and(|f| *f < cost) && !warn.get_untracked() {
                warn.set(true);
                return;
            }
            warn.set(false);
            act(make(id));
        }
    };
    let key = if testid == "act-assign" {
        "ongoing.act_assign"
    } else {
        "ongoing.act_transfer"
    };
    view! {
        <form class="act-pick" on:submit=submit>
            <label>
                <span>{t("ongoing.to_agent")}</span>
                <select data-testid=format!("{testid}-select") on:change=move |ev| { chosen.set(event_target_value(&ev)); warn.set(false); }>
                    <option value="">{t("ongoing.choose")}</option>
                    {options}
                </select>
            </label>
            <button type="submit" data-testid=testid>{t(key)}</button>
            <Show when=move || warn.get()>
                <p class="warn" role="alert" data-testid=format!("{testid}-warn")>{t("ongoing.over_capacity_warn")}</p>
            </Show>
        </form>
    }
}

fn presence_key(p: Presence) -> &'static str {
    match p {
        Presence::Available => "presence.available",
        Presence::Busy => "presence.busy",
        Presence::BusyDnd => "presence.busy_dnd",
        Presence::Away => "presence.away",
        Presence::Offline => "presence.offline",
    }
}
