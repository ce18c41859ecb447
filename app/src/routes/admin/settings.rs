//! `/admin/settings`: enabled supervisor actions, alert thresholds (default and per queue), the
//! agents' desk, the stuck time, retention days and the origins allowed to embed Intraday.

use super::columns;
use leptos::prelude::*;

use super::outcome;
use crate::i18n::t;
use crate::model::admin::{AdminSettings, SupervisorAction, Thresholds};
use crate::server_fns::admin::{
    AdminActionsSet, AdminDeskSet, AdminOfferQueueSet, AdminOriginsSet, AdminRetentionSet,
    AdminStuckSet, AdminThresholdsClear, AdminThresholdsSet, admin_queues, get_admin_settings,
};

fn action_key(a: SupervisorAction) -> &'static str {
    match a {
        SupervisorAction::Monitor => "admin.action_monitor",
        SupervisorAction::Join => "admin.action_join",
        SupervisorAction::Assign => "admin.action_assign",
        SupervisorAction::Transfer => "admin.action_transfer",
        SupervisorAction::ForceClose => "admin.action_force_close",
        SupervisorAction::Whisper => "admin.action_whisper",
    }
}

/// The settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let actions = ServerAction::<AdminActionsSet>::new();
    let thresholds = ServerAction::<AdminThresholdsSet>::new();
    let clear = ServerAction::<AdminThresholdsClear>::new();
    let retention = ServerAction::<AdminRetentionSet>::new();
    let origins = ServerAction::<AdminOriginsSet>::new();
    let stuck = ServerAction::<AdminStuckSet>::new();
    let desk = ServerAction::<AdminDeskSet>::new();
    let offer_queue = ServerAction::<AdminOfferQueueSet>::new();
    let settings = Resource::new(
        move || {
            (
                actions.version().get(),
                thresholds.version().get(),
                clear.version().get(),
                retention.version().get(),
                origins.version().get(),
                stuck.version().get(),
                desk.version().get(),
                offer_queue.version().get(),
            )
        },
        |_| get_admin_settings(),
    );
    let queues = Resource::new(|| (), |_| admin_queues());
    view! {
        <h1 class="admin-title">{t("admin.settings")}</h1>
        <Transition fallback=|| view! { <p class="skeleton">{t("admin.loading")}</p> }>
            <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "admin-error")>
                {move || Suspend::new(async move {
                    let all: Vec<String> = queues.await?.into_iter().map(|q| q.queue_id).collect();
                    let s = settings.await?;
                    Ok::<_, crate::error::AppError>(view! {
                        <ActionsCard s=s.clone() actions />
                        <ThresholdsCard s=s.clone() all=all.clone() thresholds clear />
                        <super::desk::DeskCard desk=s.desk.clone() all set=desk queue=offer_queue />
                        <StuckCard s=s.clone() stuck />
                        <RetentionCard s=s.clone() retention />
                        <OriginsCard s origins />
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn ActionsCard(s: AdminSettings, actions: ServerAction<AdminActionsSet>) -> impl IntoView {
    view! {
        <section class="card settings-card" aria-labelledby="actions-title">
            <h2 id="actions-title">{t("admin.supervisor_actions")}</h2>
            <p class="lead">{t("admin.supervisor_actions_about")}</p>
            <ActionForm action=actions attr:class="admin-form">
                <fieldset class="checks">
                    <legend>{t("admin.enabled")}</legend>
                    {SupervisorAction::ALL
                        .into_iter()
                        .map(|a| view! {
                            <label class="check">
                                <input type="checkbox" name=a.as_str() value="true" checked=s.actions.allows(a)
                                    data-testid=format!("action-{}", a.as_str()) />
                                {t(action_key(a))}
                            </label>
                        })
                        .collect_view()}
                </fieldset>
                <button type="submit" data-testid="actions-submit">{t("admin.save")}</button>
                {outcome(actions.value())}
            </ActionForm>
        </section>
    }
}

fn pct(v: f64) -> String {
    let s = format!("{v:.1}");
    s.trim_end_matches(".0").to_owned()
}

fn thresholds_cells(th: Thresholds) -> impl IntoView {
    view! {
        <td class="num">{format!("{} %", pct(th.service_level_target_pct))}</td>
        <td class="num">{format!("{} s", pct(th.longest_wait_seconds))}</td>
        <td class="num">{format!("{} %", pct(th.abandon_rate_pct))}</td>
        <td class="num">{th.sentiment}</td>
    }
}

#[component]
fn ThresholdsCard(
    s: AdminSettings,
    all: Vec<String>,
    thresholds: ServerAction<AdminThresholdsSet>,
    clear: ServerAction<AdminThresholdsClear>,
) -> impl IntoView {
    let d = s.thresholds.default;
    let own = s.thresholds.queues.clone();
    view! {
        <section class="card settings-card" aria-labelledby="thresholds-title">
            <h2 id="thresholds-title">{t("admin.thresholds")}</h2>
            <p class="lead">{t("admin.thresholds_about")}</p>
            <table class="grid" data-testid="thresholds-table">
                {columns(&["admin.applies_to", "admin.sl_target", "admin.longest_wait", "admin.abandon_rate", "admin.sentiment", "admin.actions"], &["admin.sl_target", "admin.longest_wait", "admin.abandon_rate", "admin.sentiment"])}
                <tbody>
                    <tr data-testid="thresholds-default">
                        <th scope="row">{t("admin.default")}</th>
                        {thresholds_cells(d)}
                        <td></td>
                    </tr>
                    {own
                        .into_iter()
                        .map(|(q, th)| {
                            let (row_id, clear_id, value) =
                                (format!("thresholds-{q}"), format!("thresholds-clear-{q}"), q.clone());
                            view! {
                            <tr data-testid=row_id>
                                <th scope="row">{q.clone()}</th>
                                {thresholds_cells(th)}
                                <td>
                                    <ActionForm action=clear attr:class="inline-form">
                                        <input type="hidden" name="queue_id" value=value />
                                        <button type="submit" class="link" data-testid=clear_id>
                                            {t("admin.use_default")}
                                        </button>
                                    </ActionForm>
                                </td>
                            </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            {outcome(clear.value())}
            <h3>{t("admin.set_thresholds")}</h3>
            <ActionForm action=thresholds attr:class="admin-form">
                <label class="filter">
                    <span>{t("admin.applies_to")}</span>
                    <select name="queue_id" data-testid="thresholds-queue">
                        <option value="">{t("admin.default")}</option>
                        {all.iter().map(|q| view! { <option value=q.clone()>{q.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="filter">
                    <span>{t("admin.sl_target")} " (%)"</span>
                    <input name="service_level_target" type="number" step="0.1" min="0" max="100" required class="narrow"
                        value=pct(d.service_level_target_pct) data-testid="thresholds-sl" />
                </label>
                <label class="filter">
                    <span>{t("admin.longest_wait")} " (s)"</span>
                    <input name="longest_wait" type="number" min="1" max="86400" required class="narrow"
                        value=pct(d.longest_wait_seconds) data-testid="thresholds-wait" />
                </label>
                <label class="filter">
                    <span>{t("admin.abandon_rate")} " (%)"</span>
                    <input name="abandon_rate" type="number" step="0.1" min="0" max="100" required class="narrow"
                        value=pct(d.abandon_rate_pct) data-testid="thresholds-abandon" />
                </label>
                <label class="filter">
                    <span>{t("admin.sentiment")} " (−3…3)"</span>
                    <input name="sentiment" type="number" min="-3" max="3" required class="narrow"
                        value=d.sentiment.to_string() data-testid="thresholds-sentiment" />
                </label>
                <button type="submit" data-testid="thresholds-submit">{t("admin.save")}</button>
                {outcome(thresholds.value())}
            </ActionForm>
        </section>
    }
}

#[component]
fn StuckCard(s: AdminSettings, stuck: ServerAction<AdminStuckSet>) -> impl IntoView {
    view! {
        <section class="card settings-card" aria-labelledby="stuck-title">
            <h2 id="stuck-title">{t("admin.stuck")}</h2>
            <p class="lead">{t("admin.stuck_about")}</p>
            <ActionForm action=stuck attr:class="admin-form">
                <label class="filter">
                    <span>{t("admin.stuck_minutes")}</span>
                    <input name="minutes" type="number" min="1" max="1440" class="narrow" required
                        value=s.stuck_minutes.to_string() data-testid="stuck-minutes" />
                </label>
                <button type="submit" data-testid="stuck-submit">{t("admin.save")}</button>
                {outcome(stuck.value())}
            </ActionForm>
        </section>
    }
}

#[component]
fn RetentionCard(s: AdminSettings, retention: ServerAction<AdminRetentionSet>) -> impl IntoView {
    let hint = t("admin.retention_hint").replace("{days}", &s.retention_default.to_string());
    view! {
        <section class="card settings-card" aria-labelledby="retention-title">
            <h2 id="retention-title">{t("admin.retention")}</h2>
            <p class="lead">{hint}</p>
            <ActionForm action=retention attr:class="admin-form">
                <label class="filter">
                    <span>{t("admin.retention_days")}</span>
                    <input name="days" type="number" min="3" max="3650" class="narrow"
                        value=s.retention_days.map(|d| d.to_string()).unwrap_or_default()
                        placeholder=s.retention_default.to_string() data-testid="retention-days" />
                </label>
                <button type="submit" data-testid="retention-submit">{t("admin.save")}</button>
                {outcome(retention.value())}
            </ActionForm>
        </section>
    }
}

#[component]
fn OriginsCard(s: AdminSettings, origins: ServerAction<AdminOriginsSet>) -> impl IntoView {
    view! {
        <section class="card settings-card" aria-labelledby="origins-title">
            <h2 id="origins-title">{t("admin.embed_origins")}</h2>
            <p class="lead">{t("admin.embed_origins_about")}</p>
            <ActionForm action=origins attr:class="admin-form">
                <label class="filter wide">
                    <span>{t("admin.embed_origins_label")}</span>
                    <textarea name="origins" rows="4" placeholder="https://portal.example.com" data-testid="origins">
                        {s.embed_origins.join("\n")}
                    </textarea>
                </label>
                <button type="submit" data-testid="origins-submit">{t("admin.save")}</button>
                {outcome(origins.value())}
            </ActionForm>
        </section>
    }
}
