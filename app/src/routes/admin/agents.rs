//! `/admin/agents`: each agent's queues, skills and capacity. A change is an `agent.upserted`
//! event through the ingest path, so the event log stays the source of truth.

use super::columns;
use leptos::prelude::*;

use super::{outcome, queue_checkboxes};
use crate::i18n::t;
use crate::model::admin::AgentInfo;
use crate::server_fns::admin::{AdminAgentSave, admin_agents, admin_queues};

/// The agents page.
#[component]
pub fn AgentsPage() -> impl IntoView {
    let save = ServerAction::<AdminAgentSave>::new();
    let agents = Resource::new(move || save.version().get(), |_| admin_agents());
    let queues = Resource::new(|| (), |_| admin_queues());
    view! {
        <section class="card" aria-labelledby="agents-title">
            <h1 id="agents-title">{t("admin.agents")}</h1>
            <p class="lead">{t("admin.agents_about")}</p>
            <p class="row-outcome">{outcome(save.value())}</p>
            <Transition fallback=|| view! { <p class="skeleton">{t("admin.loading")}</p> }>
                <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "admin-error")>
                    {move || Suspend::new(async move {
                        let all: Vec<String> = queues.await?.into_iter().map(|q| q.queue_id).collect();
                        let rows = agents.await?;
                        Ok::<_, crate::error::AppError>(view! {
                            <h2>{t("admin.add_agent")}</h2>
                            <AgentForm save all=all.clone() agent=None />
                            <AgentsTable rows all save />
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// The add (no `agent`) or edit form.
#[component]
fn AgentForm(
    save: ServerAction<AdminAgentSave>,
    all: Vec<String>,
    agent: Option<AgentInfo>,
) -> impl IntoView {
    let editing = agent.is_some();
    let a = agent.unwrap_or(AgentInfo {
        agent_id: String::new(),
        name: String::new(),
        queues: Vec::new(),
        skills: Vec::new(),
        capacity: 3,
    });
    let tid = if editing {
        format!("agent-{}", a.agent_id)
    } else {
        "agent-add".to_owned()
    };
    let (form_id, name_id, skills_id, capacity_id, submit_id) = (
        format!("{tid}-form"),
        format!("{tid}-name"),
        format!("{tid}-skills"),
        format!("{tid}-capacity"),
        format!("{tid}-submit"),
    );
    let queues = queue_checkboxes(&all, &a.queues, &format!("{tid}-queue"));
    view! {
        <ActionForm action=save attr:class="admin-form" attr:data-testid=form_id>
            {if editing {
                view! { <input type="hidden" name="agent_id" value=a.agent_id.clone() /> }.into_any()
            } else {
                view! {
                    <label class="filter">
                        <span>{t("admin.agent_id")}</span>
                        <input name="agent_id" required maxlength="64" data-testid="agent-add-id" />
                    </label>
                }
                    .into_any()
            }}
            <label class="filter">
                <span>{t("admin.name")}</span>
                <input name="name" required maxlength="120" value=a.name.clone() data-testid=name_id />
            </label>
            {queues}
            <label class="filter">
                <span>{t("admin.skills")}</span>
                <input name="skills" value=a.skills.join(", ") placeholder=t("admin.skills_hint") data-testid=skills_id />
            </label>
            <label class="filter">
                <span>{t("admin.capacity")}</span>
                <input name="capacity" type="number" min="1" max="100" required value=a.capacity.to_string()
                    class="narrow" data-testid=capacity_id />
            </label>
            <button type="submit" data-testid=submit_id>
                {if editing { t("admin.save") } else { t("admin.add") }}
            </button>
        </ActionForm>
    }
}

#[component]
fn AgentsTable(
    rows: Vec<AgentInfo>,
    all: Vec<String>,
    save: ServerAction<AdminAgentSave>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">{t("admin.no_agents")}</p> }.into_any();
    }
    view! {
        <div class="scroll">
            <table class="grid" data-testid="agents-admin-table">
                {columns(&["admin.agent_id", "admin.name", "admin.queues", "admin.skills", "admin.capacity", "admin.actions"], &["admin.capacity"])}
                <tbody>
                    {rows
                        .into_iter()
                        .map(|a| {
                            let id = a.agent_id.clone();
                            view! {
                                <tr data-testid=format!("agent-row-{id}")>
                                    <th scope="row">{id.clone()}</th>
                                    <td>{a.name.clone()}</td>
                                    <td>{a.queues.join(", ")}</td>
                                    <td>{a.skills.join(", ")}</td>
                                    <td class="num">{a.capacity}</td>
                                    <td>
                                        <details>
                                            <summary data-testid=format!("agent-edit-{id}")>{t("admin.edit")}</summary>
                                            <AgentForm save all=all.clone() agent=Some(a) />
                                        </details>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
