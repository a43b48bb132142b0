//! Accounts and sessions: argon2id password hashes (computed off the async threads),
//! random session tokens stored hashed, an HttpOnly SameSite cookie for the web app and
//! `Authorization: Bearer` for API clients.

use crate::cache::{cached, profile_key};
use crate::error::{ApiError, ApiResult};
use crate::json::Body;
use crate::limits::{Bucket, ClientAddr};
use crate::state::Shared;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use reactlab_store::{Profile, User};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub const SESSION_COOKIE: &str = "reactlab_session";

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

/// The signed-in user, from the Bearer token or the session cookie.
pub struct CurrentUser {
    pub user: User,
    pub token: String,
}

/// The signed-in user, if any.
pub struct MaybeUser(pub Option<CurrentUser>);

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Cookies ride along on cross-site requests, so a cookie-authenticated change (or
/// WebSocket) must show that it comes from the API's own origin or an allowed one: by its
/// `Origin`, or, from a client that sends none, by its `Referer`. A request with neither
/// is refused: browsers send `Origin` with every such request the web app makes, and API
/// clients use Bearer tokens, which no other site can make a browser send.
pub fn origin_allowed(cors_origins: &[String], headers: &HeaderMap) -> bool {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let origin = match text(header::ORIGIN) {
        Some(origin) => origin.to_string(),
        None => match text(header::REFERER).and_then(origin_of_url) {
            Some(origin) => origin,
            None => return false,
        },
    };
    let host = text(header::HOST).unwrap_or_default();
    let own = [format!("http://{host}"), format!("https://{host}")];
    own.contains(&origin) || cors_origins.contains(&origin)
}

/// `scheme://host[:port]` of an absolute URL.
fn origin_of_url(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty() && !authority.contains('@')).then(|| format!("{scheme}://{authority}"))
}

/// Resolves the caller, checking the Origin of cookie-authenticated state changes.
pub async fn authenticate(state: &Shared, method: &Method, headers: &HeaderMap) -> ApiResult<Option<CurrentUser>> {
    let (token, by_cookie) = match bearer(headers) {
        Some(t) => (t, false),
        None => match cookie(headers, SESSION_COOKIE) {
            Some(t) => (t, true),
            None => return Ok(None),
        },
    };
    if by_cookie && !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) && !origin_allowed(&state.config.cors_origins, headers) {
        return Err(ApiError::BadOrigin);
    }
    match state.db.session_user(token).await? {
        Some(user) => Ok(Some(CurrentUser { user, token: token.to_string() })),
        None => Err(ApiError::Unauthenticated),
    }
}

impl FromRequestParts<Shared> for CurrentUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> ApiResult<Self> {
        authenticate(state, &parts.method, &parts.headers).await?.ok_or(ApiError::Unauthenticated)
    }
}

impl FromRequestParts<Shared> for MaybeUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> ApiResult<Self> {
        match authenticate(state, &parts.method, &parts.headers).await {
            // A stale cookie on a public page is no reason to fail it.
            Err(ApiError::Unauthenticated) => Ok(MaybeUser(None)),
            other => other.map(MaybeUser),
        }
    }
}

/// An admin, or 403.
pub struct Admin(pub CurrentUser);

impl FromRequestParts<Shared> for Admin {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> ApiResult<Self> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if user.user.is_admin { Ok(Admin(user)) } else { Err(ApiError::Forbidden) }
    }
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
