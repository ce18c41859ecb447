//! Sign-in sessions: a random token in the browser (a cookie) or in an embedded page, its
//! SHA-256 here.

use app::auth::Viewer;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::entities::session;
use super::tokens::hash;

/// How long a password sign-in lasts: a long shift.
pub const SESSION_MS: i64 = 12 * 3600 * 1000;

/// A new random session token: `ses_` and 64 hex digits.
pub fn generate() -> Result<String, getrandom::Error> {
    super::tokens::generate().map(|t| format!("ses_{}", &t[4..]))
}

/// Starts a session for `viewer` until `expires_at_ms`; returns its token.
pub async fn start<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    expires_at_ms: i64,
) -> Result<String, DbErr> {
    let token = generate().map_err(|e| DbErr::Custom(format!("no randomness: {e}")))?;
    session::Entity::insert(session::ActiveModel {
        token_hash: Set(hash(&token)),
        user_id: Set(viewer.user_id),
        viewer: Set(serde_json::to_string(viewer).map_err(|e| DbErr::Custom(e.to_string()))?),
        created_at_ms: Set(super::now_ms()),
        expires_at_ms: Set(expires_at_ms),
    })
    .exec(db)
    .await?;
    Ok(token)
}

/// The person of a live session: a user's current role and queues, or what an embedded
/// sign-in granted. `None` when unknown, expired, or the user is gone.
pub async fn find<C: ConnectionTrait>(db: &C, token: &str) -> Result<Option<Viewer>, DbErr> {
    let Some(row) = session::Entity::find_by_id(hash(token)).one(db).await? else {
        return Ok(None);
    };
    if row.expires_at_ms <= super::now_ms() {
        return Ok(None);
    }
    match row.user_id {
        Some(id) => Ok(super::users::get(db, id)
            .await?
            .and_then(|u| super::users::viewer(&u))),
        // Embedding never grants admin: a session an older version started as one is void.
        None => Ok(serde_json::from_str::<Viewer>(&row.viewer)
            .ok()
            .filter(|v| v.role != app::auth::Role::Admin)),
    }
}

/// Ends one session.
pub async fn end<C: ConnectionTrait>(db: &C, token: &str) -> Result<(), DbErr> {
    session::Entity::delete_by_id(hash(token))
        .exec(db)
        .await
        .map(|_| ())
}

/// Ends every session of a user.
pub async fn end_all_of<C: ConnectionTrait>(db: &C, user_id: i32) -> Result<(), DbErr> {
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Forgets expired sessions; returns how many.
pub async fn purge_expired<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    session::Entity::delete_many()
        .filter(session::Column::ExpiresAtMs.lte(super::now_ms()))
        .exec(db)
        .await
        .map(|r| r.rows_affected)
}

/// Marks a portal sign-in token (by `key`: its `jti` or signature) used until
/// `expires_at_ms`; `false` when it already was (a replay).
pub async fn use_embed_token<C: ConnectionTrait>(
    db: &C,
    key: &str,
    expires_at_ms: i64,
) -> Result<bool, DbErr> {
    use super::entities::embed_token_used;
    let inserted = embed_token_used::Entity::insert(embed_token_used::ActiveModel {
        key: Set(hash(key)),
        expires_at_ms: Set(expires_at_ms),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::column(embed_token_used::Column::Key)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted == 1)
}

/// Forgets used portal tokens past their expiry; returns how many.
pub async fn purge_used_embed_tokens<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    use super::entities::embed_token_used;
    embed_token_used::Entity::delete_many()
        .filter(embed_token_used::Column::ExpiresAtMs.lte(super::now_ms()))
        .exec(db)
        .await
        .map(|r| r.rows_affected)
}

/// A portal's embedded session, as the admin page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbeddedSession {
    /// The stored hash of its token (what revoking names; the token itself is not kept).
    pub id: String,
    /// Who the portal said they are.
    pub viewer: Viewer,
    /// Started (ms).
    pub created_at_ms: i64,
    /// Ends (ms).
    pub expires_at_ms: i64,
}

/// The live embedded sessions, newest first (at most `limit`).
pub async fn embedded<C: ConnectionTrait>(
    db: &C,
    limit: u64,
) -> Result<Vec<EmbeddedSession>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    let rows = session::Entity::find()
        .filter(session::Column::UserId.is_null())
        .filter(session::Column::ExpiresAtMs.gt(super::now_ms()))
        .order_by_desc(session::Column::CreatedAtMs)
        .limit(limit)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(EmbeddedSession {
                viewer: serde_json::from_str(&r.viewer).ok()?,
                id: r.token_hash,
                created_at_ms: r.created_at_ms,
                expires_at_ms: r.expires_at_ms,
            })
        })
        .collect())
}

/// Ends an embedded session by its id (the stored hash); `false` when there is none.
pub async fn revoke_embedded<C: ConnectionTrait>(db: &C, id: &str) -> Result<bool, DbErr> {
    session::Entity::delete_many()
        .filter(session::Column::TokenHash.eq(id))
        .filter(session::Column::UserId.is_null())
        .exec(db)
        .await
        .map(|r| r.rows_affected == 1)
}
