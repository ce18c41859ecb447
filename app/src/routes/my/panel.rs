//! One of the agent's conversations (`/my/{id}`): the live transcript (a supervisor's whisper
//! marked "only you see this"), the message box, and what the agent can do in the state it is
//! in — accept or decline an offer, wait and resume, end (wrap-up, with its timer) and close
//! with notes, transfer to a colleague or back to the queue, escalate to a supervisor.

use leptos::prelude::*;

use super::MyState;
use crate::components::live_feed::LiveState;
use crate::i18n::{fill, t};
use crate::model::conversation::ConversationStatus;
use crate::model::event::MonitorMode;
use crate::ongoing::action::MAX_TEXT_CHARS;
use crate::ongoing::agent::MAX_NOTE_CHARS;
use crate::ongoing::{AgentAction, OngoingRow};
use crate::routes::ongoing::panel::{Timeline, Transcript};
use crate::server_fns::my::get_my_conversation;
use crate::server_fns::ongoing::ConversationDetail;

/// The panel beside the lists.
#[component]
pub fn MyPanel() -> impl IntoView {
    let state = expect_context::<MyState>();
    let live = expect_context::<LiveState>();
    let params = leptos_router::hooks::use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let detail = Resource::new(
        move || (id.get(), live.version.get()),
        |(id, _)| async move {
            if id.is_empty() {
                Ok(ConversationDetail {
                    id,
                    events: Vec::new(),
                    truncated: false,
                })
            } else {
                get_my_conversation(id).await
            }
        },
    );
    // The live row, while the conversation is the agent's or open in their queues; its head
    // and actions are drawn again only when its state changes (not on each message), so the
    // agent's typing keeps its place.
    let row = Memo::new_with_compare(
        move |_| {
            let id = id.get();
            state
                .work
                .get()
                .and_then(|w| w.ok())
                .and_then(|w| w.mine.into_iter().chain(w.open).find(|r| r.id == id))
        },
        |a, b| {
            let key = |r: Option<&Option<OngoingRow>>| {
                r.and_then(|r| r.as_ref())
                    .map(|r| (r.id.clone(), r.state_token(), r.subject.clone()))
            };
            // `true` when changed.
            key(a) != key(b)
        },
    );
    let drafts = Drafts::default();
    // Another conversation opened in the same panel starts with empty boxes.
    Effect::new(move |_| {
        id.track();
        for draft in [drafts.text, drafts.notes, drafts.note, drafts.colleague] {
            draft.set(String::new());
        }
    });
    view! {
        <aside class="card conv-panel my-panel" aria-labelledby="my-panel-title" data-testid="my-panel">
            <a class="close" href="/my" aria-label=t("ongoing.close_panel")>"×"</a>
            {move || match row.get() {
                Some(r) => view! { <RowHead row=r drafts /> }.into_any(),
                None => view! { <h2 id="my-panel-title">{t("my.conversation")}</h2> }.into_any(),
            }}
            <Transition fallback=|| view! { <p class="skeleton">{t("my.loading")}</p> }>
                <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "my-panel-error")>
                    {move || Suspend::new(async move {
                        detail.await.map(|d| {
                            view! {
                                <Transcript events=d.events.clone() whisper="my.whisper_mark" />
                                <Timeline events=d.events />
                            }
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </aside>
    }
}

/// What the agent is typing in the panel, kept while the panel is open.
#[derive(Clone, Copy, Default)]
struct Drafts {
    text: RwSignal<String>,
    notes: RwSignal<String>,
    note: RwSignal<String>,
    colleague: RwSignal<String>,
}

/// The conversation's facts and the actions its state allows.
#[component]
fn RowHead(row: OngoingRow, drafts: Drafts) -> impl IntoView {
    use ConversationStatus as S;
    let state = expect_context::<MyState>();
    let r = row;
    let token = r.state_token();
    let in_conversation = r.status == S::Active && !r.awaiting_acceptance;
    let since = r.status_since.unwrap_or(r.updated_at).timestamp_millis();
    let clock =
        move || crate::format::duration(Some((state.now.get() - since).max(0) as f64 / 1_000.0));
    let on = |action: AgentAction, id: String, token: String| {
        move |_| state.act(id.clone(), action.clone(), Some(token.clone()))
    };
    let Drafts {
        text,
        notes,
        note,
        colleague,
    } = drafts;
    let id = r.id.clone();
    let send = {
        let (id, token) = (id.clone(), token.clone());
        move || {
            let body = text.get_untracked();
            if body.trim().is_empty() {
                return;
            }
            state.act(
                id.clone(),
                AgentAction::Send { text: body },
                Some(token.clone()),
            );
            text.set(String::new());
        }
    };
    let send_key = send.clone();
    view! {
        <h2 id="my-panel-title" data-testid="my-panel-title"><bdi>{r.customer_name.clone()}</bdi></h2>
        <p class="my-facts">
            <span data-testid="my-panel-status">{t(super::lists::status_key(&r))}</span>
            " · "{r.queue_id.clone()}" · "{r.channel.as_str()}" · "
            <span data-testid="my-panel-clock">{clock}</span>
            {r.subject.clone().map(|s| view! { " · "<bdi>{s}</bdi> })}
            {r.open_escalation.then(|| view! { " · "<span class="badge escalation">{t("my.escalation_open")}</span> })}
        </p>
        {(!r.monitors.is_empty()).then(|| view! {
            <p class="note" data-testid="my-monitors">
                {r.monitors.iter().map(|m| {
                    let key = match m.mode {
                        MonitorMode::Silent => "my.monitored_by",
                        MonitorMode::Joined => "my.joined_by",
                    };
                    view! { <span data-testid="my-monitor" data-mode=match m.mode { MonitorMode::Silent => "silent", MonitorMode::Joined => "joined" }>{fill(t(key), &[&m.supervisor_id])}</span>" " }
                }).collect_view()}
            </p>
        })}
        <div class="actions-box" data-testid="my-actions">
            {(r.status == S::Active && r.awaiting_acceptance).then(|| view! {
                <button type="button" class="primary" data-testid="act-accept" on:click=on(AgentAction::Accept, id.clone(), token.clone())>{t("my.accept")}</button>
                <button type="button" data-testid="act-decline" on:click=on(AgentAction::Decline, id.clone(), token.clone())>{t("my.decline")}</button>
            })}
            {(in_conversation || r.status == S::Waiting).then(|| view! {
                <form class="send" on:submit=move |ev| { ev.prevent_default(); send(); }>
                    <label class="sr-only" for="my-text">{t("my.message")}</label>
                    <textarea id="my-text" data-testid="my-text" maxlength=MAX_TEXT_CHARS rows="3"
                        prop:value=text on:input=move |ev| text.set(event_target_value(&ev))
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                            // Enter sends, Shift+Enter is a new line.
                            if ev.key() == "Enter" && !ev.shift_key() {
                                ev.prevent_default();
                                send_key();
                            }
                        }></textarea>
                    <button type="submit" class="primary" data-testid="act-send">{t("my.send")}</button>
                </form>
            })}
            {in_conversation.then(|| view! {
                <button type="button" data-testid="act-wait" on:click=on(AgentAction::Wait, id.clone(), token.clone())>{t("my.wait")}</button>
                <button type="button" data-testid="act-end" on:click=on(AgentAction::End, id.clone(), token.clone())>{t("my.end")}</button>
            })}
            {(r.status == S::Waiting).then(|| view! {
                <button type="button" data-testid="act-resume" on:click=on(AgentAction::Resume, id.clone(), token.clone())>{t("my.resume")}</button>
            })}
            {(r.status == S::WrapUp).then(|| {
                let (id, token) = (id.clone(), token.clone());
                view! {
                    <p class="note" data-testid="wrap-up-timer">{t("my.wrap_up_for")}" "{clock}</p>
                    <label class="stack">{t("my.notes")}
                        <textarea data-testid="my-notes" maxlength=MAX_NOTE_CHARS rows="3"
                            prop:value=notes on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
                    </label>
                    <button type="button" class="primary" data-testid="act-close" on:click=move |_| {
                        let n = notes.get_untracked();
                        state.act(id.clone(), AgentAction::Close { notes: (!n.trim().is_empty()).then_some(n) }, Some(token.clone()));
                    }>{t("my.close")}</button>
                }
            })}
            {(in_conversation || r.status == S::Waiting).then(|| {
                let (id1, token1) = (id.clone(), token.clone());
                let (id2, token2) = (id.clone(), token.clone());
                let (id3, token3) = (id.clone(), token.clone());
                let queue = r.queue_id.clone();
                let escalated = r.open_escalation;
                view! {
                    <details class="more">
                        <summary>{t("my.transfer")}</summary>
                        <label>{t("my.colleague")}" "
                            <input type="text" data-testid="my-colleague" maxlength="128"
                                prop:value=colleague on:input=move |ev| colleague.set(event_target_value(&ev)) />
                        </label>
                        <button type="button" data-testid="act-transfer-agent" on:click=move |_| {
                            let to = colleague.get_untracked().trim().to_owned();
                            state.act(id1.clone(), AgentAction::Transfer { agent_id: Some(to), queue_id: None }, Some(token1.clone()));
                        }>{t("my.transfer_agent")}</button>
                        <button type="button" data-testid="act-transfer-queue" on:click=move |_| {
                            state.act(id2.clone(), AgentAction::Transfer { agent_id: None, queue_id: Some(queue.clone()) }, Some(token2.clone()));
                        }>{t("my.transfer_queue")}</button>
                    </details>
                    {(!escalated).then(|| view! {
                        <details class="more">
                            <summary>{t("my.escalate")}</summary>
                            <label class="stack">{t("my.escalate_note")}
                                <textarea data-testid="my-escalate-note" maxlength=MAX_NOTE_CHARS rows="2"
                                    prop:value=note on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                            </label>
                            <button type="button" data-testid="act-escalate" on:click=move |_| {
                                let n = note.get_untracked();
                                state.act(id3.clone(), AgentAction::Escalate { note: (!n.trim().is_empty()).then_some(n) }, Some(token3.clone()));
                            }>{t("my.escalate")}</button>
                        </details>
                    })}
                }
            })}
        </div>
    }
}
