//! The dashboard's lists: offers waiting for an answer, the agent's own work, the open
//! conversations of their queues to take, and what they closed today — each with its count in
//! the heading, sortable and filtered by channel and queue.

use leptos::prelude::*;

use super::MyState;
use crate::i18n::{fill, t};
use crate::model::conversation::ConversationStatus;
use crate::ongoing::row::status_word;
use crate::ongoing::{AgentAction, OngoingRow};
use crate::server_fns::my::{ClosedItem, MyWork};

/// Offers awaiting the agent's answer, with a countdown.
#[component]
pub fn Offers(work: MyWork) -> impl IntoView {
    let state = expect_context::<MyState>();
    let offers: Vec<OngoingRow> = work
        .mine
        .iter()
        .filter(|r| r.status == ConversationStatus::Active && r.awaiting_acceptance)
        .cloned()
        .collect();
    (!offers.is_empty()).then(|| {
        let n = offers.len();
        view! {
            <section class="card offers" aria-labelledby="offers-title" data-testid="my-offers">
                <h2 id="offers-title">{t("my.offers")}" "<span class="badge count">{n}</span></h2>
                <ul class="offer-list">
                    {offers
                        .into_iter()
                        .map(|r| {
                            let since = r.status_since.unwrap_or(r.updated_at).timestamp_millis();
                            let seconds = i64::from(work.offer_seconds_for(&r.queue_id));
                            let left = move || (seconds - (state.now.get() - since) / 1_000).max(0);
                            let (accept_id, decline_id) = (r.id.clone(), r.id.clone());
                            let (t1, t2) = (r.state_token(), r.state_token());
                            view! {
                                <li data-testid="my-offer" data-id=r.id.clone()>
                                    <a href=format!("/my/{}", crate::url::encode(&r.id))><bdi>{r.customer_name.clone()}</bdi></a>
                                    " · "{r.queue_id.clone()}" · "{r.channel.as_str()}
                                    " · "<span class="countdown" data-testid="offer-countdown">{move || fill(t("my.offer_left"), &[&left()])}</span>
                                    <button type="button" class="primary" data-testid="offer-accept"
                                        on:click=move |_| state.act(accept_id.clone(), AgentAction::Accept, Some(t1.clone()))>
                                        {t("my.accept")}
                                    </button>
                                    <button type="button" data-testid="offer-decline"
                                        on:click=move |_| state.act(decline_id.clone(), AgentAction::Decline, Some(t2.clone()))>
                                        {t("my.decline")}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}

/// How a list is ordered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    LastChange,
    Customer,
    Queue,
    Created,
    Transfers,
}

impl Sort {
    const ALL: [(Sort, &'static str, &'static str); 5] = [
        (Sort::LastChange, "last_change", "my.sort_last_change"),
        (Sort::Customer, "customer", "my.sort_customer"),
        (Sort::Queue, "queue", "my.sort_queue"),
        (Sort::Created, "created", "my.sort_created"),
        (Sort::Transfers, "transfers", "my.sort_transfers"),
    ];

    fn apply(self, rows: &mut [OngoingRow]) {
        match self {
            Sort::LastChange => rows.sort_by_key(|r| std::cmp::Reverse(r.updated_at)),
            Sort::Customer => rows.sort_by_key(|r| r.customer_name.to_lowercase()),
            Sort::Queue => rows.sort_by(|a, b| a.queue_id.cmp(&b.queue_id)),
            Sort::Created => rows.sort_by_key(|r| r.created_at),
            Sort::Transfers => rows.sort_by_key(|r| std::cmp::Reverse(r.transfers)),
        }
    }
}

/// The list's own sort and filters.
#[derive(Clone, Copy)]
struct ListView {
    sort: RwSignal<Sort>,
    channel: RwSignal<String>,
    queue: RwSignal<String>,
}

impl ListView {
    fn new(sort: Sort) -> ListView {
        ListView {
            sort: RwSignal::new(sort),
            channel: RwSignal::new(String::new()),
            queue: RwSignal::new(String::new()),
        }
    }

    fn pass(&self, r: &OngoingRow) -> bool {
        let channel = self.channel.get();
        let queue = self.queue.get();
        (channel.is_empty() || r.channel.as_str() == channel)
            && (queue.is_empty() || r.queue_id == queue)
    }

    fn rows(&self, rows: &[OngoingRow]) -> Vec<OngoingRow> {
        let mut out: Vec<OngoingRow> = rows.iter().filter(|r| self.pass(r)).cloned().collect();
        self.sort.get().apply(&mut out);
        out
    }
}

/// Sort and filter choices above a list.
fn controls(
    view_: ListView,
    queues: Vec<crate::server_fns::ongoing::QueueInfo>,
    name: &'static str,
) -> impl IntoView {
    view! {
        <div class="list-controls">
            <label>
                {t("my.sort")}" "
                <select data-testid=format!("{name}-sort") on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some((s, _, _)) = Sort::ALL.iter().find(|(_, n, _)| *n == v) {
                        view_.sort.set(*s);
                    }
                }>
                    {Sort::ALL
                        .into_iter()
                        .map(|(s, n, key)| view! { <option value=n selected=move || view_.sort.get() == s>{t(key)}</option> })
                        .collect_view()}
                </select>
            </label>
            <label>
                {t("filters.channel")}" "
                <select data-testid=format!("{name}-channel") on:change=move |ev| view_.channel.set(event_target_value(&ev))>
                    <option value="">{t("filters.any")}</option>
                    {[
                        ("chat", "channel.chat"),
                        ("voice", "channel.voice"),
                        ("email", "channel.email"),
                        ("sms", "channel.sms"),
                        ("social", "channel.social"),
                        ("messaging", "channel.messaging"),
                    ]
                        .into_iter()
                        .map(|(c, key)| view! { <option value=c>{t(key)}</option> })
                        .collect_view()}
                </select>
            </label>
            <label>
                {t("filters.queue")}" "
                <select data-testid=format!("{name}-queue") on:change=move |ev| view_.queue.set(event_target_value(&ev))>
                    <option value="">{t("filters.any")}</option>
                    {queues
                        .into_iter()
                        .map(|q| view! { <option value=q.id.clone()>{q.name}</option> })
                        .collect_view()}
                </select>
            </label>
        </div>
    }
}

pub(crate) fn status_key(r: &OngoingRow) -> &'static str {
    match status_word(r.status, r.awaiting_acceptance) {
        "offered" => "ongoing.status_offered",
        "active" => "ongoing.status_active",
        "waiting" => "ongoing.status_waiting",
        "wrap_up" => "ongoing.status_wrap_up",
        _ => "ongoing.status_open",
    }
}

/// Seconds from `since` to now.
fn age(now: i64, since: chrono::DateTime<chrono::Utc>) -> Option<f64> {
    Some((now - since.timestamp_millis()).max(0) as f64 / 1_000.0)
}

/// The agent's own active, waiting and wrap-up conversations.
#[component]
pub fn MyItems(work: MyWork) -> impl IntoView {
    let state = expect_context::<MyState>();
    let list = ListView::new(Sort::LastChange);
    let all = work.mine.clone();
    let rows = move || list.rows(&all);
    let total = work.mine.len();
    view! {
        <section class="card my-items" aria-labelledby="mine-title" data-testid="my-items">
            <h2 id="mine-title">{t("my.mine")}" "<span class="badge count" data-testid="my-items-count">{total}</span></h2>
            {controls(list, work.queues.clone(), "mine")}
            <table class="grid compact">
                <thead><tr>
                    <th scope="col">{t("ongoing.col_customer")}</th>
                    <th scope="col">{t("ongoing.col_status")}</th>
                    <th scope="col">{t("ongoing.col_queue")}</th>
                    <th scope="col">{t("ongoing.col_channel")}</th>
                    <th scope="col">{t("ongoing.col_in_status")}</th>
                    <th scope="col">{t("ongoing.col_transfers")}</th>
                </tr></thead>
                <tbody>
                    {move || {
                        let now = state.now.get();
                        rows()
                            .into_iter()
                            .map(|r| {
                                let since = r.status_since.unwrap_or(r.updated_at);
                                view! {
                                    <tr data-testid="my-item" data-id=r.id.clone()>
                                        <td class="text">
                                            <a href=format!("/my/{}", crate::url::encode(&r.id))><bdi>{r.customer_name.clone()}</bdi></a>
                                            {r.open_escalation.then(|| view! { <span class="badge escalation">{t("ongoing.reason_escalated")}</span> })}
                                        </td>
                                        <td data-col="status">{t(status_key(&r))}</td>
                                        <td>{r.queue_id.clone()}</td>
                                        <td>{r.channel.as_str()}</td>
                                        <td class="num">{crate::format::duration(age(now, since))}</td>
                                        <td class="num">{r.transfers}</td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
            {(total == 0).then(|| view! { <p class="empty">{t("my.mine_none")}</p> })}
        </section>
    }
}

/// Open conversations of the agent's queues, to take.
#[component]
pub fn OpenItems(work: MyWork) -> impl IntoView {
    let state = expect_context::<MyState>();
    let list = ListView::new(Sort::Created);
    let all = work.open.clone();
    let rows = move || list.rows(&all);
    let total = work.open_total;
    let shown = work.open.len();
    view! {
        <section class="card open-items" aria-labelledby="open-title" data-testid="open-items">
            <h2 id="open-title">{t("my.open")}" "<span class="badge count" data-testid="open-items-count">{total}</span></h2>
            {controls(list, work.queues.clone(), "open")}
            {(shown < total).then(|| view! { <p class="note">{fill(t("my.open_more"), &[&shown, &total])}</p> })}
            <table class="grid compact">
                <thead><tr>
                    <th scope="col">{t("ongoing.col_customer")}</th>
                    <th scope="col">{t("ongoing.col_queue")}</th>
                    <th scope="col">{t("ongoing.col_channel")}</th>
                    <th scope="col">{t("ongoing.col_wait")}</th>
                    <th scope="col"><span class="sr-only">{t("my.take")}</span></th>
                </tr></thead>
                <tbody>
                    {move || {
                        let now = state.now.get();
                        rows()
                            .into_iter()
                            .map(|r| {
                                let since = r.entered_queue_at.unwrap_or(r.created_at);
                                let (id, token) = (r.id.clone(), r.state_token());
                                view! {
                                    <tr data-testid="open-item" data-id=r.id.clone()>
                                        <td class="text"><bdi>{r.customer_name.clone()}</bdi></td>
                                        <td>{r.queue_id.clone()}</td>
                                        <td>{r.channel.as_str()}</td>
                                        <td class="num">{crate::format::duration(age(now, since))}</td>
                                        <td>
                                            <button type="button" class="small" data-testid="take"
                                                on:click=move |_| state.act(id.clone(), AgentAction::Take, Some(token.clone()))>
                                                {t("my.take")}
                                            </button>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
            {(total == 0).then(|| view! { <p class="empty">{t("my.open_none")}</p> })}
        </section>
    }
}

/// What the agent closed today (read-only).
#[component]
pub fn ClosedToday(work: MyWork) -> impl IntoView {
    let items: Vec<ClosedItem> = work.closed_today;
    let n = items.len();
    view! {
        <section class="card closed-today" aria-labelledby="closed-title" data-testid="closed-today">
            <h2 id="closed-title">{t("my.closed")}" "<span class="badge count" data-testid="closed-count">{n}</span></h2>
            {(n == 0).then(|| view! { <p class="empty">{t("my.closed_none")}</p> })}
            <ul class="closed-list">
                {items
                    .into_iter()
                    .map(|c| {
                        view! {
                            <li data-testid="closed-item" data-id=c.id.clone()>
                                <a href=format!("/my/{}", crate::url::encode(&c.id))><bdi>{c.customer_name.clone()}</bdi></a>
                                " · "{c.queue_id.clone()}" · "{c.channel.clone()}" · "
                                {crate::format::clock(&c.closed_at, chrono_tz::UTC)}" · "{c.reason.clone()}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
