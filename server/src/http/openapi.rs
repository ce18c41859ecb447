//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the API, generated from the handlers'
//! `#[utoipa::path]` attributes and the types they return, built once and served as JSON.
//!
//! The bodies the handlers write by hand (the error answers, the events they take) are described
//! here by the schemas below, from the same constants the handlers check against.

use std::sync::LazyLock;

use app::model::event::EVENT_TYPES;
use axum::http::header;
use axum::response::IntoResponse;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Schema,
    SchemaFormat, Type,
};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, RefOr};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

use crate::ingest::MAX_BATCH;

/// The API's operations and the schemas they name.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Intraday API",
        version = "1",
        description = "The public event contract (EVENTS.md, version 1) and the server's health and readiness. Version 1 may only grow.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    servers((url = "/")),
    paths(
        crate::ingest::http::post_events,
        crate::stream::sse::stream,
        crate::stream::page::page_stream,
        crate::stream::page::my_stream,
        openapi,
        crate::ops::ready::healthz,
        crate::ops::ready::readyz,
        crate::http::metrics,
        crate::http::read_api::kpis,
        crate::http::read_api::history,
        crate::http::read_api::conversations,
        crate::http::read_api::agents,
        crate::actions::http::post_action,
        crate::connectors::chatwoot::webhook,
    ),
    // Event is named only from inside the hand-built batch schema, so it is listed here.
    components(schemas(Event)),
    modifiers(&SecuritySchemes),
)]
pub struct ApiDoc;

/// The document as served, built on first use.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    ApiDoc::openapi().to_pretty_json().unwrap_or_else(|e| {
        serde_json::json!({ "error": format!("the OpenAPI document did not serialise: {e}") })
            .to_string()
    })
});

/// The OpenAPI document as JSON (kept true by a test that calls every operation).
pub fn document() -> &'static str {
    &DOCUMENT
}

/// The OpenAPI document of this API.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "openapi",
    tag = "meta",
    summary = "This document",
    responses(
        (status = 200, description = "OpenAPI 3.1 document", content_type = "application/json"),
        (status = 503, description = "The server is still starting; retry.", body = ErrorBody),
    ),
)]
pub(crate) async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document())
}

/// The two ways to present an API token.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token from `intraday token create`; `ingest` scope to post events, `read` scope for the read API and the streams, `metrics` for `/metrics`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "access_token",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "access_token",
                "The same token as a query parameter, for browsers' EventSource (which cannot send headers); only `/api/v1/stream` accepts it.",
            ))),
        );
    }
}

/// Every error answer of the API: `error` always; the field, line and column when they apply.
// The body `super::error::ApiError` writes.
#[derive(ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// What was wrong, for a person.
    pub error: String,
    /// The query parameter it names (400 of the read API).
    #[schema(nullable = false)]
    pub field: Option<String>,
    /// The line of a body that does not parse (400 of ingest).
    #[schema(nullable = false)]
    pub line: Option<usize>,
    /// Its column.
    #[schema(nullable = false)]
    pub column: Option<usize>,
}

/// The refused events of a batch (422; 403 with `error` too); nothing of it was stored.
#[derive(ToSchema)]
pub struct EventErrors {
    /// Why the batch was refused (403).
    #[schema(nullable = false)]
    pub error: Option<String>,
    /// Each refused event, by index, id and field.
    pub errors: Vec<crate::ingest::EventError>,
}

/// One event of EVENTS.md: its common fields; each type adds the fields EVENTS.md lists.
pub struct Event;

impl PartialSchema for Event {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some(
                "Common fields; each type adds the fields EVENTS.md lists. Unknown fields are kept.",
            ))
            .property(
                "id",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(64))
                    .pattern(Some("^[A-Za-z0-9._:-]+$"))
                    .description(Some("Unique per event; the idempotency key.")),
            )
            .property(
                "type",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(EVENT_TYPES)),
            )
            .property(
                "at",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                    .description(Some(
                        "RFC 3339 with offset; stored in UTC with millisecond precision.",
                    )),
            )
            .required("id")
            .required("type")
            .required("at")
            .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(true)))
            .into()
    }
}

impl ToSchema for Event {}

impl Event {
    /// `$ref` to the schema above.
    fn name_ref() -> RefOr<Schema> {
        RefOr::Ref(utoipa::openapi::Ref::from_schema_name("Event"))
    }
}

/// A JSON body of `POST /api/v1/events`: one event or an array of at most [`MAX_BATCH`].
pub struct EventBatch;

impl PartialSchema for EventBatch {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(Event::name_ref())
            .item(
                ArrayBuilder::new()
                    .items(Event::name_ref())
                    .max_items(Some(MAX_BATCH)),
            )
            .into()
    }
}

impl ToSchema for EventBatch {}

/// An NDJSON body of `POST /api/v1/events`.
pub struct Ndjson;

impl PartialSchema for Ndjson {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("One event object per line."))
            .into()
    }
}

impl ToSchema for Ndjson {}

/// The text of a Server-Sent Events stream.
pub struct SseText;

impl PartialSchema for SseText {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "`event:`, `id:` and `data:` (JSON) lines per Server-Sent Events.",
            ))
            .into()
    }
}

impl ToSchema for SseText {}

/// The `window` parameter of the read API: the names `app::kpi::Window::parse` takes.
pub struct WindowName;

/// Every window name (`24h` is the default).
pub const WINDOW_NAMES: [&str; 6] = ["2h", "4h", "8h", "12h", "24h", "today"];

impl PartialSchema for WindowName {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(WINDOW_NAMES))
            .into()
    }
}

impl ToSchema for WindowName {}

/// The `sl` parameter of the read API: a service-level threshold override in seconds.
pub struct SlSeconds;

impl PartialSchema for SlSeconds {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .enum_values(Some(app::kpi::domain::sums::SL_OVERRIDES))
            .into()
    }
}

impl ToSchema for SlSeconds {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_window_parses() {
        for name in WINDOW_NAMES {
            assert!(app::kpi::Window::parse(name).is_ok(), "{name}");
        }
    }
}
