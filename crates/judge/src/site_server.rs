//! The judge's own web server, and the browser's only way out: Chromium runs with this
//! server as its HTTP proxy for every address (loopback included), so every request a page
//! makes, to any host or IP, arrives here and is answered from memory or refused. Nothing is
//! paused in the browser for the judge to answer one by one.
//!
//! It answers:
//! - `http://vendor.judge.test/vendor/<mode>/<file>`: the pinned React runtime, immutable, so
//!   each browser context fetches it once and then takes it from its HTTP cache;
//! - `http://host.judge.test/`: the warm host page that holds one submission's frame at a time;
//! - a submission's origin (see [`crate::site`]): its frame's document, its module, the
//!   current test's mocks;
//! - anything else: 404, and a navigation away is cancelled (204) and recorded as the
//!   submission's violation (found by its `Referer`).

use crate::harness;
use crate::site::{Answer, Sites};
use crate::vendor::VendorBuild;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Serves until the task is aborted (when its browser goes), counting the runtime files it
/// sends in `served`.
pub fn serve(listener: TcpListener, sites: Arc<Sites>, served: Arc<AtomicU64>) -> std::io::Result<tokio::task::JoinHandle<()>> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    Ok(tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of descriptors, say: the pages wait, the server stays.
                    tracing::warn!("the judge's server cannot accept a connection: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let served = served.clone();
            let sites = sites.clone();
            connections.spawn(async move {
                let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                    let sites = sites.clone();
                    let served = served.clone();
                    async move { Ok::<_, Infallible>(route(&sites, &served, &request).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
            // Finished connections are reaped as new ones come.
            while connections.try_join_next().is_some() {}
        }
    }))
}

/// A navigation (a document for a frame or a page), as Chromium marks them on plain HTTP,
/// where it sends no `Sec-Fetch-*` headers.
fn is_navigation(headers: &HeaderMap) -> bool {
    let accept = headers.get(hyper::header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    headers.get("upgrade-insecure-requests").is_some_and(|v| v == "1") && accept.starts_with("text/html")
}

fn host_of(uri_or_url: &str) -> Option<&str> {
    let rest = uri_or_url.strip_prefix("http://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&rest[..end])
}

async fn route(sites: &Sites, served: &AtomicU64, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    let headers = request.headers();
    // A proxy request names the whole URL; a direct one has a Host header.
    let host = request
        .uri()
        .authority()
        .map(|a| a.as_str().to_string())
        .or_else(|| headers.get(hyper::header::HOST).and_then(|h| h.to_str().ok()).map(String::from))
        .unwrap_or_default();
    let host = host.strip_suffix(":80").unwrap_or(&host).to_ascii_lowercase();
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let method = request.method();
    if method == Method::CONNECT {
        return empty(StatusCode::FORBIDDEN);
    }
    if host == harness::VENDOR_HOST {
        let response = runtime_file(method, request.uri().path());
        if response.status() == StatusCode::OK {
            served.fetch_add(1, Ordering::Relaxed);
        }
        return response;
    }
    if host == harness::HOST_PAGE_HOST {
        return match (method == Method::GET, request.uri().path()) {
            (true, "/") => with_type(
                Response::builder().header("Content-Security-Policy", harness::HOST_CSP),
                "text/html; charset=utf-8",
                Bytes::from_static(harness::HOST_HTML.as_bytes()),
            ),
            _ => empty(StatusCode::NOT_FOUND),
        };
    }
    let navigation = is_navigation(headers);
    tracing::debug!(%host, %path, %method, navigation, "a page's request");
    if let Some(site) = sites.get(&host) {
        return match site.answer(method.as_str(), path, navigation) {
            Answer::Document(html) => {
                with_type(Response::builder().header("Content-Security-Policy", harness::CSP), "text/html; charset=utf-8", Bytes::from(html))
            }
            Answer::Module(js) => with_type(Response::builder(), "text/javascript", js),
            Answer::Mock { status, body, mime, delay_ms } => {
                tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
                with_type(Response::builder().status(status), mime, Bytes::from(body))
            }
            Answer::Cancelled => empty(StatusCode::NO_CONTENT),
            // The frame's harness fails a fetch answered so, as a blocked request fails.
            Answer::NotFound => {
                let mut response = empty(StatusCode::NOT_FOUND);
                response.headers_mut().insert("x-reactlab-refused", HeaderValue::from_static("1"));
                response
            }
        };
    }
    if navigation {
        // Leaving for another address: whose page it was, its Referer tells.
        let from = headers.get(hyper::header::REFERER).and_then(|r| r.to_str().ok()).and_then(host_of).and_then(|h| sites.get(h));
        if let Some(site) = from {
            site.record_violation(format!("the page tried to leave the test page for http://{host}{path}"));
        }
        return empty(StatusCode::NO_CONTENT);
    }
    empty(StatusCode::NOT_FOUND)
}

fn with_type(builder: hyper::http::response::Builder, mime: &str, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = builder.body(Full::new(body)).expect("a valid response");
    let h = response.headers_mut();
    h.insert(hyper::header::CONTENT_TYPE, HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("text/plain")));
    h.insert(hyper::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn empty(status: StatusCode) -> Response<Full<Bytes>> {
    Response::builder().status(status).header("Cache-Control", "no-store").body(Full::new(Bytes::new())).expect("a valid response")
}

fn runtime_file(method: &Method, path: &str) -> Response<Full<Bytes>> {
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
    fn navigations_are_told_from_requests_by_their_headers() {
        let mut h = HeaderMap::new();
        h.insert("accept", HeaderValue::from_static("text/html,application/xhtml+xml"));
        assert!(!is_navigation(&h), "fetch can ask for HTML too");
        h.insert("upgrade-insecure-requests", HeaderValue::from_static("1"));
        assert!(is_navigation(&h));
        h.insert("accept", HeaderValue::from_static("*/*"));
        assert!(!is_navigation(&h));
    }

    #[test]
    fn hosts_of_referers() {
        assert_eq!(host_of("http://s1-ab.judge.test/?q=1"), Some("s1-ab.judge.test"));
        assert_eq!(host_of("http://s1-ab.judge.test"), Some("s1-ab.judge.test"));
        assert_eq!(host_of("https://s1-ab.judge.test/"), None);
    }

    #[test]
    fn answers_the_pinned_modules_only_immutable_and_readable_across_origins() {
        let ok = runtime_file(&Method::GET, "/vendor/production/react.js");
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(ok.headers()["cache-control"], "public, max-age=31536000, immutable");
        assert_eq!(ok.headers()["access-control-allow-origin"], "*");
        assert_eq!(ok.headers()["content-type"], "text/javascript");
        assert_eq!(runtime_file(&Method::GET, "/vendor/development/react.js").status(), StatusCode::OK);
        for (method, path) in [
            (Method::POST, "/vendor/production/react.js"),
            (Method::GET, "/vendor/production/nope.js"),
            (Method::GET, "/vendor/other/react.js"),
            (Method::GET, "/vendor/production/../production/react.js"),
            (Method::GET, "/vendor/production/react.js/"),
            (Method::GET, "/"),
            (Method::GET, "/etc/passwd"),
        ] {
            let r = runtime_file(&method, path);
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{method} {path}");
            assert_eq!(r.headers()["cache-control"], "no-store", "{method} {path}");
        }
    }
}
