//! Progress: solved challenges, daily activity, streaks over UTC days, badges.

use crate::clock::{day_string, utc_day};
use crate::{Db, StoreError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Badge {
    /// The first challenge solved.
    FirstSolve,
    /// Every easy challenge solved.
    AllEasy,
    /// Accepted submissions on 7 consecutive UTC days.
    Streak7,
    /// Every challenge solved.
    AllChallenges,
}

impl Badge {
    pub fn as_str(self) -> &'static str {
        match self {
            Badge::FirstSolve => "first_solve",
            Badge::AllEasy => "all_easy",
            Badge::Streak7 => "streak_7",
            Badge::AllChallenges => "all_challenges",
        }
    }

    /// The badges the user's progress (as of this transaction) earns.
    pub(crate) async fn earned(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        user_id: &str,
        all_challenges: &[(String, String)],
    ) -> Result<Vec<Badge>, StoreError> {
        let solved: HashSet<String> = sqlx::query("SELECT challenge FROM solves WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.try_get("challenge"))
            .collect::<Result<_, _>>()?;
        let days: Vec<i64> = sqlx::query("SELECT day FROM activity WHERE user_id = $1 ORDER BY day")
            .bind(user_id)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.try_get("day"))
            .collect::<Result<_, _>>()?;
        let mut badges = Vec::new();
        if !solved.is_empty() {
            badges.push(Badge::FirstSolve);
        }
        let easy: Vec<&String> = all_challenges.iter().filter(|(_, d)| d == "easy").map(|(s, _)| s).collect();
        if !easy.is_empty() && easy.iter().all(|s| solved.contains(*s)) {
            badges.push(Badge::AllEasy);
        }
        if longest_run(&days) >= 7 {
            badges.push(Badge::Streak7);
        }
        if !all_challenges.is_empty() && all_challenges.iter().all(|(s, _)| solved.contains(s)) {
            badges.push(Badge::AllChallenges);
        }
        Ok(badges)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Streak {
    /// Consecutive UTC days with an accepted submission, ending today (or yesterday: a
    /// streak stays alive until the day without one is over).
    pub current: u32,
    pub longest: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DayActivity {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub accepted: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EarnedBadge {
    pub badge: String,
    pub awarded_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Profile {
    pub solved: u32,
    pub streak: Streak,
    /// Days with accepted submissions in the last year, oldest first.
    pub activity: Vec<DayActivity>,
    pub badges: Vec<EarnedBadge>,
}

/// The longest run of consecutive days in a sorted list.
fn longest_run(days: &[i64]) -> u32 {
    let (mut longest, mut run) = (0, 0);
    for (i, day) in days.iter().enumerate() {
        run = if i > 0 && days[i - 1] + 1 == *day { run + 1 } else { 1 };
        longest = longest.max(run);
    }
    longest
}

/// The streak of a sorted list of active days, seen on `today`.
pub fn streak(days: &[i64], today: i64) -> Streak {
    let mut current = 0;
    if let Some(&last) = days.last()
        && (last == today || last == today - 1)
    {
        current = 1;
        for pair in days.windows(2).rev() {
            if pair[0] + 1 != pair[1] {
                break;
            }
            current += 1;
        }
    }
    Streak { current, longest: longest_run(days) }
}

impl Db {
    pub async fn profile(&self, user_id: &str) -> Result<Profile, StoreError> {
        let today = utc_day(self.now_ms());
        let solved: i64 = sqlx::query("SELECT COUNT(*) AS n FROM solves WHERE user_id = $1").bind(user_id).fetch_one(&self.pool).await?.try_get("n")?;
        let rows = sqlx::query("SELECT day, accepted FROM activity WHERE user_id = $1 ORDER BY day").bind(user_id).fetch_all(&self.pool).await?;
        let mut days = Vec::with_capacity(rows.len());
        let mut activity = Vec::new();
        for r in &rows {
            let day: i64 = r.try_get("day")?;
            days.push(day);
            if day > today - 366 {
                activity.push(DayActivity { day: day_string(day), accepted: r.try_get("accepted")? });
            }
        }
        let badges = sqlx::query("SELECT badge, awarded_at FROM badges WHERE user_id = $1 ORDER BY awarded_at, badge")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok(EarnedBadge { badge: r.try_get("badge")?, awarded_at: r.try_get("awarded_at")? }))
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(Profile { solved: solved as u32, streak: streak(&days, today), activity, badges })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaks_count_consecutive_days_and_survive_until_a_day_is_missed() {
        assert_eq!(streak(&[], 100), Streak { current: 0, longest: 0 });
        assert_eq!(streak(&[100], 100), Streak { current: 1, longest: 1 });
        // Yesterday's streak is still current today.
        assert_eq!(streak(&[97, 98, 99], 100), Streak { current: 3, longest: 3 });
        // A whole day without one breaks it.
        assert_eq!(streak(&[97, 98], 100), Streak { current: 0, longest: 2 });
        assert_eq!(streak(&[90, 91, 92, 93, 99, 100], 100), Streak { current: 2, longest: 4 });
    }
}
