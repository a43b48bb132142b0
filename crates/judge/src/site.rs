//! What the judge's server answers for each submission: the frame's document, the learner's
//! module and the current test's HTTP mocks, at an origin no other submission ever had
//! (`http://s<n>-<random>.judge.test`). The server records what the page tried and was
//! refused (a navigation away, a request no mock answers), which the runner reads without a
//! round trip to the browser.

use crate::harness;
use crate::vendor::VendorBuild;
use bytes::Bytes;
use reactlab_core::Mock;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Every submission's site, by host name.
#[derive(Default)]
pub struct Sites {
    by_host: Mutex<HashMap<String, Arc<Site>>>,
}

impl Sites {
    pub fn get(&self, host: &str) -> Option<Arc<Site>> {
        self.by_host.lock().unwrap_or_else(|e| e.into_inner()).get(host).cloned()
    }

    /// Serves `site` until the returned guard is dropped.
    pub fn register(self: &Arc<Self>, site: Arc<Site>) -> Registered {
        self.by_host.lock().unwrap_or_else(|e| e.into_inner()).insert(site.host.clone(), site.clone());
        Registered { sites: self.clone(), site }
    }
}

/// A site being served; unregistered when dropped, after which its origin answers nothing.
pub struct Registered {
    sites: Arc<Sites>,
    pub site: Arc<Site>,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.sites.by_host.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.site.host);
    }
}

pub struct Site {
    pub host: String,
    /// Shared by the frame's harness and the judge's world: names the events they talk by.
    pub secret: String,
    pub document: String,
    pub module: Bytes,
    state: Mutex<SiteState>,
}

#[derive(Default)]
struct SiteState {
    /// Navigations of the frame the judge started and the server has not answered yet.
    documents_expected: u32,
    mocks: Vec<Mock>,
    mock_uses: Vec<u32>,
    violation: Option<String>,
    blocked: Vec<String>,
}

/// How the server answers one request to a site.
pub enum Answer {
    Document(String),
    Module(Bytes),
    Mock {
        status: u16,
        body: String,
        mime: &'static str,
        delay_ms: u64,
    },
    /// A navigation the judge did not start: cancelled (204), the page stays as it was.
    Cancelled,
    NotFound,
}

static SITES: AtomicU64 = AtomicU64::new(0);

impl Site {
    pub fn new(vendor: &VendorBuild, module: String) -> Site {
        let n = SITES.fetch_add(1, Ordering::Relaxed);
        let secret = format!("{:032x}", rand::random::<u128>());
        Site {
            host: format!("s{n}-{:08x}.{}", rand::random::<u32>(), harness::SITE),
            document: harness::frame_document(vendor, &secret),
            secret,
            module: Bytes::from(module),
            state: Mutex::new(SiteState::default()),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.host)
    }

    fn with<R>(&self, f: impl FnOnce(&mut SiteState) -> R) -> R {
        f(&mut self.state.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The judge is about to load (or reload) the frame's document.
    pub fn expect_document(&self) {
        self.with(|s| s.documents_expected += 1);
    }

    /// A new test begins: its mocks, fresh counts, nothing refused yet.
    pub fn begin_test(&self, mocks: &[Mock]) {
        self.with(|s| {
            s.mocks = mocks.to_vec();
            s.mock_uses = vec![0; mocks.len()];
            s.violation = None;
            s.blocked.clear();
        });
    }

    /// Why the page is no longer the test's (it tried to navigate away), if it is not.
    pub fn violation(&self) -> Option<String> {
        self.with(|s| s.violation.clone())
    }

    pub fn take_blocked(&self) -> Vec<String> {
        self.with(|s| std::mem::take(&mut s.blocked))
    }

    pub fn record_violation(&self, what: String) {
        self.with(|s| {
            s.violation.get_or_insert(what);
        });
    }

    /// The answer to `method url` (`path` with its query) from this site's page.
    pub fn answer(&self, method: &str, path: &str, navigation: bool) -> Answer {
        let path_only = path.split(['?', '#']).next().unwrap_or(path);
        self.with(|s| {
            if navigation {
                // (Any path: a page that moved its URL with history.pushState reloads there.)
                if method == "GET" && s.documents_expected > 0 {
                    s.documents_expected -= 1;
                    return Answer::Document(self.document.clone());
                }
                let hint = if method != "GET" || path.contains('?') { " (a form was submitted without event.preventDefault()?)" } else { "" };
                s.violation.get_or_insert_with(|| format!("the page tried to navigate to http://{}{path}{hint}", self.host));
                return Answer::Cancelled;
            }
            if path_only == harness::MODULE_PATH && method == "GET" {
                return Answer::Module(self.module.clone());
            }
            for (i, mock) in s.mocks.iter().enumerate() {
                if mock.path == path_only && mock.method.eq_ignore_ascii_case(method) && mock.times.is_none_or(|t| s.mock_uses[i] < t) {
                    s.mock_uses[i] += 1;
                    let (body, mime) = match (&mock.json, &mock.body) {
                        (Some(json), _) => (json.to_string(), "application/json"),
                        (None, Some(text)) => (text.clone(), "text/plain; charset=utf-8"),
                        (None, None) => (String::new(), "text/plain; charset=utf-8"),
                    };
                    return Answer::Mock { status: mock.status, body, mime, delay_ms: mock.delay_ms };
                }
            }
            if path_only != "/favicon.ico" {
                s.blocked.push(format!("The judge blocked a request the test does not serve: {method} {path}"));
            }
            Answer::NotFound
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reactlab_core::ReactBuild;

    fn site() -> Site {
        Site::new(VendorBuild::get(ReactBuild::Production), "export default () => null;".into())
    }

    #[test]
    fn hosts_and_secrets_are_never_reused() {
        let (a, b) = (site(), site());
        assert_ne!(a.host, b.host);
        assert_ne!(a.secret, b.secret);
        assert!(a.host.ends_with(".judge.test"));
        assert!(a.document.contains(&a.secret), "the frame's harness knows its secret");
    }

    #[test]
    fn the_document_is_served_once_per_navigation_the_judge_started() {
        let s = site();
        assert!(matches!(s.answer("GET", "/", true), Answer::Cancelled), "not expected yet");
        assert!(s.violation().unwrap().contains("tried to navigate"));
        s.begin_test(&[]);
        s.expect_document();
        assert!(matches!(s.answer("GET", "/", true), Answer::Document(_)));
        assert!(s.violation().is_none());
        assert!(matches!(s.answer("POST", "/?q=1", true), Answer::Cancelled));
        assert!(s.violation().unwrap().contains("form was submitted"));
    }

    #[test]
    fn mocks_answer_their_method_and_path_as_many_times_as_allowed() {
        let s = site();
        let mock: Mock = serde_json::from_value(serde_json::json!({ "path": "/api/x", "json": { "a": 1 }, "times": 1 })).unwrap();
        s.begin_test(&[mock]);
        assert!(matches!(s.answer("GET", "/api/x?page=2", false), Answer::Mock { status: 200, .. }));
        assert!(matches!(s.answer("GET", "/api/x", false), Answer::NotFound), "used up");
        assert!(matches!(s.answer("POST", "/api/y", false), Answer::NotFound));
        assert!(matches!(s.answer("GET", &format!("{}?test=3", harness::MODULE_PATH), false), Answer::Module(_)));
        assert_eq!(s.take_blocked().len(), 2);
        assert!(s.take_blocked().is_empty());
    }
}
