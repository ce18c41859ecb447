//! API tokens: created by an admin, stored as SHA-256 only, scoped to `ingest`/`read` and queues.

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

use super::entities::api_token;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `POST /api/v1/events`.
    Ingest,
    /// The read API and the stream.
    Read,
    /// `/metrics` (Prometheus).
    Metrics,
    /// Supervisor actions on conversations (`POST /api/v1/conversations/{id}/actions`).
    Act,
}

impl Scope {
    /// Parses `ingest`, `read` or `metrics`.
    pub fn parse(s: &str) -> Option<Scope> {
        match s.trim() {
            "ingest" => Some(Scope::Ingest),
            "read" => Some(Scope::Read),
            "metrics" => Some(Scope::Metrics),
            "act" => Some(Scope::Act),
            _ => None,
        }
    }

    /// The scope's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Ingest => "ingest",
            Scope::Read => "read",
            Scope::Metrics => "metrics",
            Scope::Act => "act",
        }
    }
}

/// A valid (not revoked) token, as the server sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    /// Row id.
    pub id: i32,
    /// The admin's name for it.
    pub name: String,
    /// Its scopes.
    pub scopes: Vec<Scope>,
    /// The queues it may read; `None` is all.
    pub queues: Option<Vec<String>>,
}

impl TokenGrant {
    /// Whether the token carries a scope.
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// Hex SHA-256 of a token: tokens carry 256 random bits, so a fast hash is enough.
pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new random token: `itk_` and 64 hex digits.
pub fn generate() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("itk_{hex}"))
}

/// Stores a new token and returns its id.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    name: &str,
    token: &str,
    scopes: &[Scope],
    queues: Option<&[String]>,
) -> Result<i32, DbErr> {
    let scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    let result = api_token::Entity::insert(api_token::ActiveModel {
        name: Set(name.to_owned()),
        token_hash: Set(hash(token)),
        scopes: Set(scopes.join(",")),
        queues: Set(queues.map(|q| serde_json::json!(q).to_string())),
        created_at_ms: Set(super::now_ms()),
        revoked_at_ms: Set(None),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(result.last_insert_id)
}

/// The grant of a presented token, if it exists and is not revoked.
pub async fn find<C: ConnectionTrait>(db: &C, token: &str) -> Result<Option<TokenGrant>, DbErr> {
    let row = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash(token)))
        .filter(api_token::Column::RevokedAtMs.is_null())
        .one(db)
        .await?;
    Ok(row.map(|r| TokenGrant {
        id: r.id,
        name: r.name,
        scopes: r.scopes.split(',').filter_map(Scope::parse).collect(),
        queues: r.queues.and_then(|q| serde_json::from_str(&q).ok()),
    }))
}

/// Every token, newest first (revoked ones too).
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<api_token::Model>, DbErr> {
    use sea_orm::QueryOrder;
    api_token::Entity::find()
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await
}

/// Revokes a token; `false` when there is no such token or it was revoked already.
pub async fn revoke<C: ConnectionTrait>(db: &C, id: i32) -> Result<bool, DbErr> {
    let result = api_token::Entity::update_many()
        .col_expr(
            api_token::Column::RevokedAtMs,
            sea_orm::sea_query::Expr::value(Some(super::now_ms())),
        )
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::RevokedAtMs.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hash_stably() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("itk_") && a.len() == 68);
        assert_eq!(hash(&a), hash(&a));
        assert_eq!(hash("abc").len(), 64);
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn scopes_parse() {
        assert_eq!(Scope::parse(" read"), Some(Scope::Read));
        assert_eq!(Scope::parse("ingest"), Some(Scope::Ingest));
        assert_eq!(Scope::parse("admin"), None);
    }
}
