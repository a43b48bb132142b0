//! Progress over UTC days with an injected clock: solves, activity, streaks, badges, and
//! idempotent result writes; each test on SQLite and on a fresh PostgreSQL database.

use reactlab_core::challenge::SourceFile;
use reactlab_core::{Challenge, GradeReport, Verdict};
use reactlab_store::clock::DAY_MS;
use reactlab_store::{ChallengeRow, Db, ManualClock, NewSubmission};
use reactlab_testkit::PgDatabase;
use std::sync::Arc;

fn challenge(slug: &str, difficulty: &str) -> (ChallengeRow, Challenge) {
    let spec = format!("title = \"{slug}\"\ndifficulty = \"{difficulty}\"\n[[test]]\nname = \"t\"\nsteps = [{{ do = \"expect_no_errors\" }}]\n");
    let file = SourceFile { name: "a.jsx".into(), code: "export default () => null;".into() };
    let parsed = Challenge::from_parts(slug, &spec, "s", file.clone(), file.clone()).unwrap();
    let row = ChallengeRow {
        slug: slug.into(),
        spec_toml: spec,
        statement: "s".into(),
        starter: file.clone(),
        reference: file,
        builtin: false,
        version: 1,
        updated_at: 0,
    };
    (row, parsed)
}

fn report(verdict: Verdict) -> GradeReport {
    GradeReport { verdict, tests: vec![], compile_error: None, console: vec![], message: None, duration_ms: 1, screenshot: None }
}

struct World {
    db: Db,
    clock: Arc<ManualClock>,
    user: String,
    all: Vec<(String, String)>,
    _dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

#[derive(Clone, Copy)]
enum Engine {
    Sqlite,
    Postgres,
}

/// Runs a test body on both engines, as two tests.
macro_rules! on_both_engines {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name(super::Engine::Sqlite).await
            }
            #[tokio::test]
            async fn postgres() {
                super::$name(super::Engine::Postgres).await
            }
        }
    };
}

impl World {
    async fn new(engine: Engine) -> World {
        let dir = tempfile::tempdir().unwrap();
        let pg = matches!(engine, Engine::Postgres).then(PgDatabase::create);
        let url = match &pg {
            Some(pg) => pg.url.clone(),
            None => format!("sqlite://{}/t.db", dir.path().display()),
        };
        // 2026-11-23 23:00 UTC: an hour before midnight, so crossing days is easy to see.
        let clock = Arc::new(ManualClock::new(1_795_474_800_000));
        let db = Db::connect_with_clock(&url, clock.clone()).await.unwrap();
        let mut all = vec![];
        for (slug, difficulty) in [("a", "easy"), ("b", "easy"), ("c", "medium")] {
            let (row, parsed) = challenge(slug, difficulty);
            db.create_challenge(&row, &parsed).await.unwrap();
            all.push((slug.to_string(), difficulty.to_string()));
        }
        let user = db.create_user("u", "u@example.com", "hash").await.unwrap().id;
        World { db, clock, user, all, _dir: dir, _pg: pg }
    }

    async fn submit(&self, challenge: &str, verdict: Verdict) -> String {
        let id = NewSubmission::id();
        self.db.create_submission(&NewSubmission { id: id.clone(), user_id: &self.user, challenge, file_name: "App.jsx", code_key: "k" }).await.unwrap();
        assert!(self.db.finish_submission(&id, &report(verdict), None, &self.all).await.unwrap());
        id
    }
}

