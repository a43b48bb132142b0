//! The pages a submission runs in: the warm host page, the frame's document with the import
//! map, a strict Content-Security-Policy and the frame's harness, and the judge's
//! isolated-world script.

use crate::vendor::VendorBuild;

/// The host page of one in-flight slot: holds one submission's frame at a time.
pub const HOST_HTML: &str = include_str!("harness/host.html");
/// The frame's harness, run in the page before any other script: it loads React, mounts each
/// test on a fresh instance of the learner's module, resets what a test leaves behind, moves
/// the clock, and collects console output and exceptions.
pub const FRAME_JS: &str = include_str!("harness/frame.js");
/// The judge's eyes, in an isolated world of the frame (a function of the site's secret).
pub const WORLD_JS: &str = include_str!("harness/world.js");
/// The isolated world the judge's queries run in.
pub const WORLD_NAME: &str = "reactlab";
/// The made-up site the pages live on; each submission gets a fresh origin below it.
pub const SITE: &str = "judge.test";
/// The one fixed origin of the React runtime (same site as every page, so they share the
/// browser context's HTTP cache for it).
pub const VENDOR_HOST: &str = "vendor.judge.test";
pub const HOST_PAGE_HOST: &str = "host.judge.test";
/// Where a submission's origin serves the learner's module (each test imports it with its
/// own query, so module-level state starts anew).
pub const MODULE_PATH: &str = "/__reactlab/app.js";

/// A second wall behind the judge's server: the page may only talk to its own origin (which
/// the judge serves), and may not start workers, frames or plugins. Form submissions are
/// left to the server on purpose: a form submitted without preventDefault navigates, which
/// the judge reports as the page leaving the test, as a real browser would lose it.
pub const CSP: &str = "default-src 'none'; script-src 'self' http://vendor.judge.test 'unsafe-inline'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' data: blob:; connect-src 'self'; \
worker-src 'none'; child-src 'none'; frame-src 'none'; object-src 'none'; manifest-src 'none'; \
base-uri 'none'";

/// The host page runs only its own inline script. Its frames may go anywhere: a frame that
/// tries to leave must reach the judge's server, which cancels the navigation (the page
/// stays) and reports it; a frame-src refusal would replace the page with an error page.
pub const HOST_CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-src *";

/// The frame's document for one submission; `secret` names the events its harness and the
/// judge's world talk by (the page's code never sees it: the harness removes its own script).
pub fn frame_document(vendor: &VendorBuild, secret: &str) -> String {
    static SCRIPT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| FRAME_JS.replace("__MODULE__", MODULE_PATH));
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ReactLab</title>\n\
<script type=\"importmap\">{}</script>\n<script data-secret=\"{secret}\">{}</script>\n</head><body></body></html>\n",
        vendor.judge_import_map, *SCRIPT
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_csp_admits_the_runtime_origin_for_scripts_only() {
        let script_src = super::CSP.split(';').find(|d| d.trim().starts_with("script-src")).unwrap();
        assert!(script_src.contains(&format!("http://{}", super::VENDOR_HOST)), "{script_src}");
        assert_eq!(super::CSP.matches(super::VENDOR_HOST).count(), 1, "no other directive names it");
    }

    #[test]
    fn the_frame_document_carries_its_secret_and_the_import_map() {
        let vendor = crate::vendor::VendorBuild::get(reactlab_core::ReactBuild::Production);
        let html = super::frame_document(vendor, "0123abcd");
        assert!(html.contains("data-secret=\"0123abcd\"") && !html.contains("__MODULE__"));
        assert!(html.contains(&vendor.judge_import_map));
    }
}
