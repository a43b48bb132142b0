//! A request body must arrive whole within a deadline that starts when its head has been
//! read: a client that trickles its body (a slow POST) is answered `408 request_timeout`
//! and disconnected instead of holding a connection and a handler for as long as it likes.
//! This is a deadline for the whole body, not an idle timeout between chunks, which a
//! byte every few seconds would never trip. (Slow heads are the HTTP server's business:
//! its header read timeout.) WebSockets are unaffected: an upgrade request has no body.

use crate::state::Shared;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http_body::{Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// Why a body stopped: it was not all there in time.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {} s", .limit.as_secs())]
pub struct BodyTimedOut {
    pub limit: Duration,
}

/// Middleware: every request's body from here on carries the configured deadline.
pub async fn limit(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let limit = state.config.body_timeout;
    next.run(request.map(|body| Body::new(DeadlineBody { inner: body, limit, deadline: Box::pin(tokio::time::sleep_until(Instant::now() + limit)) }))).await
}

struct DeadlineBody {
    inner: Body,
    limit: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(Box::new(BodyTimedOut { limit: self.limit }))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
