//! The settings page's agents' desk card: how long an offer waits for an answer (by default and
//! per queue), which presence a full capacity sets, and whether agents are told that a
//! supervisor listens in silently.

use leptos::prelude::*;

use super::{columns, outcome};
use crate::i18n::t;
use crate::model::desk::{DeskSettings, OFFER_SECONDS_RANGE};
use crate::model::event::Presence;
use crate::server_fns::admin::{AdminDeskSet, AdminOfferQueueSet};

/// The card.
#[component]
pub fn DeskCard(
    desk: DeskSettings,
    all: Vec<String>,
    set: ServerAction<AdminDeskSet>,
    queue: ServerAction<AdminOfferQueueSet>,
) -> impl IntoView {
    let (lo, hi) = OFFER_SECONDS_RANGE;
    let dnd = desk.full_presence == Presence::BusyDnd;
    let own = desk.queue_offer_seconds.clone();
    view! {
        <section class="card settings-card" aria-labelledby="desk-title" data-testid="desk-card">
            <h2 id="desk-title">{t("admin.desk")}</h2>
            <p class="lead">{t("admin.desk_about")}</p>
            <ActionForm action=set attr:class="admin-form">
                <label class="filter">
                    <span>{t("admin.full_presence")}</span>
                    <select name="full_presence" data-testid="desk-full-presence">
                        <option value="busy" selected=!dnd>{t("presence.busy")}</option>
                        <option value="busy_dnd" selected=dnd>{t("presence.busy_dnd")}</option>
                    </select>
                </label>
                <label class="filter">
                    <span>{t("admin.offer_seconds")}</span>
                    <input name="offer_seconds" type="number" min=lo max=hi required class="narrow"
                        value=desk.offer_seconds.to_string() data-testid="desk-offer-seconds" />
                </label>
                <label class="check">
                    <input type="checkbox" name="tell_monitoring" value="true"
                        checked=desk.tell_monitoring data-testid="desk-tell-monitoring" />
                    " "{t("admin.tell_monitoring")}
                </label>
                <button type="submit" data-testid="desk-submit">{t("admin.save")}</button>
                {outcome(set.value())}
            </ActionForm>
            <h3>{t("admin.queue_offer")}</h3>
            <table class="grid" data-testid="offer-queues">
                {columns(&["admin.applies_to", "admin.offer_seconds"], &["admin.offer_seconds"])}
                <tbody>
                    {own
                        .into_iter()
                        .map(|(q, secs)| view! {
                            <tr data-testid=format!("offer-queue-{q}")>
                                <th scope="row">{q.clone()}</th>
                                <td class="num">{format!("{secs} s")}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
            <ActionForm action=queue attr:class="admin-form">
                <label class="filter">
                    <span>{t("admin.queue_id")}</span>
                    <select name="queue_id" required data-testid="offer-queue">
                        {all.into_iter().map(|q| view! { <option value=q.clone()>{q.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="filter">
                    <span>{t("admin.offer_seconds")}</span>
                    <input name="seconds" type="number" min=lo max=hi class="narrow"
                        placeholder=t("admin.use_default") data-testid="offer-queue-seconds" />
                </label>
                <button type="submit" data-testid="offer-queue-submit">{t("admin.save")}</button>
                {outcome(queue.value())}
            </ActionForm>
        </section>
    }
}
