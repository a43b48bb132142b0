use crate::{Db, StoreError};
use reactlab_core::challenge::SourceFile;
use reactlab_core::{Challenge, LoadError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// A challenge as stored: its sources, so that workers on other machines grade exactly
/// what an admin saved. `version` grows with every change.
#[derive(Debug, Clone, PartialEq)]
pub struct ChallengeRow {
    pub slug: String,
    pub spec_toml: String,
    pub statement: String,
    pub starter: SourceFile,
    pub reference: SourceFile,
    pub builtin: bool,
    pub version: i64,
    pub updated_at: i64,
}

impl ChallengeRow {
    /// Parses and validates the stored sources.
    pub fn to_challenge(&self) -> Result<Challenge, LoadError> {
        Challenge::from_parts(&self.slug, &self.spec_toml, &self.statement, self.starter.clone(), self.reference.clone())
    }

    fn from_row(row: &AnyRow) -> Result<ChallengeRow, sqlx::Error> {
        Ok(ChallengeRow {
            slug: row.try_get("slug")?,
            spec_toml: row.try_get("spec_toml")?,
            statement: row.try_get("statement")?,
            starter: SourceFile { name: row.try_get("starter_name")?, code: row.try_get("starter_code")? },
            reference: SourceFile { name: row.try_get("reference_name")?, code: row.try_get("reference_code")? },
            builtin: row.try_get::<i64, _>("builtin")? != 0,
            version: row.try_get("version")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

/// A line of the challenge list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ChallengeSummary {
    pub slug: String,
    pub title: String,
    pub difficulty: String,
    pub tags: Vec<String>,
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds `$1`…`$10`, the columns written by both insert and update.
fn bind_sources<'q>(query: AnyQuery<'q>, row: &'q ChallengeRow, parsed: &'q Challenge) -> AnyQuery<'q> {
    query
        .bind(&row.slug)
        .bind(&parsed.spec.title)
        .bind(parsed.spec.difficulty.as_str())
        .bind(serde_json::to_string(&parsed.spec.tags).unwrap_or_else(|_| "[]".into()))
        .bind(&row.spec_toml)
        .bind(&row.statement)
        .bind(&row.starter.name)
        .bind(&row.starter.code)
        .bind(&row.reference.name)
        .bind(&row.reference.code)
}

const COLUMNS: &str = "slug, spec_toml, statement, starter_name, starter_code, reference_name, reference_code, builtin, version, updated_at";

impl Db {
    /// Writes a built-in challenge at start-up: inserted when new, updated (its version
    /// bumped) when its files changed, untouched otherwise.
    pub async fn sync_builtin(&self, challenge: &Challenge, spec_toml: &str, position: i64) -> Result<(), StoreError> {
        let row = ChallengeRow {
            slug: challenge.slug.clone(),
            spec_toml: spec_toml.to_string(),
            statement: challenge.statement.clone(),
            starter: challenge.starter.clone(),
            reference: challenge.reference.clone(),
            builtin: true,
            version: 1,
            updated_at: self.now_ms(),
        };
        match self.challenge(&challenge.slug).await? {
            // Several API processes may start at once: the one that loses the race to
            // insert finds the row there, which is what it wanted.
            None => match self.insert_challenge(&row, challenge, position).await {
                Err(StoreError::Database(e)) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => Ok(()),
                other => other,
            },
            Some(old) if old.spec_toml == row.spec_toml && old.statement == row.statement && old.starter == row.starter && old.reference == row.reference => {
                Ok(())
            }
            Some(_) => self.update_challenge(&row, challenge).await.map(|_| ()),
        }
    }

    /// Adds a challenge; `Conflict("slug")` when the slug exists.
    pub async fn create_challenge(&self, row: &ChallengeRow, parsed: &Challenge) -> Result<(), StoreError> {
        if self.challenge(&row.slug).await?.is_some() {
            return Err(StoreError::Conflict("slug"));
        }
        let position: i64 = sqlx::query("SELECT COALESCE(MAX(position), 0) + 1 AS next FROM challenges").fetch_one(&self.pool).await?.try_get("next")?;
        self.insert_challenge(row, parsed, position).await
    }

    async fn insert_challenge(&self, row: &ChallengeRow, parsed: &Challenge, position: i64) -> Result<(), StoreError> {
        let query = sqlx::query(
            "INSERT INTO challenges (slug, title, difficulty, tags, spec_toml, statement, starter_name, starter_code, reference_name, reference_code, builtin, position, version, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13)",
        );
        bind_sources(query, row, parsed).bind(i64::from(row.builtin)).bind(position).bind(self.now_ms()).execute(&self.pool).await?;
        Ok(())
    }

    /// Replaces a challenge's sources; returns the new version. `NotFound` when absent.
    pub async fn update_challenge(&self, row: &ChallengeRow, parsed: &Challenge) -> Result<i64, StoreError> {
        let query = sqlx::query(
            "UPDATE challenges SET title = $2, difficulty = $3, tags = $4, spec_toml = $5, statement = $6, starter_name = $7, starter_code = $8, \
             reference_name = $9, reference_code = $10, version = version + 1, updated_at = $11 WHERE slug = $1 RETURNING version",
        );
        let updated = bind_sources(query, row, parsed).bind(self.now_ms()).fetch_optional(&self.pool).await?;
        match updated {
            Some(r) => Ok(r.try_get("version")?),
            None => Err(StoreError::NotFound),
        }
    }

    pub async fn challenge(&self, slug: &str) -> Result<Option<ChallengeRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM challenges WHERE slug = $1")).bind(slug).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| ChallengeRow::from_row(&r)).transpose()?)
    }

    /// Every challenge, in catalog order.
    pub async fn challenge_list(&self) -> Result<Vec<ChallengeSummary>, StoreError> {
        let rows = sqlx::query("SELECT slug, title, difficulty, tags FROM challenges ORDER BY position, slug").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let tags: String = r.try_get("tags")?;
                Ok(ChallengeSummary {
                    slug: r.try_get("slug")?,
                    title: r.try_get("title")?,
                    difficulty: r.try_get("difficulty")?,
                    tags: serde_json::from_str(&tags).map_err(|e| StoreError::Corrupt(format!("challenge tags: {e}")))?,
                })
            })
            .collect()
    }

    /// For each challenge the user submitted to: `true` when solved, `false` when only attempted.
    pub async fn challenge_statuses(&self, user_id: &str) -> Result<HashMap<String, bool>, StoreError> {
        let mut out = HashMap::new();
        for r in sqlx::query("SELECT DISTINCT challenge FROM submissions WHERE user_id = $1").bind(user_id).fetch_all(&self.pool).await? {
            out.insert(r.try_get("challenge")?, false);
        }
        for r in sqlx::query("SELECT challenge FROM solves WHERE user_id = $1").bind(user_id).fetch_all(&self.pool).await? {
            out.insert(r.try_get("challenge")?, true);
        }
        Ok(out)
    }
}
