//! The caller: a session token from `Authorization: Bearer` (API clients) or the session
//! cookie (the web app), checked against the stored sessions; a cookie-authenticated change
//! must also come from an allowed origin. (Sessions are opened and closed in `auth`.)

use crate::error::{ApiError, ApiResult};
use crate::state::Shared;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use reactlab_store::User;

pub const SESSION_COOKIE: &str = "reactlab_session";

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
