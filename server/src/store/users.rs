//! Users: logins with argon2id password hashes, a role, the queues a supervisor is assigned and
//! the agent they work as.

use app::auth::{Role, Viewer};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};

use super::entities::user;

/// A new user's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Login.
    pub login: String,
    /// Role.
    pub role: Role,
    /// Queues (supervisors).
    pub queues: Vec<String>,
    /// The agent they work as.
    pub agent_id: Option<String>,
}

/// Why a user cannot be stored.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// The login is empty, too long or has characters outside `[A-Za-z0-9._@-]`.
    #[error("login: use 1 to 64 letters, digits, '.', '_', '@' or '-'")]
    Login,
    /// The password is too short or too long.
    #[error("password: use 8 to 256 characters")]
    Password,
    /// Another user has this login.
    #[error("login: {0:?} is taken")]
    Taken(String),
    /// No such user.
    #[error("no user {0:?}")]
    NotFound(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
    /// Hashing failed.
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// Checks a login's shape.
pub fn valid_login(login: &str) -> bool {
    (1..=64).contains(&login.len())
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '-'))
}

/// The argon2id hash (PHC string) of a password.
pub fn hash_password(password: &str) -> Result<String, UserError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| UserError::Hash(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| UserError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| UserError::Hash(e.to_string()))
}

/// Whether `password` matches the stored hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash of no password, checked against when the login is unknown so a wrong login takes as
/// long as a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("not a password of anyone").unwrap_or_default())
}

/// Stores a new user and returns its id.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    new: &NewUser,
    password: &str,
) -> Result<i32, UserError> {
    if !valid_login(&new.login) {
        return Err(UserError::Login);
    }
    if !(8..=256).contains(&password.chars().count()) {
        return Err(UserError::Password);
    }
    if find(db, &new.login).await?.is_some() {
        return Err(UserError::Taken(new.login.clone()));
    }
    let result = user::Entity::insert(user::ActiveModel {
        login: Set(new.login.clone()),
        password_hash: Set(hash_password(password)?),
        role: Set(new.role.as_str().to_owned()),
        queues: Set(serde_json::json!(new.queues).to_string()),
        agent_id: Set(new.agent_id.clone()),
        locale: Set(None),
        time_zone: Set(None),
        ongoing_columns: Set(None),
        created_at_ms: Set(super::now_ms()),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(result.last_insert_id)
}

/// The user with this login.
pub async fn find<C: ConnectionTrait>(db: &C, login: &str) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find()
        .filter(user::Column::Login.eq(login))
        .one(db)
        .await
}

/// The user with this id.
pub async fn get<C: ConnectionTrait>(db: &C, id: i32) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find_by_id(id).one(db).await
}

/// Every user, by login.
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<user::Model>, DbErr> {
    user::Entity::find()
        .order_by_asc(user::Column::Login)
        .all(db)
        .await
}

/// How many users exist.
pub async fn count<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    user::Entity::find().count(db).await
}

/// Changes a user's role, queues and agent.
pub async fn update<C: ConnectionTrait>(db: &C, new: &NewUser) -> Result<(), UserError> {
    let row = find(db, &new.login)
        .await?
        .ok_or_else(|| UserError::NotFound(new.login.clone()))?;
    let mut active: user::ActiveModel = row.into();
    active.role = Set(new.role.as_str().to_owned());
    active.queues = Set(serde_json::json!(new.queues).to_string());
    active.agent_id = Set(new.agent_id.clone());
    active.update(db).await?;
    Ok(())
}

/// Sets a user's password.
pub async fn set_password<C: ConnectionTrait>(
    db: &C,
    login: &str,
    password: &str,
) -> Result<(), UserError> {
    if !(8..=256).contains(&password.chars().count()) {
        return Err(UserError::Password);
    }
    let row = find(db, login)
        .await?
        .ok_or_else(|| UserError::NotFound(login.to_owned()))?;
    let mut active: user::ActiveModel = row.into();
    active.password_hash = Set(hash_password(password)?);
    active.update(db).await?;
    Ok(())
}

/// Sets a user's language (`None`: the browser's).
pub async fn set_locale<C: ConnectionTrait>(
    db: &C,
    id: i32,
    locale: Option<&str>,
) -> Result<(), DbErr> {
    user::Entity::update_many()
        .col_expr(
            user::Column::Locale,
            sea_orm::sea_query::Expr::value(locale.map(str::to_owned)),
        )
        .filter(user::Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Sets the Ongoing grid's columns a user chose (`None`: the default columns).
pub async fn set_ongoing_columns<C: ConnectionTrait>(
    db: &C,
    id: i32,
    columns: Option<&str>,
) -> Result<(), DbErr> {
    user::Entity::update_many()
        .col_expr(
            user::Column::OngoingColumns,
            sea_orm::sea_query::Expr::value(columns.map(str::to_owned)),
        )
        .filter(user::Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Removes a user (their sessions end with them).
pub async fn delete<C: ConnectionTrait>(db: &C, login: &str) -> Result<bool, DbErr> {
    let Some(row) = find(db, login).await? else {
        return Ok(false);
    };
    super::sessions::end_all_of(db, row.id).await?;
    user::Entity::delete_by_id(row.id).exec(db).await?;
    Ok(true)
}

/// How a stored user looks to every request.
pub fn viewer(row: &user::Model) -> Option<Viewer> {
    Some(Viewer {
        user_id: Some(row.id),
        login: row.login.clone(),
        role: Role::parse(&row.role)?,
        queues: serde_json::from_str(&row.queues).unwrap_or_default(),
        agent_id: row.agent_id.clone(),
        locale: row.locale.clone(),
        embedded: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("correct horse", "not a hash"));
        assert_ne!(h, hash_password("correct horse").unwrap(), "salted");
    }

    #[test]
    fn logins_have_a_safe_shape() {
        assert!(valid_login("ann.b@example-1"));
        assert!(!valid_login(""));
        assert!(!valid_login("a b"));
        assert!(!valid_login("<script>"));
        assert!(!valid_login(&"a".repeat(65)));
    }
}
