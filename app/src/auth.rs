//! Who is looking: the signed-in person's role and queues, known to the server (from the session)
//! and to the browser (from the page the server rendered), and the checks server functions make.

use serde::{Deserialize, Serialize};

/// What a person may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Their own work only.
    Agent,
    /// The supervisor tabs, for the queues assigned to them.
    Supervisor,
    /// Everything, plus settings.
    Admin,
}

impl Role {
    /// Parses `agent`, `supervisor` or `admin`.
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim() {
            "agent" => Some(Role::Agent),
            "supervisor" => Some(Role::Supervisor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }
}

/// The signed-in person, as every request sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    /// The user's row id (`None` for a portal's embedded sign-in).
    pub user_id: Option<i32>,
    /// Their login.
    pub login: String,
    /// Their role.
    pub role: Role,
    /// The queues a supervisor is assigned (ignored for an admin).
    pub queues: Vec<String>,
    /// The agent they work as, if any.
    pub agent_id: Option<String>,
    /// Their language (`en`, `pl`), if they chose one.
    pub locale: Option<String>,
    /// Whether this session came from a portal's signed embed token.
    #[serde(default)]
    pub embedded: bool,
}

impl Viewer {
    /// The name the audit log records this person's actions under: a portal's embedded
    /// sign-in as `portal:<sub>`, so it never reads as the local user of the same login.
    pub fn actor(&self) -> String {
        if self.embedded {
            format!("portal:{}", self.login)
        } else {
            self.login.clone()
        }
    }
}

/// Where to go after signing in: `next` when it is a path of this site, else `/`. Browsers
/// drop tabs and line breaks from a URL and read `\\` as `/`, so `/\t/evil.example` would
/// become `//evil.example`, another site: only a path that starts with one `/`, holds no
/// control character, whitespace or backslash, and so has no scheme and no authority, passes.
pub fn safe_next(next: &str) -> String {
    let path_of_this_site = next.starts_with('/')
        && !next.starts_with("//")
        && !next
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    if path_of_this_site {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

/// Why a caller may not have something.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    /// Nobody is signed in.
    SignedOut,
    /// Signed in, but the role does not reach it.
    Role,
    /// A supervisor with no queue assigned yet.
    NoQueues,
}

impl Denied {
    /// The HTTP status for it.
    pub fn status(self) -> u16 {
        match self {
            Denied::SignedOut => 401,
            Denied::Role | Denied::NoQueues => 403,
        }
    }

    /// What it means, for logs and API callers.
    pub fn message(self) -> &'static str {
        match self {
            Denied::SignedOut => "sign in first",
            Denied::Role => "your role does not give access to this",
            Denied::NoQueues => "no queue is assigned to you yet; ask an administrator",
        }
    }

    /// The UI text key saying it.
    pub fn key(self) -> &'static str {
        match self {
            Denied::SignedOut => "auth.signed_out",
            Denied::Role => "auth.denied_role",
            Denied::NoQueues => "auth.no_queues",
        }
    }
}

impl Viewer {
    /// The queues a supervisor view is limited to: `None` for all (admin), the assigned queues
    /// for a supervisor; agents and supervisors without queues have no supervisor view.
    pub fn supervisor_scope(&self) -> Result<Option<Vec<String>>, Denied> {
        match self.role {
            Role::Admin => Ok(None),
            Role::Supervisor if self.queues.is_empty() => Err(Denied::NoQueues),
            Role::Supervisor => Ok(Some(self.queues.clone())),
            Role::Agent => Err(Denied::Role),
        }
    }

    /// Whether this person may administer settings.
    pub fn is_admin(&self) -> bool {
        // A portal's session is never an admin, whatever it says (embedding refuses the role).
        self.role == Role::Admin && !self.embedded
    }
}

/// Whether `viewer` may see the supervisor tabs, and if not, why.
pub fn supervisor_access(viewer: Option<&Viewer>) -> Result<Option<Vec<String>>, Denied> {
    viewer.ok_or(Denied::SignedOut)?.supervisor_scope()
}

/// The person of this request: on the server from the session the request carried, in the
/// browser from what the server rendered into the page.
pub fn current_viewer() -> Option<Viewer> {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Viewer>().cloned())
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        let meta = leptos::prelude::document()
            .query_selector("meta[name=intraday-viewer]")
            .ok()
            .flatten()?;
        serde_json::from_str(&meta.get_attribute("content")?).ok()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        None
    }
}

