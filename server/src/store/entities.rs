//! The SeaORM entities, written once, matching `migrations/`.

/// The append-only event log.
pub mod event {
    use sea_orm::entity::prelude::*;

    /// One stored event.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "events")]
    pub struct Model {
        /// Global log sequence: the order events were made durable in.
        #[sea_orm(primary_key)]
        pub seq: i64,
        /// The sender's id, the idempotency key.
        #[sea_orm(unique)]
        pub event_id: String,
        /// The event type, e.g. `conversation.accepted`.
        pub event_type: String,
        /// When it happened at the source (UTC, ms).
        pub at_ms: i64,
        /// The conversation it is about, if any.
        pub conversation_id: Option<String>,
        /// The agent it is about, if any.
        pub agent_id: Option<String>,
        /// The event as received (JSON), unknown fields included.
        #[sea_orm(column_type = "Text")]
        pub payload: String,
        /// When it was made durable (UTC, ms).
        pub received_at_ms: i64,
    }

    /// No relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Queues, as last upserted.
pub mod queue {
    use sea_orm::entity::prelude::*;

    /// A queue.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "queues")]
    pub struct Model {
        /// Queue id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub queue_id: String,
        /// Display name.
        pub name: String,
        /// Channels as a JSON list.
        #[sea_orm(column_type = "Text")]
        pub channels: String,
        /// Service-level threshold in seconds.
        pub service_level_seconds: i32,
        /// `at` of the upsert that set this row.
        pub updated_at_ms: i64,
    }

    /// No relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Agents, as last upserted.
pub mod agent {
    use sea_orm::entity::prelude::*;

    /// An agent.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "agents")]
    pub struct Model {
        /// Agent id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub agent_id: String,
        /// Display name.
        pub name: String,
        /// Queue ids as a JSON list.
        #[sea_orm(column_type = "Text")]
        pub queues: String,
        /// Skills as a JSON list.
        #[sea_orm(column_type = "Text")]
        pub skills: String,
        /// Capacity units.
        pub capacity: i32,
        /// `at` of the upsert that set this row.
        pub updated_at_ms: i64,
    }

    /// No relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// API tokens (only their SHA-256 is stored).
pub mod api_token {
    use sea_orm::entity::prelude::*;

    /// A token.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "api_tokens")]
    pub struct Model {
        /// Row id.
        #[sea_orm(primary_key)]
        pub id: i32,
        /// The admin's name for it.
        pub name: String,
        /// Hex SHA-256 of the token.
        #[sea_orm(unique)]
        pub token_hash: String,
        /// Comma-separated scopes: `ingest`, `read`.
        pub scopes: String,
        /// JSON list of queue ids it may read, or null for all.
        #[sea_orm(column_type = "Text", nullable)]
        pub queues: Option<String>,
        /// Creation time (ms).
        pub created_at_ms: i64,
        /// Revocation time (ms), if revoked.
        pub revoked_at_ms: Option<i64>,
    }

    /// No relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Who changed what, when.
pub mod audit_entry {
    use sea_orm::entity::prelude::*;

    /// One audit record.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_log")]
    pub struct Model {
        /// Row id.
        #[sea_orm(primary_key)]
        pub id: i64,
        /// When (ms).
        pub at_ms: i64,
        /// Who: a user login, `cli`, or `token:NAME`.
        pub actor: String,
        /// What, e.g. `token.create`.
        pub action: String,
        /// On what.
        pub target: String,
        /// Details as JSON.
        #[sea_orm(column_type = "Text")]
        pub detail: String,
    }

    /// No relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// People who sign in.
pub mod user {
    use sea_orm::entity::prelude::*;

    /// A user.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        /// Row id.
        #[sea_orm(primary_key)]
        pub id: i32,
        /// Their login (unique).
        #[sea_orm(unique)]
        pub login: String,
        /// Argon2id PHC string.
        pub password_hash: String,
        /// `agent`, `supervisor` or `admin`.
        pub role: String,
        /// JSON list of the queue ids a supervisor is assigned.
        #[sea_orm(column_type = "Text")]
        pub queues: String,
        /// The agent they work as, if any.
        pub agent_id: Option<String>,
        /// Their language, if chosen.
        pub locale: Option<String>,
        /// Their time zone, if chosen.
        pub time_zone: Option<String>,
        /// The Ongoing grid's columns they chose (comma-separated), if any.
        pub ongoing_columns: Option<String>,
        /// Creation time (ms).
        pub created_at_ms: i64,
    }

    /// No relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Sign-in sessions (only the SHA-256 of their token is stored).
pub mod session {
    use sea_orm::entity::prelude::*;

