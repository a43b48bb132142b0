//! The HTTP server loop: hyper's HTTP/1.1 with a timer. `axum::serve` gives hyper no timer,
//! and without one hyper has no timeouts at all: a client that sends its request head a
//! byte at a time (slowloris), or opens connections and sends nothing, would hold them
//! forever. Here a request head must be complete within `header_timeout` of the
//! connection being ready for it, which also closes kept-alive connections left idle that
//! long. Bodies have their own deadline (the API's `body_timeout`). An upgraded connection
//! (a WebSocket) has left hyper and is not cut by either.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::Service;

/// Serves `app` until `shutdown` turns true, then lets every connection finish what it is
/// doing (hyper's graceful shutdown) and returns once they are all closed.
pub async fn serve(listener: TcpListener, app: Router, header_timeout: Duration, mut shutdown: watch::Receiver<bool>) {
    // Every connection holds a clone of `open`; `all_closed.closed()` resolves once all are dropped.
    let (all_closed, open) = watch::channel(());
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            _ = shutdown.wait_for(|stopping| *stopping) => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            // What `into_make_service_with_connect_info` would add: rate limits key on it.
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().call(request)
        });
        let mut shutdown = shutdown.clone();
        let open = open.clone();
        tokio::spawn(async move {
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            tokio::pin!(connection);
            let mut stopping = false;
            let result = loop {
                tokio::select! {
                    result = connection.as_mut() => break result,
                    _ = shutdown.wait_for(|stopping| *stopping), if !stopping => {
                        stopping = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            };
            if let Err(e) = result {
                // Timeouts, resets and malformed requests: the client's doing, not worth a warning.
                tracing::debug!(%peer, "connection ended: {e}");
            }
            drop(open);
        });
    }
    drop(listener);
    drop(open);
    all_closed.closed().await;
}

/// Out of file descriptors and the like: say so, and give the system a moment rather than
/// spinning. A client that gave up before it was accepted is no news.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(e.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
        return;
    }
    tracing::error!("cannot accept connections: {e}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