on_both_engines!(streaks_follow_utc_days_and_badges_are_earned_once);
async fn streaks_follow_utc_days_and_badges_are_earned_once(engine: Engine) {
    let w = World::new(engine).await;
    w.submit("a", Verdict::WrongAnswer).await;
    let p = w.db.profile(&w.user).await.unwrap();
    assert_eq!((p.solved, p.streak.current, p.activity.len()), (0, 0, 0), "a wrong answer is no activity");

    w.submit("a", Verdict::Accepted).await;
    w.submit("a", Verdict::Accepted).await;
    let p = w.db.profile(&w.user).await.unwrap();
    assert_eq!((p.solved, p.streak.current, p.streak.longest), (1, 1, 1));
    assert_eq!((p.activity[0].day.as_str(), p.activity[0].accepted), ("2026-11-23", 2));
    assert_eq!(p.badges.iter().map(|b| b.badge.as_str()).collect::<Vec<_>>(), vec!["first_solve"]);

    // Two hours later it is the next UTC day.
    w.clock.advance(2 * 3_600_000);
    w.submit("b", Verdict::Accepted).await;
    let p = w.db.profile(&w.user).await.unwrap();
    assert_eq!((p.solved, p.streak.current, p.activity.len()), (2, 2, 2));
    assert!(p.badges.iter().any(|b| b.badge == "all_easy"), "{:?}", p.badges);

    // A day with nothing: yesterday's streak still counts today...
    w.clock.advance(DAY_MS);
    assert_eq!(w.db.profile(&w.user).await.unwrap().streak.current, 2);
    // ...and is over the day after.
    w.clock.advance(DAY_MS);
    let p = w.db.profile(&w.user).await.unwrap();
    assert_eq!((p.streak.current, p.streak.longest), (0, 2));

    // Seven days in a row earn the streak badge; solving everything the last one.
    for _ in 0..7 {
        w.submit("a", Verdict::Accepted).await;
        w.clock.advance(DAY_MS);
    }
    w.clock.advance(-DAY_MS);
    let p = w.db.profile(&w.user).await.unwrap();
    assert_eq!((p.streak.current, p.streak.longest), (7, 7));
    assert!(p.badges.iter().any(|b| b.badge == "streak_7"));
    assert!(!p.badges.iter().any(|b| b.badge == "all_challenges"));
    w.submit("c", Verdict::Accepted).await;
    let p = w.db.profile(&w.user).await.unwrap();
    assert_eq!(p.solved, 3);
    let names: Vec<&str> = p.badges.iter().map(|b| b.badge.as_str()).collect();
    assert_eq!(names.iter().filter(|b| **b == "first_solve").count(), 1);
    assert!(names.contains(&"all_challenges"), "{names:?}");

    // Re-submitting a solved challenge wrongly never un-solves it.
    w.submit("c", Verdict::WrongAnswer).await;
    assert_eq!(w.db.profile(&w.user).await.unwrap().solved, 3);
    assert_eq!(w.db.challenge_statuses(&w.user).await.unwrap().get("c"), Some(&true));
}

on_both_engines!(a_late_duplicate_result_never_overwrites_the_first);
async fn a_late_duplicate_result_never_overwrites_the_first(engine: Engine) {
    let w = World::new(engine).await;
    let id = NewSubmission::id();
    w.db.create_submission(&NewSubmission { id: id.clone(), user_id: &w.user, challenge: "a", file_name: "App.jsx", code_key: "k" }).await.unwrap();
    assert_eq!(w.db.outbox(0, 10).await.unwrap(), vec![id.clone()], "accepted submissions wait in the outbox");
    assert!(w.db.mark_running(&id).await.unwrap());
    assert!(w.db.finish_submission(&id, &report(Verdict::Accepted), None, &w.all).await.unwrap());
    assert!(!w.db.finish_submission(&id, &report(Verdict::InternalError), None, &w.all).await.unwrap());
    assert!(!w.db.mark_running(&id).await.unwrap(), "a done submission does not run again");
    let s = w.db.submission(&id).await.unwrap().unwrap();
    assert_eq!(s.report.unwrap().verdict, Verdict::Accepted);
    assert_eq!(w.db.profile(&w.user).await.unwrap().activity[0].accepted, 1, "progress counted once");
}

on_both_engines!(a_schema_behind_is_refused_unless_migrating);
async fn a_schema_behind_is_refused_unless_migrating(engine: Engine) {
    use reactlab_store::{Migrations, StoreError, SystemClock};
    let dir = tempfile::tempdir().unwrap();
    let pg = matches!(engine, Engine::Postgres).then(PgDatabase::create);
    let url = pg.as_ref().map_or_else(|| format!("sqlite://{}/t.db", dir.path().display()), |p| p.url.clone());
    let refused = Db::open(&url, Migrations::Require, Arc::new(SystemClock)).await.err().expect("an empty database is behind");
    assert!(matches!(refused, StoreError::SchemaBehind(ref v) if !v.is_empty()), "{refused}");
    assert!(refused.to_string().contains("reactlab migrate"), "{refused}");
    Db::open(&url, Migrations::Apply, Arc::new(SystemClock)).await.unwrap().close().await;
    Db::open(&url, Migrations::Require, Arc::new(SystemClock)).await.expect("migrated: accepted").close().await;
}

