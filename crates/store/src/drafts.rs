//! Drafts: the code a learner is writing for a challenge, saved as they type, one per
//! learner and challenge, last write wins.

use crate::{Db, StoreError};
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Draft {
    pub code: String,
    /// Milliseconds since the Unix epoch.
    pub updated_at: i64,
}

impl Db {
    /// Saves the learner's draft for a challenge, replacing the one before.
    pub async fn save_draft(&self, user_id: &str, challenge: &str, code: &str) -> Result<Draft, StoreError> {
        let updated_at = self.now_ms();
        sqlx::query(
            "INSERT INTO drafts (user_id, challenge, code, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, challenge) DO UPDATE SET code = excluded.code, updated_at = excluded.updated_at",
        )
        .bind(user_id)
        .bind(challenge)
        .bind(code)
        .bind(updated_at)
        .execute(&self.pool)
        .await?;
        Ok(Draft { code: code.to_string(), updated_at })
    }

    pub async fn draft(&self, user_id: &str, challenge: &str) -> Result<Option<Draft>, StoreError> {
        let row = sqlx::query("SELECT code, updated_at FROM drafts WHERE user_id = $1 AND challenge = $2")
            .bind(user_id)
            .bind(challenge)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(row) => Some(Draft { code: row.try_get("code")?, updated_at: row.try_get("updated_at")? }),
            None => None,
        })
    }

    /// Forgets the draft (the learner went back to the starter); true when there was one.
    pub async fn delete_draft(&self, user_id: &str, challenge: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM drafts WHERE user_id = $1 AND challenge = $2").bind(user_id).bind(challenge).execute(&self.pool).await?;
        Ok(done.rows_affected() > 0)
    }
}
