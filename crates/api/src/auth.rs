//! Accounts and sessions: argon2id password hashes (computed off the async threads),
//! random session tokens stored hashed, an HttpOnly SameSite cookie for the web app and
//! `Authorization: Bearer` for API clients. Reading them back is the extractors' part
//! (`extract::user`).

use crate::cache::{cached, profile_key};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, ClientAddr, CurrentUser, SESSION_COOKIE};
use crate::state::{Bucket, Shared};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use reactlab_store::{Profile, User};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// 3–32 letters, digits, `_` or `-`.
    pub username: String,
    pub email: String,
    /// 8–128 characters.
    pub password: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, JsonSchema)]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub email: String,
    pub is_admin: bool,
}

#[derive(Serialize, JsonSchema)]
pub struct SessionResponse {
    pub user: UserView,
    /// For `Authorization: Bearer`; the web app uses the cookie set alongside.
    pub token: String,
    pub expires_at: String,
}

#[derive(Serialize, JsonSchema)]
pub struct MeResponse {
    pub user: UserView,
    pub progress: Profile,
}

pub fn user_view(user: &User) -> UserView {
    UserView { id: user.id.clone(), username: user.username.clone(), email: user.email.clone(), is_admin: user.is_admin }
}

pub(crate) fn validate_registration(r: &RegisterRequest) -> ApiResult<()> {
    let name_ok = (3..=32).contains(&r.username.chars().count()) && r.username.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !name_ok {
        return Err(ApiError::field("username", "a username is 3 to 32 letters, digits, `_` or `-`"));
    }
    let email = r.email.trim();
    let email_ok = email.len() <= 254
        && !email.contains(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'));
    if !email_ok {
        return Err(ApiError::field("email", "this is not an e-mail address"));
    }
    let len = r.password.chars().count();
    if !(8..=128).contains(&len) {
        return Err(ApiError::field("password", "a password is 8 to 128 characters"));
    }
    Ok(())
}

async fn hash_password(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|e| ApiError::internal(anyhow::anyhow!("argon2: {e}")))
}

/// Checks a password; with no stored hash it still spends the same time, so that timing
/// does not tell which e-mails have accounts.
async fn verify_password(password: String, stored: Option<String>) -> ApiResult<bool> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY
        .get_or_init(|| Argon2::default().hash_password(b"not a password", &SaltString::generate(&mut OsRng)).map(|h| h.to_string()).unwrap_or_default())
        .clone();
    let found = stored.is_some();
    let stored = stored.unwrap_or(dummy);
    tokio::task::spawn_blocking(move || {
        let ok = PasswordHash::new(&stored).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok());
        ok && found
    })
    .await
    .map_err(ApiError::internal)
}

fn session_cookie(state: &Shared, token: &str, max_age_secs: u64) -> HeaderValue {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")).expect("a token is ASCII")
}

async fn open_session(state: &Shared, user: &User, status: StatusCode) -> ApiResult<Response> {
    let ttl = state.config.session_ttl;
    let session = state.db.create_session(&user.id, ttl.as_millis() as i64).await?;
    let body = SessionResponse { user: user_view(user), token: session.token.clone(), expires_at: crate::views::time(session.expires_at) };
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(state, &session.token, ttl.as_secs()));
    Ok(response)
}

pub async fn register(State(state): State<Shared>, ClientAddr(client): ClientAddr, Body(req): Body<RegisterRequest>) -> ApiResult<Response> {
    state.limiters.check(Bucket::Register, &client.to_string()).await?;
    validate_registration(&req)?;
    let hash = hash_password(req.password).await?;
    let user = state.db.create_user(&req.username, req.email.trim(), &hash).await?;
    tracing::info!(user = %user.id, "registered");
    open_session(&state, &user, StatusCode::CREATED).await
}

pub async fn login(State(state): State<Shared>, ClientAddr(client): ClientAddr, Body(req): Body<LoginRequest>) -> ApiResult<Response> {
    state.limiters.check(Bucket::Login, &client.to_string()).await?;
    let found = state.db.user_by_email(req.email.trim()).await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    if !verify_password(req.password, hash).await? {
        return Err(ApiError::BadCredentials);
    }
    let user = user.ok_or(ApiError::BadCredentials)?;
    open_session(&state, &user, StatusCode::OK).await
}

pub async fn logout(State(state): State<Shared>, current: CurrentUser) -> ApiResult<Response> {
    state.db.revoke_session(&current.token).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    Ok(response)
}

pub async fn me(State(state): State<Shared>, current: CurrentUser) -> ApiResult<Response> {
    let db = state.db.clone();
    let id = current.user.id.clone();
    let progress = cached(state.cache.as_ref(), &profile_key(&id), async move { Ok(db.profile(&id).await?) }).await?;
    let progress: Profile = serde_json::from_slice(&progress).map_err(ApiError::internal)?;
    Ok(axum::Json(MeResponse { user: user_view(&current.user), progress }).into_response())
}
