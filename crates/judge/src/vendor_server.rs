//! The React runtime over real HTTP, for one browser: the pages load it from the fixed
//! origin `http://vendor.judge.test` (mapped by Chromium's host rules to this server), so
//! the browser context's HTTP cache keeps it. Only the first test in a context fetches it;
//! every later test takes it from the cache without a round trip through the judge or
//! ~1.5 MB of base64 through CDP (responses the judge fulfils by interception are never
//! cached). The server answers nothing but the pinned modules: the page cannot reach it in
//! any other way (its Content-Security-Policy allows the origin for scripts only).

use crate::vendor::VendorBuild;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Serves until the task is aborted (when its browser goes), counting the files it sends
/// in `served`.
pub fn serve(listener: TcpListener, served: Arc<AtomicU64>) -> std::io::Result<tokio::task::JoinHandle<()>> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    Ok(tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of descriptors, say: the pages wait, the server stays.
                    tracing::warn!("the runtime server cannot accept a connection: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let served = served.clone();
            connections.spawn(async move {
                let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                    let response = answer(request.method(), request.uri().path());
                    if response.status() == StatusCode::OK {
                        served.fetch_add(1, Ordering::Relaxed);
                    }
                    async move { Ok::<_, Infallible>(response) }
                });
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
            // Finished connections are reaped as new ones come.
            while connections.try_join_next().is_some() {}
        }
    }))
}

fn answer(method: &Method, path: &str) -> Response<Full<Bytes>> {
    let file = path.strip_prefix("/vendor/").and_then(|rest| rest.split_once('/')).and_then(|(mode, file)| VendorBuild::by_mode(mode)?.file(file));
    let builder = Response::builder();
    match (method == Method::GET, file) {
        (true, Some(body)) => builder
            .header("Content-Type", "text/javascript")
            // Immutable: the runtime is pinned into this binary, and the cache lives only
            // as long as the browser context.
            .header("Cache-Control", "public, max-age=31536000, immutable")
            // Module scripts from another origin are fetched in CORS mode.
            .header("Access-Control-Allow-Origin", "*")
            .body(Full::new(Bytes::from_static(body))),
        _ => builder.status(StatusCode::NOT_FOUND).header("Cache-Control", "no-store").body(Full::new(Bytes::new())),
    }
    .expect("a valid response")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_the_pinned_modules_only_immutable_and_readable_across_origins() {
        let ok = answer(&Method::GET, "/vendor/production/react.js");
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(ok.headers()["cache-control"], "public, max-age=31536000, immutable");
        assert_eq!(ok.headers()["access-control-allow-origin"], "*");
        assert_eq!(ok.headers()["content-type"], "text/javascript");
        assert_eq!(answer(&Method::GET, "/vendor/development/react.js").status(), StatusCode::OK);
        for (method, path) in [
            (Method::POST, "/vendor/production/react.js"),
            (Method::GET, "/vendor/production/nope.js"),
            (Method::GET, "/vendor/other/react.js"),
            (Method::GET, "/vendor/production/../production/react.js"),
            (Method::GET, "/vendor/production/react.js/"),
            (Method::GET, "/"),
            (Method::GET, "/etc/passwd"),
        ] {
            let r = answer(&method, path);
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{method} {path}");
            assert_eq!(r.headers()["cache-control"], "no-store", "{method} {path}");
        }
    }
}
