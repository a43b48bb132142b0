//! The API's routes, listed once: the router and the OpenAPI description are both built
//! from this table, so they cannot disagree.

use crate::state::Shared;
use crate::{auth, challenges, drafts, health, queue_admin, submissions, ws};
use axum::handler::Handler;
use axum::routing::MethodRouter;
use schemars::{JsonSchema, Schema, SchemaGenerator};

pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    /// Signed in, or public with extra fields for a signed-in caller.
    OptionalUser,
    User,
    Admin,
}

pub struct Route {
    pub method: &'static str,
    /// Under `/api/v1`.
    pub path: &'static str,
    pub summary: &'static str,
    pub access: Access,
    pub request: Option<SchemaFn>,
    pub query: Option<SchemaFn>,
    pub response: Option<(u16, SchemaFn)>,
    pub handler: MethodRouter<Shared>,
}

impl Route {
    fn new(method: &'static str, path: &'static str, summary: &'static str, access: Access, handler: MethodRouter<Shared>) -> Self {
        Route { method, path, summary, access, request: None, query: None, response: None, handler }
    }
    fn get<H: Handler<T, Shared>, T: 'static>(path: &'static str, summary: &'static str, access: Access, h: H) -> Self {
        Route::new("get", path, summary, access, axum::routing::get(h))
    }
    fn post<H: Handler<T, Shared>, T: 'static>(path: &'static str, summary: &'static str, access: Access, h: H) -> Self {
        Route::new("post", path, summary, access, axum::routing::post(h))
    }
    fn put<H: Handler<T, Shared>, T: 'static>(path: &'static str, summary: &'static str, access: Access, h: H) -> Self {
        Route::new("put", path, summary, access, axum::routing::put(h))
    }
    fn delete<H: Handler<T, Shared>, T: 'static>(path: &'static str, summary: &'static str, access: Access, h: H) -> Self {
        Route::new("delete", path, summary, access, axum::routing::delete(h))
    }
    fn request<T: JsonSchema>(mut self) -> Self {
        self.request = Some(schema::<T>);
        self
    }
    fn query<T: JsonSchema>(mut self) -> Self {
        self.query = Some(schema::<T>);
        self
    }
    fn response<T: JsonSchema>(mut self, status: u16) -> Self {
        self.response = Some((status, schema::<T>));
        self
    }
}

pub fn table() -> Vec<Route> {
    use Access::*;
    vec![
        Route::post("/auth/register", "Create an account; signs in (cookie and token).", Public, auth::register)
            .request::<auth::RegisterRequest>()
            .response::<auth::SessionResponse>(201),
        Route::post("/auth/login", "Sign in with e-mail and password (cookie and token).", Public, auth::login)
            .request::<auth::LoginRequest>()
            .response::<auth::SessionResponse>(200),
        Route::post("/auth/logout", "Revoke the current session.", User, auth::logout),
        Route::get("/me", "The caller with their progress: solved count, streak, activity, badges.", User, auth::me).response::<auth::MeResponse>(200),
        Route::get("/challenges", "Every challenge, with the caller's status when signed in.", OptionalUser, challenges::list)
            .response::<challenges::ChallengeList>(200),
        Route::post("/challenges", "Create a challenge (admins), validated like a challenge folder.", Admin, challenges::create)
            .request::<challenges::ChallengeInput>()
            .response::<challenges::ChallengeView>(201),
        Route::post("/challenges/validate", "Check a challenge as create would, without saving it (admins).", Admin, challenges::validate)
            .request::<challenges::ChallengeInput>()
            .response::<challenges::Validation>(200),
        Route::post(
            "/challenges/verify",
            "Grade the reference and the starter of a challenge as given, saved or not (admins).",
            Admin,
            challenges::verify_unsaved,
        )
        .request::<challenges::ChallengeInput>()
        .response::<challenges::VerifyResponse>(200),
        Route::get("/challenges/{slug}/source", "A challenge's sources, for editing (admins).", Admin, challenges::source)
            .response::<challenges::ChallengeSource>(200),
        Route::get("/challenges/{slug}", "A challenge: statement, starter code, tests in plain English.", OptionalUser, challenges::get)
            .response::<challenges::ChallengeView>(200),
        Route::put("/challenges/{slug}", "Replace a challenge (admins).", Admin, challenges::update)
            .request::<challenges::ChallengeInput>()
            .response::<challenges::ChallengeView>(200),
        Route::post("/challenges/{slug}/verify", "Grade the reference and the starter now (admins).", Admin, challenges::verify)
            .response::<challenges::VerifyResponse>(200),
        Route::get("/challenges/{slug}/draft", "The caller's draft of a challenge (404 when none).", User, drafts::get).response::<reactlab_store::Draft>(200),
        Route::put("/challenges/{slug}/draft", "Save the caller's draft of a challenge (the last save wins).", User, drafts::save)
            .request::<drafts::DraftRequest>()
            .response::<reactlab_store::Draft>(200),
        Route::delete("/challenges/{slug}/draft", "Forget the caller's draft of a challenge.", User, drafts::delete),
        Route::post("/submissions", "Submit code; answers at once, grading follows (see the WebSocket).", User, submissions::create)
            .request::<submissions::SubmitRequest>()
            .response::<submissions::SubmitResponse>(202),
        Route::get("/submissions", "The caller's submissions, newest first, a page at a time.", User, submissions::list)
            .query::<submissions::HistoryQuery>()
            .response::<submissions::History>(200),
        Route::get("/submissions/{id}", "A submission: status, verdict, per-test results, timestamps.", User, submissions::get)
            .response::<crate::views::SubmissionView>(200),
        Route::get("/submissions/{id}/code", "A signed, expiring link to the submitted code.", User, submissions::code_url)
            .response::<crate::views::SignedUrl>(200),
        Route::get("/submissions/{id}/screenshot", "A signed, expiring link to the page at the first failure (PNG).", User, submissions::screenshot_url)
            .response::<crate::views::SignedUrl>(200),
        Route::get(
            "/ws",
            "WebSocket. Send {\"type\":\"subscribe\",\"id\":…}; receive `state`, then `queued`, `running`, `test` (one per finished test) and `done`.",
            User,
            ws::upgrade,
        ),
        Route::get("/admin/queue", "The queue for admins: counts, dead jobs, workers by heartbeat, alerts.", Admin, queue_admin::overview)
            .response::<queue_admin::QueueOverview>(200),
        Route::post("/admin/queue/dead/{id}/retry", "Grade a dead job's submission again (admins).", Admin, queue_admin::retry)
            .response::<queue_admin::Retried>(200),
        Route::post("/admin/queue/dead/{id}/discard", "Forget a dead job; its result stays internal_error (admins).", Admin, queue_admin::discard),
        Route::post("/preview/transpile", "Transpile code for the live preview exactly as the judge does.", Public, crate::preview::transpile)
            .request::<crate::preview::TranspileRequest>()
            .response::<crate::preview::TranspileResponse>(200),
        Route::get("/openapi.json", "This description.", Public, crate::openapi::json),
        Route::get("/healthz", "The process is alive.", Public, health::healthz),
        Route::get("/readyz", "Database, object store, queue and judge work.", Public, health::readyz),
    ]
}
