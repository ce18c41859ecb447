//! The user and token forms of the admin pages: checked field by field, and the user store's
//! errors as the messages the form shows.

use app::auth::Role;
use app::model::admin::{AdminError, check_id};
use app::model::problem::Problem;
use app::server_fns::admin::UserForm;
use serde_json::json;

use super::internal;
use crate::store::tokens::Scope;
use crate::store::users::{NewUser, UserError};

pub(super) fn user_error(e: UserError) -> AdminError {
    match e {
        UserError::Login => AdminError::field("login", Problem::new("problem.login_format", &[])),
        UserError::Password => {
            AdminError::field("password", Problem::new("problem.password_length", &[]))
        }
        UserError::Taken(l) => AdminError {
            status: 409,
            field: Some("login".into()),
            problem: Problem::new("problem.login_taken", &[&format!("{l:?}")]),
        },
        UserError::NotFound(l) => {
            AdminError::not_found(Problem::new("problem.no_user", &[&format!("{l:?}")]))
        }
        UserError::Db(e) => internal(e),
        UserError::Hash(e) => {
            tracing::error!(error = %e, "password hashing failed");
            AdminError::internal()
        }
    }
}

/// Checks the add/edit form: a known role, queue ids and agent id of the right shape.
pub(super) fn new_user(form: UserForm) -> Result<NewUser, AdminError> {
    let role = Role::parse(&form.role)
        .ok_or_else(|| AdminError::field("role", Problem::new("problem.choose_role", &[])))?;
    let mut queues: Vec<String> = Vec::new();
    for q in form
        .queues
        .iter()
        .map(|q| q.trim())
        .filter(|q| !q.is_empty())
    {
        check_id("queues", q)?;
        if !queues.iter().any(|x| x == q) {
            queues.push(q.to_owned());
        }
    }
    let agent_id = Some(form.agent_id.trim().to_owned()).filter(|a| !a.is_empty());
    if let Some(a) = &agent_id {
        check_id("agent_id", a)?;
    }
    if role == Role::Agent && agent_id.is_none() {
        return Err(AdminError::field(
            "agent_id",
            Problem::new("problem.agent_needs_id", &[]),
        ));
    }
    Ok(NewUser {
        login: form.login.trim().to_owned(),
        role,
        queues: if role == Role::Supervisor {
            queues
        } else {
            Vec::new()
        },
        agent_id,
    })
}

pub(super) fn user_detail(u: &NewUser) -> serde_json::Value {
    json!({"role": u.role.as_str(), "queues": u.queues, "agent_id": u.agent_id})
}

/// A new token's name, scopes (each once) and queues (trimmed, none empty), or the field that is
/// wrong.
pub(super) fn new_token(
    name: &str,
    scopes: &[String],
    queues: Vec<String>,
) -> Result<(String, Vec<Scope>, Vec<String>), AdminError> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AdminError::field(
            "name",
            Problem::new("problem.characters", &[&80]),
        ));
    }
    let mut parsed = Vec::new();
    for s in scopes {
        let scope = Scope::parse(s).ok_or_else(|| {
            AdminError::field(
                "scopes",
                Problem::new("problem.not_scope", &[&format!("{s:?}")]),
            )
        })?;
        if !parsed.contains(&scope) {
            parsed.push(scope);
        }
    }
    if parsed.is_empty() {
        return Err(AdminError::field(
            "scopes",
            Problem::new("problem.choose_scopes", &[]),
        ));
    }
    let queues: Vec<String> = queues
        .into_iter()
        .map(|q| q.trim().to_owned())
        .filter(|q| !q.is_empty())
        .collect();
    for q in &queues {
        check_id("queues", q)?;
    }
    Ok((name, parsed, queues))
}
