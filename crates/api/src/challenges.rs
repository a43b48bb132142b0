//! The catalog: listing and reading challenges, and admin authoring.

use crate::cache::{CHALLENGE_LIST, cached};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Admin, Body, MaybeUser};
use crate::state::Shared;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use reactlab_core::challenge::SourceFile;
use reactlab_core::requirement::CoverageError;
use reactlab_core::{Challenge, GradeReport, Verdict};
use reactlab_store::{ChallengeRow, ChallengeSummary};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Progress {
    Solved,
    Attempted,
}

#[derive(Serialize, JsonSchema)]
pub struct ChallengeListItem {
    #[serde(flatten)]
    pub summary: ChallengeSummary,
    /// The caller's progress; null when signed out or not tried.
    pub status: Option<Progress>,
}

#[derive(Serialize, JsonSchema)]
pub struct ChallengeList {
    pub challenges: Vec<ChallengeListItem>,
}

#[derive(Serialize, JsonSchema)]
pub struct TestView {
    pub name: String,
    /// The ids of the statement's requirements this test checks.
    pub checks: Vec<String>,
    /// Each step in plain English.
    pub steps: Vec<String>,
}

impl TestView {
    fn of(c: &Challenge) -> Vec<TestView> {
        c.spec
            .tests
            .iter()
            .map(|t| TestView { name: t.name.clone(), checks: t.checks.clone(), steps: t.steps.iter().map(|s| s.get_ref().to_string()).collect() })
            .collect()
    }
}

/// One item of the statement's requirement list.
#[derive(Serialize, JsonSchema)]
pub struct RequirementView {
    /// Short id, as the tests name it (`starts-at-zero`).
    pub id: String,
    /// Markdown.
    pub text: String,
}

#[derive(Serialize, JsonSchema)]
pub struct ChallengeView {
    pub slug: String,
    pub title: String,
    pub difficulty: String,
    pub tags: Vec<String>,
    /// Markdown.
    pub statement: String,
    pub starter: SourceFile,
    /// The statement's requirements, each checked by at least one test.
    pub requirements: Vec<RequirementView>,
    pub tests: Vec<TestView>,
    pub version: i64,
    pub status: Option<Progress>,
}

/// A challenge as an admin writes it: the same parts as a challenge folder.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeInput {
    /// Lower-case letters, digits and `-`. Required on create; on update, if given, it
    /// must match the URL.
    #[serde(default)]
    pub slug: Option<String>,
    /// The `challenge.toml` text (see docs/challenge-format.md).
    pub spec_toml: String,
    /// Markdown.
    pub statement: String,
    pub starter: SourceFile,
    pub reference: SourceFile,
}

/// A challenge's sources, for editing.
#[derive(Serialize, JsonSchema)]
pub struct ChallengeSource {
    pub slug: String,
    pub spec_toml: String,
    pub statement: String,
    pub starter: SourceFile,
    pub reference: SourceFile,
    pub version: i64,
    pub builtin: bool,
}

#[derive(Serialize, JsonSchema)]
pub struct Validation {
    /// The tests as they would read, when the challenge is valid.
    pub tests: Vec<TestView>,
}

#[derive(Serialize, JsonSchema)]
pub struct VerifyResponse {
    /// The reference is accepted and the starter is not.
    pub ok: bool,
    pub reference: GradeReport,
    pub starter: GradeReport,
}

fn progress(statuses: &std::collections::HashMap<String, bool>, slug: &str) -> Option<Progress> {
    statuses.get(slug).map(|solved| if *solved { Progress::Solved } else { Progress::Attempted })
}

pub async fn list(State(state): State<Shared>, MaybeUser(user): MaybeUser) -> ApiResult<Json<ChallengeList>> {
    let db = state.db.clone();
    let bytes = cached(state.cache.as_ref(), CHALLENGE_LIST, async move { Ok(db.challenge_list().await?) }).await?;
    let summaries: Vec<ChallengeSummary> = serde_json::from_slice(&bytes).map_err(ApiError::internal)?;
    let statuses = match &user {
        Some(u) => state.db.challenge_statuses(&u.user.id).await?,
        None => Default::default(),
    };
    let challenges = summaries.into_iter().map(|summary| ChallengeListItem { status: progress(&statuses, &summary.slug), summary }).collect();
    Ok(Json(ChallengeList { challenges }))
}

