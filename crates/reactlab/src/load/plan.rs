//! What the virtual users submit and how much: right solutions (each challenge's reference
//! and `pass-*` fixtures) and wrong ones (its starter and `fail-*` fixtures), the same files
//! `reactlab challenges check` proves, so every verdict has a known expectation.

use crate::catalog;
use anyhow::{Context, bail};
use reactlab_core::{Challenge, SourceFile};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct Solution {
    pub challenge: String,
    /// The file it came from, e.g. `fixtures/fail-adds-two.jsx`, for reports.
    pub file: String,
    pub code: String,
    /// `jsx` or `tsx`, from the file's extension (the API's `language`).
    pub language: &'static str,
    /// Whether the judge should accept it.
    pub right: bool,
}

impl Solution {
    fn new(challenge: &Challenge, file: String, source: &SourceFile, right: bool) -> Solution {
        let language = if source.name.ends_with(".tsx") { "tsx" } else { "jsx" };
        Solution { challenge: challenge.slug.clone(), file, code: source.code.clone(), language, right }
    }
}

pub struct Plan {
    right: Vec<Solution>,
    wrong: Vec<Solution>,
    /// Fraction of submissions drawn from `wrong`.
    mix: f64,
}

impl Plan {
    /// The solutions of the catalog in `dir`, of the challenges named in `only` (all when empty).
    pub fn from_catalog(dir: &Path, only: &[String], mix: f64) -> anyhow::Result<Plan> {
        let loaded = catalog::load_all(dir).map_err(anyhow::Error::msg).with_context(|| format!("the catalog {} does not load", dir.display()))?;
        let unknown: Vec<&str> = only.iter().filter(|slug| !loaded.challenges.iter().any(|c| &c.slug == *slug)).map(String::as_str).collect();
        if !unknown.is_empty() {
            bail!("--challenges: not in {}: {}", dir.display(), unknown.join(", "));
        }
        let (mut right, mut wrong) = (Vec::new(), Vec::new());
        for c in loaded.challenges.iter().filter(|c| only.is_empty() || only.contains(&c.slug)) {
            right.push(Solution::new(c, c.reference.name.clone(), &c.reference, true));
            wrong.push(Solution::new(c, c.starter.name.clone(), &c.starter, false));
            for f in &c.fixtures {
                let pool = if f.should_pass { &mut right } else { &mut wrong };
                pool.push(Solution::new(c, format!("fixtures/{}", f.file.name), &f.file, f.should_pass));
            }
        }
        if right.is_empty() {
            bail!("no challenges in {}", dir.display());
        }
        Ok(Plan { right, wrong, mix })
    }

    /// The solution for the `ticket`-th submission of the run. Deterministic, so two runs
    /// with the same flags send the same sequence: wrong ones spread evenly at the `mix`
    /// rate (ticket t is wrong when ⌊(t+1)·mix⌋ > ⌊t·mix⌋), each pool walked in a scrambled
    /// order so consecutive submissions hit different challenges.
    pub fn pick(&self, ticket: u64) -> &Solution {
        let wrong = ((ticket + 1) as f64 * self.mix).floor() > (ticket as f64 * self.mix).floor();
        let pool = if wrong { &self.wrong } else { &self.right };
        &pool[(scramble(ticket) % pool.len() as u64) as usize]
    }

    pub fn challenges(&self) -> usize {
        self.right.iter().map(|s| s.challenge.as_str()).collect::<std::collections::BTreeSet<_>>().len()
    }
}

/// SplitMix64's finaliser: a bijection on u64 that spreads consecutive tickets apart.
fn scramble(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// How many submissions the run may start, and until when. Users take tickets until it
/// runs out, so fast users do more and the total is exact.
pub struct Budget {
    taken: AtomicU64,
    limit: u64,
    until: Instant,
    stopped: AtomicBool,
}

impl Budget {
    pub fn new(limit: u64, until: Instant) -> Budget {
        Budget { taken: AtomicU64::new(0), limit, until, stopped: AtomicBool::new(false) }
    }

    /// The next ticket, or `None` when the count, the time or an interrupt says stop.
    pub fn take(&self) -> Option<u64> {
        if self.stopped.load(Ordering::Relaxed) || Instant::now() >= self.until {
            return None;
        }
        let ticket = self.taken.fetch_add(1, Ordering::Relaxed);
        (ticket < self.limit).then_some(ticket)
    }

    /// No more tickets (Ctrl-C): submissions already sent are still awaited.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
    }

    pub fn until(&self) -> Instant {
        self.until
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::time::Duration;

    fn catalog() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../challenges")
    }

    #[test]
    fn the_mix_sets_the_share_of_wrong_solutions_and_their_expectations() {
        let plan = Plan::from_catalog(&catalog(), &[], 0.3).unwrap();
        let picks: Vec<&Solution> = (0..1000).map(|t| plan.pick(t)).collect();
        assert_eq!(picks.iter().filter(|s| !s.right).count(), 300);
        assert!(picks.iter().filter(|s| s.right).all(|s| s.file.starts_with("reference.") || s.file.starts_with("fixtures/pass-")));
        assert!(picks.iter().filter(|s| !s.right).all(|s| s.file.starts_with("starter.") || s.file.starts_with("fixtures/fail-")));
        assert!(picks.iter().any(|s| s.language == "tsx"));
        let all_right = Plan::from_catalog(&catalog(), &[], 0.0).unwrap();
        assert!((0..200).all(|t| all_right.pick(t).right));
        let all_wrong = Plan::from_catalog(&catalog(), &[], 1.0).unwrap();
        assert!((0..200).all(|t| !all_wrong.pick(t).right));
    }

    #[test]
    fn a_subset_draws_only_from_its_challenges_and_spreads_over_them() {
        let only = vec!["counter".to_string(), "tabs".to_string()];
        let plan = Plan::from_catalog(&catalog(), &only, 0.5).unwrap();
        assert_eq!(plan.challenges(), 2);
        let picks: Vec<&Solution> = (0..40).map(|t| plan.pick(t)).collect();
        assert!(picks.iter().all(|s| only.contains(&s.challenge)));
        assert!(picks.iter().any(|s| s.challenge == "counter") && picks.iter().any(|s| s.challenge == "tabs"));
        let e = Plan::from_catalog(&catalog(), &["counter".into(), "no-such".into()], 0.3).err().unwrap().to_string();
        assert!(e.contains("no-such"), "{e}");
    }

    #[test]
    fn the_budget_hands_out_exactly_its_tickets() {
        let budget = Budget::new(3, Instant::now() + Duration::from_secs(60));
        assert_eq!((0..5).map(|_| budget.take()).collect::<Vec<_>>(), [Some(0), Some(1), Some(2), None, None]);
        let stopped = Budget::new(10, Instant::now() + Duration::from_secs(60));
        stopped.stop();
        assert_eq!(stopped.take(), None);
        assert_eq!(Budget::new(10, Instant::now()).take(), None);
    }
}
