//! The Intraday single-page app, shared by the server (SSR) and the browser (hydration).

pub mod auth;
pub mod charts;
pub mod components;
pub mod csv;
pub mod error;
pub mod format;
pub mod i18n;
pub mod kpi;
pub mod model;
pub mod ongoing;
pub mod routes;
pub mod server_fns;
pub mod url;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, StaticSegment,
    components::{ParentRoute, Route, Router, Routes},
};

use crate::components::access::{AdminOnly, SupervisorOnly};
use crate::components::top_bar::{MonitoringNotice, TopBar};
use crate::routes::admin::{
    AdminLayout, AdminOverview, agents::AgentsPage, audit::AuditPage, connectors::ConnectorsPage,
    panels::PanelsPage, queues::QueuesPage, settings::SettingsPage, tokens::TokensPage,
    users::UsersPage, webhook::WebhookPage,
};
use crate::routes::agent::AgentPage;
use crate::routes::home::HomePage;
use crate::routes::insights::InsightsPage;
use crate::routes::my::{MyPage, MyPanel};
use crate::routes::ongoing::{ConversationPanel, OngoingPage};
use crate::routes::signin::SignInPage;
use crate::routes::wallboard::WallboardPage;

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The request's language, written to <html lang> for the browser to read back.
    let locale = i18n::provide_locale();
    view! {
        <!DOCTYPE html>
        <html lang=locale.as_str()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <meta name="intraday-viewer" content=viewer_meta() />
                {auth::embed_session()
                    .map(|session| {
                        view! {
                            <meta name="intraday-session" content=session />
                            <script nonce=leptos::nonce::use_nonce() inner_html=auth::FETCH_PATCH></script>
                        }
                    })}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The signed-in person as JSON, for the browser's copy of the app (see
/// [`auth::current_viewer`]); empty when signed out.
fn viewer_meta() -> String {
    auth::current_viewer()
        .and_then(|v| serde_json::to_string(&v).ok())
        .unwrap_or_default()
}

/// The root component: top bar and the routed pages.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(auth::current_viewer());
    provide_context(components::top_bar::OpenEscalations::default());
    i18n::provide_locale();

    view! {
        <Title text="Intraday" />
        <Router>
            <TopBar />
            <main id="main">
                <Routes fallback=|| view! { <p class="empty">{i18n::t("nav.not_found")}</p> }>
                    <Route path=StaticSegment("") view=HomePage />
                    <Route path=StaticSegment("signin") view=SignInPage />
                    <Route
                        path=StaticSegment("insights")
                        view=|| view! { <SupervisorOnly><InsightsPage /></SupervisorOnly> }
                    />
                    <Route
                        path=StaticSegment("wallboard")
                        view=|| view! { <SupervisorOnly><WallboardPage /></SupervisorOnly> }
                    />
                    <ParentRoute path=StaticSegment("my") view=MyPage>
                        <Route path=StaticSegment("") view=|| () />
                        <Route path=ParamSegment("id") view=MyPanel />
                    </ParentRoute>
                    <ParentRoute
                        path=StaticSegment("ongoing")
                        view=|| view! { <SupervisorOnly><OngoingPage /></SupervisorOnly> }
                    >
                        <Route path=StaticSegment("") view=|| () />
                        <Route path=ParamSegment("id") view=ConversationPanel />
                    </ParentRoute>
                    <Route
                        path=(StaticSegment("insights"), StaticSegment("agents"), ParamSegment("id"))
                        view=|| view! { <SupervisorOnly><AgentPage /></SupervisorOnly> }
                    />
                    <ParentRoute
                        path=StaticSegment("admin")
                        view=|| view! { <AdminOnly><AdminLayout /></AdminOnly> }
                    >
                        <Route path=StaticSegment("") view=AdminOverview />
                        <Route path=StaticSegment("users") view=UsersPage />
                        <Route path=StaticSegment("queues") view=QueuesPage />
                        <Route path=StaticSegment("agents") view=AgentsPage />
                        <Route path=StaticSegment("settings") view=SettingsPage />
                        <Route path=StaticSegment("tokens") view=TokensPage />
                        <Route path=StaticSegment("panels") view=PanelsPage />
                        <Route path=StaticSegment("audit") view=AuditPage />
                        <Route path=StaticSegment("webhook") view=WebhookPage />
                        <Route path=StaticSegment("connectors") view=ConnectorsPage />
                    </ParentRoute>
                    // The same tabs inside a portal's frame (signed in by the portal's token).
                    <Route path=StaticSegment("embed") view=HomePage />
                    <Route
                        path=(StaticSegment("embed"), StaticSegment("insights"))
                        view=|| view! { <SupervisorOnly><InsightsPage /></SupervisorOnly> }
                    />
                    <Route
                        path=(StaticSegment("embed"), StaticSegment("wallboard"))
                        view=|| view! { <SupervisorOnly><WallboardPage /></SupervisorOnly> }
                    />
                    <ParentRoute
                        path=(StaticSegment("embed"), StaticSegment("ongoing"))
                        view=|| view! { <SupervisorOnly><OngoingPage /></SupervisorOnly> }
                    >
                        <Route path=StaticSegment("") view=|| () />
                        <Route path=ParamSegment("id") view=ConversationPanel />
                    </ParentRoute>
                    <Route
                        path=(
                            StaticSegment("embed"),
                            StaticSegment("insights"),
                            StaticSegment("agents"),
                            ParamSegment("id"),
                        )
                        view=|| view! { <SupervisorOnly><AgentPage /></SupervisorOnly> }
                    />
                </Routes>
            </main>
            <MonitoringNotice />
        </Router>
    }
}