on_both_engines!(a_draft_is_the_learners_own_and_the_last_save_wins);
async fn a_draft_is_the_learners_own_and_the_last_save_wins(engine: Engine) {
    let w = World::new(engine).await;
    let other = w.db.create_user("v", "v@example.com", "hash").await.unwrap().id;
    assert_eq!(w.db.draft(&w.user, "a").await.unwrap(), None);
    w.db.save_draft(&w.user, "a", "first").await.unwrap();
    w.clock.advance(1_000);
    let saved = w.db.save_draft(&w.user, "a", "second").await.unwrap();
    let read = w.db.draft(&w.user, "a").await.unwrap().unwrap();
    assert_eq!((read.code.as_str(), read.updated_at), ("second", saved.updated_at));
    assert_eq!(w.db.draft(&other, "a").await.unwrap(), None, "another learner sees none of it");
    assert_eq!(w.db.draft(&w.user, "b").await.unwrap(), None, "nor another challenge");
    assert!(w.db.delete_draft(&w.user, "a").await.unwrap());
    assert!(!w.db.delete_draft(&w.user, "a").await.unwrap());
    assert_eq!(w.db.draft(&w.user, "a").await.unwrap(), None);
}

on_both_engines!(admin_is_an_accounts_own_granted_and_revoked_by_email);
async fn admin_is_an_accounts_own_granted_and_revoked_by_email(engine: Engine) {
    let w = World::new(engine).await;
    let other = w.db.create_user("v", "v@example.com", "hash").await.unwrap();
    assert!(!other.is_admin, "a new account is no admin");
    let granted = w.db.set_admin("U@Example.com", true).await.unwrap().expect("the account exists");
    assert!(granted.is_admin && granted.id == w.user);
    assert!(w.db.user(&w.user).await.unwrap().unwrap().is_admin);
    let session = w.db.create_session(&w.user, 60_000).await.unwrap();
    assert!(w.db.session_user(&session.token).await.unwrap().unwrap().is_admin, "a live session sees it at once");
    assert!(!w.db.user(&other.id).await.unwrap().unwrap().is_admin, "no one else is");
    assert!(!w.db.set_admin("u@example.com", false).await.unwrap().unwrap().is_admin);
    assert!(!w.db.session_user(&session.token).await.unwrap().unwrap().is_admin);
    assert_eq!(w.db.set_admin("nobody@example.com", true).await.unwrap(), None);
}

on_both_engines!(a_registration_that_collides_names_the_field_even_when_it_loses_a_race);
async fn a_registration_that_collides_names_the_field_even_when_it_loses_a_race(engine: Engine) {
    use reactlab_store::StoreError;
    let w = World::new(engine).await;
    let field = |r: Result<_, StoreError>| match r {
        Err(StoreError::Conflict(field)) => field,
        other => panic!("expected a conflict, got {other:?}"),
    };
    assert_eq!(field(w.db.create_user("u", "new@example.com", "hash").await), "username");
    assert_eq!(field(w.db.create_user("new", "U@example.com", "hash").await), "email");
    // Many registrations of one e-mail at once, each under another name: one wins; every
    // other one, whether the check or the insert caught it, says the e-mail collided.
    let mut attempts = tokio::task::JoinSet::new();
    for i in 0..16 {
        let db = w.db.clone();
        attempts.spawn(async move { db.create_user(&format!("racer{i}"), "race@example.com", "hash").await });
    }
    let results = attempts.join_all().await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "exactly one account holds the e-mail");
    for r in results.into_iter().filter(|r| r.is_err()) {
        assert_eq!(field(r), "email");
    }
}