async fn load(state: &Shared, slug: &str) -> ApiResult<(ChallengeRow, Challenge)> {
    let row = state.db.challenge(slug).await?.ok_or(ApiError::NotFound { what: "challenge" })?;
    let challenge = row.to_challenge().map_err(|e| ApiError::internal(anyhow::anyhow!("stored challenge {slug} does not load: {e}")))?;
    Ok((row, challenge))
}

fn view(row: &ChallengeRow, c: &Challenge, status: Option<Progress>) -> ChallengeView {
    ChallengeView {
        slug: c.slug.clone(),
        title: c.spec.title.clone(),
        difficulty: c.spec.difficulty.as_str().to_string(),
        tags: c.spec.tags.clone(),
        statement: c.statement.clone(),
        starter: c.starter.clone(),
        requirements: c.requirements.iter().map(|r| RequirementView { id: r.id.clone(), text: r.text.clone() }).collect(),
        tests: TestView::of(c),
        version: row.version,
        status,
    }
}

pub async fn get(State(state): State<Shared>, MaybeUser(user): MaybeUser, Path(slug): Path<String>) -> ApiResult<Json<ChallengeView>> {
    let (row, challenge) = load(&state, &slug).await?;
    let status = match &user {
        Some(u) => progress(&state.db.challenge_statuses(&u.user.id).await?, &slug),
        None => None,
    };
    Ok(Json(view(&row, &challenge, status)))
}

/// Validates an authored challenge exactly as a folder would be.
fn parse_input(slug: &str, input: &ChallengeInput) -> ApiResult<(ChallengeRow, Challenge)> {
    if slug.is_empty() || slug.len() > 64 || !slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err(ApiError::field("slug", "a slug is 1 to 64 lower-case letters, digits and `-`"));
    }
    for (field, file) in [("starter", &input.starter), ("reference", &input.reference)] {
        if !(file.name.ends_with(".jsx") || file.name.ends_with(".tsx")) {
            return Err(ApiError::field(&format!("{field}.name"), "a file name ends in .jsx or .tsx"));
        }
        if file.code.len() > reactlab_core::MAX_CODE_BYTES {
            return Err(ApiError::CodeTooLarge { size: file.code.len(), limit: reactlab_core::MAX_CODE_BYTES });
        }
    }
    let challenge = Challenge::from_parts(slug, &input.spec_toml, &input.statement, input.starter.clone(), input.reference.clone())
        .map_err(|e| ApiError::field("spec_toml", e.to_string()))?;
    // A new challenge cannot ship with a requirement no test checks.
    reactlab_core::requirement::check_coverage(&challenge).map_err(|e| match e {
        CoverageError::Statement(e) => ApiError::field("statement", format!("line {}: {}", e.line, e.message)),
        CoverageError::Spec(message) | CoverageError::Fixture { message, .. } => ApiError::field("spec_toml", message),
    })?;
    // The title is stored in a column of its own; the escape `\u0000` in the TOML text
    // would put a NUL there.
    if crate::nul::contains_nul(&challenge.spec.title) {
        return Err(ApiError::field("spec_toml", format!("the title: {}", crate::nul::REFUSED)));
    }
    let row = ChallengeRow {
        slug: slug.to_string(),
        spec_toml: input.spec_toml.clone(),
        statement: input.statement.clone(),
        starter: input.starter.clone(),
        reference: input.reference.clone(),
        builtin: false,
        version: 1,
        updated_at: 0,
    };
    Ok((row, challenge))
}