    /// A session.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sessions")]
    pub struct Model {
        /// Hex SHA-256 of the session token.
        #[sea_orm(primary_key, auto_increment = false)]
        pub token_hash: String,
        /// The user, for a sign-in with a password (their current role applies).
        pub user_id: Option<i32>,
        /// The viewer as JSON, as signed in (what an embedded sign-in grants).
        #[sea_orm(column_type = "Text")]
        pub viewer: String,
        /// Creation time (ms).
        pub created_at_ms: i64,
        /// Expiry (ms).
        pub expires_at_ms: i64,
    }

    /// No relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Portal sign-in tokens already used (each signs in once).
pub mod embed_token_used {
    use sea_orm::entity::prelude::*;

    /// A used token.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "embed_tokens_used")]
    pub struct Model {
        /// Hex SHA-256 of its `jti` (or of its signature when it has no `jti`).
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        /// When the token expires (ms); it is forgotten after.
        pub expires_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Actions waiting for (or done with) delivery to the admin's webhook.
pub mod outbox {
    use sea_orm::entity::prelude::*;

    /// One action to deliver.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox")]
    pub struct Model {
        /// Row id: the delivery's id (`X-Intraday-Delivery`), in the order actions were taken.
        #[sea_orm(primary_key)]
        pub id: i64,
        /// What was done, e.g. `assign`.
        pub action: String,
        /// The conversation it was done to.
        pub conversation_id: String,
        /// Who did it: a login or `token:NAME`.
        pub actor: String,
        /// When it was done (UTC, ms).
        pub at_ms: i64,
        /// The JSON posted, exactly.
        #[sea_orm(column_type = "Text")]
        pub payload: String,
        /// Tries that did not succeed (since it was enqueued or last redelivered).
        pub attempts: i32,
        /// Not to be tried before this (ms); also a delivering replica's claim.
        pub next_attempt_ms: i64,
        /// When the receiver accepted it (ms), if it did.
        pub delivered_ms: Option<i64>,
        /// Given up on after a day of failures (until an admin redelivers it).
        pub failed: bool,
        /// The last try's HTTP status, if it got one.
        pub last_status: Option<i32>,
        /// What went wrong the last time (at most 500 characters).
        #[sea_orm(column_type = "Text", nullable)]
        pub last_error: Option<String>,
        /// When it was enqueued (ms).
        pub created_ms: i64,
        /// Where it goes: `None` the admin's webhook, `chatwoot:{key}` a connector's system.
        pub destination: Option<String>,
    }

    /// No relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Connectors: another system's webhook turned into events.
pub mod connector {
    use sea_orm::entity::prelude::*;

    /// A connector's settings.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "connectors")]
    pub struct Model {
        /// Random and unguessable: the webhook path's last segment, and the events' id prefix.
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        /// `chatwoot`.
        pub kind: String,
        /// The admin's name for it.
        pub name: String,
        /// The webhook secret deliveries are signed with.
        pub secret: String,
        /// Deliveries without a signature are accepted (the path is then the only secret).
        pub unsigned: bool,
        /// What becomes a queue: `inbox` or `team`.
        pub queue_by: String,
        /// The other system's address, for actions carried back (empty: none).
        pub base_url: String,
        /// The account actions are carried out in.
        pub account_id: Option<i64>,
        /// The access token actions are carried out with (empty: none).
        pub api_token: String,
        /// When it was added (ms).
        pub created_ms: i64,
    }

    /// No relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A connector's recent deliveries.
pub mod connector_delivery {
    use sea_orm::entity::prelude::*;

    /// One delivery and what became of it.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "connector_deliveries")]
    pub struct Model {
        /// Row id.
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The connector.
        pub connector_key: String,
        /// The sender's delivery id (empty when it sent none).
        pub delivery_id: String,
        /// The sender's event name, e.g. `message_created`.
        pub event: String,
        /// `mapped`, `ignored`, `dead_letter` or `refused`.
        pub outcome: String,
        /// Events newly stored.
        pub accepted: i32,
        /// Events already stored.
        pub duplicates: i32,
        /// Why it was ignored, kept aside or refused (empty when mapped).
        #[sea_orm(column_type = "Text")]
        pub detail: String,
        /// When it arrived (ms).
        pub received_ms: i64,
    }

    /// No relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Payloads a connector could not place, kept with the reason.
pub mod connector_dead_letter {
    use sea_orm::entity::prelude::*;

    /// One payload kept aside.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "connector_dead_letters")]
    pub struct Model {
        /// Row id.
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The connector.
        pub connector_key: String,
        /// The sender's delivery id (empty when it sent none).
        pub delivery_id: String,
        /// The sender's event name.
        pub event: String,
        /// Why it could not be placed.
        #[sea_orm(column_type = "Text")]
        pub reason: String,
        /// The body as received.
        #[sea_orm(column_type = "Text")]
        pub payload: String,
        /// When it arrived (ms).
        pub received_ms: i64,
    }

    /// No relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
