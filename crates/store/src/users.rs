use crate::{Db, StoreError, new_id};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: String,
    pub username: String,
    pub email: String,
    pub created_at: i64,
    /// May author challenges and run the queue (`reactlab admin grant`).
    pub is_admin: bool,
}

impl User {
    fn from_row(row: &AnyRow) -> Result<User, sqlx::Error> {
        Ok(User {
            id: row.try_get("id")?,
            username: row.try_get("username")?,
            email: row.try_get("email")?,
            created_at: row.try_get("created_at")?,
            is_admin: row.try_get::<i64, _>("is_admin")? != 0,
        })
    }
}

/// A new session: the token is shown once, only its hash is kept.
pub struct Session {
    pub token: String,
    pub expires_at: i64,
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Db {
    /// Creates a user; `Conflict("username"|"email")` when either is taken. `email` is
    /// compared case-insensitively (stored lower-case).
    pub async fn create_user(&self, username: &str, email: &str, password_hash: &str) -> Result<User, StoreError> {
        let email = email.to_lowercase();
        if let Some(field) = self.taken(username, &email).await? {
            return Err(StoreError::Conflict(field));
        }
        let user = User { id: new_id(), username: username.to_string(), email, created_at: self.now_ms(), is_admin: false };
        let inserted = sqlx::query("INSERT INTO users (id, username, email, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&user.id)
            .bind(&user.username)
            .bind(&user.email)
            .bind(password_hash)
            .bind(user.created_at)
            .execute(&self.pool)
            .await;
        match inserted {
            Ok(_) => Ok(user),
            // A concurrent registration won the race between the check and the insert: the
            // winner's row is there now, so the check names the field that collided.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StoreError::Conflict(self.taken(&user.username, &user.email).await?.unwrap_or("username")))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Which of a new account's unique fields another account holds, username first.
    async fn taken(&self, username: &str, email: &str) -> Result<Option<&'static str>, StoreError> {
        for (field, value) in [("username", username), ("email", email)] {
            let taken = sqlx::query(&format!("SELECT 1 FROM users WHERE {field} = $1")).bind(value).fetch_optional(&self.pool).await?;
            if taken.is_some() {
                return Ok(Some(field));
            }
        }
        Ok(None)
    }

    /// The user with this e-mail and their password hash.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query("SELECT id, username, email, created_at, is_admin, password_hash FROM users WHERE email = $1")
            .bind(email.to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(row) => Some((User::from_row(&row)?, row.try_get("password_hash")?)),
            None => None,
        })
    }

    pub async fn user(&self, id: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query("SELECT id, username, email, created_at, is_admin FROM users WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| User::from_row(&r)).transpose()?)
    }

    /// Grants or revokes admin to the account with this e-mail; `None` when there is none.
    pub async fn set_admin(&self, email: &str, admin: bool) -> Result<Option<User>, StoreError> {
        sqlx::query("UPDATE users SET is_admin = $1 WHERE email = $2").bind(i64::from(admin)).bind(email.to_lowercase()).execute(&self.pool).await?;
        Ok(self.user_by_email(email).await?.map(|(user, _)| user))
    }

    /// Opens a session for `user_id` that expires after `ttl_ms`.
    pub async fn create_session(&self, user_id: &str, ttl_ms: i64) -> Result<Session, StoreError> {
        let mut raw = [0u8; 32];
        rand::rng().fill_bytes(&mut raw);
        let token = hex::encode(raw);
        let now = self.now_ms();
        let session = Session { token, expires_at: now + ttl_ms };
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash(&session.token))
            .bind(user_id)
            .bind(now)
            .bind(session.expires_at)
            .execute(&self.pool)
            .await?;
        Ok(session)
    }

    /// The user of a live (unexpired, unrevoked) session token.
    pub async fn session_user(&self, token: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.email, u.created_at, u.is_admin FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2",
        )
        .bind(token_hash(token))
        .bind(self.now_ms())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| User::from_row(&r)).transpose()?)
    }

    /// Revokes a session; revoking an unknown or revoked one is not an error.
    pub async fn revoke_session(&self, token: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL")
            .bind(self.now_ms())
            .bind(token_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