pub async fn source(State(state): State<Shared>, Admin(_): Admin, Path(slug): Path<String>) -> ApiResult<Json<ChallengeSource>> {
    let row = state.db.challenge(&slug).await?.ok_or(ApiError::NotFound { what: "challenge" })?;
    Ok(Json(ChallengeSource {
        slug: row.slug,
        spec_toml: row.spec_toml,
        statement: row.statement,
        starter: row.starter,
        reference: row.reference,
        version: row.version,
        builtin: row.builtin,
    }))
}

/// Checks a challenge as `create` would, without saving it (the editor calls this as the
/// admin types).
pub async fn validate(Admin(_): Admin, Body(input): Body<ChallengeInput>) -> ApiResult<Json<Validation>> {
    validation(&input).map(Json)
}

/// The check behind `validate` (and, through `parse_input`, `create` and `update`); the fuzz
/// entry point calls it too.
pub(crate) fn validation(input: &ChallengeInput) -> ApiResult<Validation> {
    let slug = input.slug.clone().unwrap_or_else(|| "draft".into());
    let (row, challenge) = parse_input(&slug, input)?;
    Ok(Validation { tests: view(&row, &challenge, None).tests })
}

pub async fn create(State(state): State<Shared>, Admin(admin): Admin, Body(input): Body<ChallengeInput>) -> ApiResult<(StatusCode, Json<ChallengeView>)> {
    let slug = input.slug.clone().ok_or_else(|| ApiError::field("slug", "missing field `slug`"))?;
    let (row, challenge) = parse_input(&slug, &input)?;
    state.db.create_challenge(&row, &challenge).await?;
    state.cache.invalidate(CHALLENGE_LIST).await;
    tracing::info!(admin = %admin.user.id, %slug, "challenge created");
    let (row, challenge) = load(&state, &slug).await?;
    Ok((StatusCode::CREATED, Json(view(&row, &challenge, None))))
}

pub async fn update(
    State(state): State<Shared>,
    Admin(admin): Admin,
    Path(slug): Path<String>,
    Body(input): Body<ChallengeInput>,
) -> ApiResult<Json<ChallengeView>> {
    if input.slug.as_ref().is_some_and(|s| *s != slug) {
        return Err(ApiError::field("slug", "the slug in the body differs from the URL's; slugs cannot be renamed"));
    }
    let (row, challenge) = parse_input(&slug, &input)?;
    match state.db.update_challenge(&row, &challenge).await {
        Err(reactlab_store::StoreError::NotFound) => return Err(ApiError::NotFound { what: "challenge" }),
        other => other?,
    };
    state.cache.invalidate(CHALLENGE_LIST).await;
    tracing::info!(admin = %admin.user.id, %slug, "challenge updated");
    let (row, challenge) = load(&state, &slug).await?;
    Ok(Json(view(&row, &challenge, None)))
}

/// Grades the saved version of a challenge.
pub async fn verify(State(state): State<Shared>, Admin(_): Admin, Path(slug): Path<String>) -> ApiResult<Json<VerifyResponse>> {
    let (_, challenge) = load(&state, &slug).await?;
    grade_both(&state, &challenge).await.map(Json)
}

/// Grades a challenge as the author has it on screen, saved or not: what they verify is
/// what they will save.
pub async fn verify_unsaved(State(state): State<Shared>, Admin(_): Admin, Body(input): Body<ChallengeInput>) -> ApiResult<Json<VerifyResponse>> {
    let slug = input.slug.clone().unwrap_or_else(|| "draft".into());
    let (_, challenge) = parse_input(&slug, &input)?;
    grade_both(&state, &challenge).await.map(Json)
}

async fn grade_both(state: &Shared, challenge: &Challenge) -> ApiResult<VerifyResponse> {
    let grader = state
        .grader
        .clone()
        .ok_or_else(|| ApiError::Unavailable("this API process has no judge; verify on `reactlab serve` or with `reactlab challenges check`".into()))?;
    let reference = grader.grade(challenge, &challenge.reference).await;
    let starter = grader.grade(challenge, &challenge.starter).await;
    let ok = reference.verdict == Verdict::Accepted && starter.verdict != Verdict::Accepted;
    Ok(VerifyResponse { ok, reference, starter })
}
