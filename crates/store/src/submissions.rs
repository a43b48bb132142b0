use crate::clock::utc_day;
use crate::progress::Badge;
use crate::{Db, StoreError, new_id};
use reactlab_core::{GradeReport, Verdict};
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    Queued,
    Running,
    Done,
}

impl SubmissionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionStatus::Queued => "queued",
            SubmissionStatus::Running => "running",
            SubmissionStatus::Done => "done",
        }
    }
    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "queued" => Ok(SubmissionStatus::Queued),
            "running" => Ok(SubmissionStatus::Running),
            "done" => Ok(SubmissionStatus::Done),
            other => Err(StoreError::Corrupt(format!("submission status {other:?}"))),
        }
    }
}

pub struct NewSubmission<'a> {
    pub id: String,
    pub user_id: &'a str,
    pub challenge: &'a str,
    pub file_name: &'a str,
    pub code_key: &'a str,
}

impl NewSubmission<'_> {
    pub fn id() -> String {
        new_id()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub id: String,
    pub user_id: String,
    pub challenge: String,
    pub file_name: String,
    pub code_key: String,
    pub status: SubmissionStatus,
    pub report: Option<GradeReport>,
    pub screenshot_key: Option<String>,
    pub attempts: i64,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

impl Submission {
    fn from_row(row: &AnyRow) -> Result<Submission, StoreError> {
        let result: Option<String> = row.try_get("result")?;
        let report = match result {
            Some(json) => Some(serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("submission result: {e}")))?),
            None => None,
        };
        Ok(Submission {
            id: row.try_get("id")?,
            user_id: row.try_get("user_id")?,
            challenge: row.try_get("challenge")?,
            file_name: row.try_get("file_name")?,
            code_key: row.try_get("code_key")?,
            status: SubmissionStatus::parse(&row.try_get::<String, _>("status")?)?,
            report,
            screenshot_key: row.try_get("screenshot_key")?,
            attempts: row.try_get("attempts")?,
            created_at: row.try_get("created_at")?,
            started_at: row.try_get("started_at")?,
            finished_at: row.try_get("finished_at")?,
        })
    }
}

const COLUMNS: &str = "id, user_id, challenge, file_name, code_key, status, result, screenshot_key, attempts, created_at, started_at, finished_at";

impl Db {
    /// Records an accepted submission and its outbox entry in one transaction: once this
    /// returns, the submission reaches the queue even if the process dies right after.
    pub async fn create_submission(&self, new: &NewSubmission<'_>) -> Result<Submission, StoreError> {
        let now = self.now_ms();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO submissions (id, user_id, challenge, file_name, code_key, status, attempts, created_at) VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6)",
        )
        .bind(&new.id)
        .bind(new.user_id)
        .bind(new.challenge)
        .bind(new.file_name)
        .bind(new.code_key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO outbox (submission_id, created_at) VALUES ($1, $2)").bind(&new.id).bind(now).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Submission {
            id: new.id.clone(),
            user_id: new.user_id.into(),
            challenge: new.challenge.into(),
            file_name: new.file_name.into(),
            code_key: new.code_key.into(),
            status: SubmissionStatus::Queued,
            report: None,
            screenshot_key: None,
            attempts: 0,
            created_at: now,
            started_at: None,
            finished_at: None,
        })
    }

    pub async fn submission(&self, id: &str) -> Result<Option<Submission>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM submissions WHERE id = $1")).bind(id).fetch_optional(&self.pool).await?;
        row.map(|r| Submission::from_row(&r)).transpose()
    }

    /// A user's submissions, newest first; `before` is the id of the last one of the
    /// previous page (ids are time-ordered).
    pub async fn submissions_of(&self, user_id: &str, challenge: Option<&str>, before: Option<&str>, limit: i64) -> Result<Vec<Submission>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM submissions WHERE user_id = $1 AND ($2 IS NULL OR challenge = $2) AND ($3 IS NULL OR id < $3) ORDER BY id DESC LIMIT $4"
        ))
        .bind(user_id)
        .bind(challenge)
        .bind(before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(Submission::from_row).collect()
    }

    /// Marks a submission as being graded (another attempt); `false` when it is already done.
    pub async fn mark_running(&self, id: &str) -> Result<bool, StoreError> {
        let r = sqlx::query("UPDATE submissions SET status = 'running', started_at = $2, attempts = attempts + 1 WHERE id = $1 AND status <> 'done'")
            .bind(id)
            .bind(self.now_ms())
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Stores the result and the progress it earns, once: `false` (and nothing written) when
    /// the submission is already done, so a late duplicate never overwrites a result.
    pub async fn finish_submission(
        &self,
        id: &str,
        report: &GradeReport,
        screenshot_key: Option<&str>,
        all_challenges: &[(String, String)],
    ) -> Result<bool, StoreError> {
        let now = self.now_ms();
        let json = serde_json::to_string(report).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE submissions SET status = 'done', verdict = $2, result = $3, screenshot_key = $4, finished_at = $5 WHERE id = $1 AND status <> 'done' RETURNING user_id, challenge",
        )
        .bind(id)
        .bind(report.verdict.as_str())
        .bind(&json)
        .bind(screenshot_key)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = updated else {
            return Ok(false);
        };
        if report.verdict == Verdict::Accepted {
            let user_id: String = row.try_get("user_id")?;
            let challenge: String = row.try_get("challenge")?;
            sqlx::query(
                "INSERT INTO solves (user_id, challenge, submission_id, solved_at) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, challenge) DO NOTHING",
            )
            .bind(&user_id)
            .bind(&challenge)
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO activity (user_id, day, accepted) VALUES ($1, $2, 1) ON CONFLICT (user_id, day) DO UPDATE SET accepted = activity.accepted + 1",
            )
            .bind(&user_id)
            .bind(utc_day(now))
            .execute(&mut *tx)
            .await?;
            for badge in Badge::earned(&mut tx, &user_id, all_challenges).await? {
                sqlx::query("INSERT INTO badges (user_id, badge, awarded_at) VALUES ($1, $2, $3) ON CONFLICT (user_id, badge) DO NOTHING")
                    .bind(&user_id)
                    .bind(badge.as_str())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Submissions accepted but perhaps not yet on the queue, oldest first.
    pub async fn outbox(&self, older_than_ms: i64, limit: i64) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT submission_id FROM outbox WHERE created_at <= $1 ORDER BY created_at LIMIT $2")
            .bind(self.now_ms() - older_than_ms)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(|r| r.try_get("submission_id")).collect::<Result<_, _>>()?)
    }

    /// Submissions accepted at least `older_than_ms` ago and not graded yet, oldest first:
    /// the queue should hold each of them (a Redis that lost its data would not).
    pub async fn unfinished(&self, older_than_ms: i64, limit: i64) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT id FROM submissions WHERE status IN ('queued', 'running') AND created_at <= $1 ORDER BY created_at LIMIT $2")
            .bind(self.now_ms() - older_than_ms)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?)
    }

    /// Puts a submission that ended in `internal_error` back to `queued` (an operator retries
    /// it); `false` when it is not in that state.
    pub async fn reopen_submission(&self, id: &str) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE submissions SET status = 'queued', verdict = NULL, result = NULL, screenshot_key = NULL, started_at = NULL, finished_at = NULL \
             WHERE id = $1 AND status = 'done' AND verdict = 'internal_error'",
        )
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn outbox_done(&self, submission_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM outbox WHERE submission_id = $1").bind(submission_id).execute(&self.pool).await?;
        Ok(())
    }
}