/// For server functions: the caller's supervisor scope, or an error whose status says why
/// (401 signed out, 403 otherwise).
#[cfg(feature = "ssr")]
pub fn require_supervisor() -> Result<(Viewer, Option<Vec<String>>), crate::error::AppError> {
    let viewer = current_viewer();
    match supervisor_access(viewer.as_ref()) {
        Ok(scope) => Ok((viewer.expect("checked"), scope)),
        Err(denied) => Err(deny(denied)),
    }
}

/// For server functions: the caller if they are an admin.
#[cfg(feature = "ssr")]
pub fn require_admin() -> Result<Viewer, crate::error::AppError> {
    match current_viewer() {
        // A portal's session is never an admin, whatever it says (embedding refuses the role).
        Some(v) if v.is_admin() => Ok(v),
        Some(_) => Err(deny(Denied::Role)),
        None => Err(deny(Denied::SignedOut)),
    }
}

/// For server functions: anyone signed in.
#[cfg(feature = "ssr")]
pub fn require_signed_in() -> Result<Viewer, crate::error::AppError> {
    current_viewer().ok_or_else(|| deny(Denied::SignedOut))
}

/// Sets the response status for `denied` and returns the error to send.
#[cfg(feature = "ssr")]
pub fn deny(denied: Denied) -> crate::error::AppError {
    fail(denied.status(), crate::error::AppError::key(denied.key()))
}

/// Sets the server function's response status and returns the error to send with it.
#[cfg(feature = "ssr")]
pub fn fail(status: u16, error: crate::error::AppError) -> crate::error::AppError {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(
            http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    error
}

/// The embed session of this request, rendered into the page for its own requests to carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbedSession(pub String);

/// The page script that adds the embed session to the page's own requests (server functions
/// go through `fetch`); no `<`, `>` or `&` so it needs no escaping.
pub const FETCH_PATCH: &str = "(function(){var m=document.querySelector('meta[name=intraday-session]');if(!m)return;var s=m.content,f=window.fetch;window.fetch=function(i,o){var u=typeof i==='string'?i:(i.url||String(i));if(u.charAt(0)==='/'||u.indexOf(location.origin+'/')===0){o=Object.assign({},o);var h=new Headers(o.headers||(typeof i==='string'?undefined:i.headers));h.set('x-intraday-session',s);o.headers=h;}return f.call(this,i,o);};})();";

/// The embed session id of this page, if it is embedded (browser: from the page the server
/// rendered; server: from the request).
pub fn embed_session() -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<EmbedSession>().map(|s| s.0.clone()))
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        leptos::prelude::document()
            .query_selector("meta[name=intraday-session]")
            .ok()
            .flatten()?
            .get_attribute("content")
            .filter(|s| !s.is_empty())
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(role: Role, queues: &[&str]) -> Viewer {
        Viewer {
            user_id: Some(1),
            login: "x".into(),
            role,
            queues: queues.iter().map(|q| q.to_string()).collect(),
            agent_id: None,
            locale: None,
            embedded: false,
        }
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/insights?queue=a"), "/insights?queue=a");
        for evil in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            " //evil.example",
            "/ /evil.example",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(safe_next(evil), "/", "{evil:?}");
        }
    }

    #[test]
    fn embedded_people_audit_as_portal_users() {
        let mut v = viewer(Role::Supervisor, &["a"]);
        assert_eq!(v.actor(), "x");
        v.embedded = true;
        assert_eq!(v.actor(), "portal:x");
    }

    #[test]
    fn supervisors_see_their_queues_admins_all_agents_none() {
        assert_eq!(
            viewer(Role::Supervisor, &["a"]).supervisor_scope(),
            Ok(Some(vec!["a".to_string()]))
        );
        assert_eq!(viewer(Role::Admin, &[]).supervisor_scope(), Ok(None));
        assert_eq!(
            viewer(Role::Supervisor, &[]).supervisor_scope(),
            Err(Denied::NoQueues)
        );
        assert_eq!(
            viewer(Role::Agent, &["a"]).supervisor_scope(),
            Err(Denied::Role)
        );
        assert_eq!(supervisor_access(None), Err(Denied::SignedOut));
        assert_eq!(Role::parse("admin"), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
    }
}
