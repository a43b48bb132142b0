//! The page every test runs in: an HTML shell with the import map and a strict
//! Content-Security-Policy, the boot module, and the judge's isolated-world script.

use crate::vendor::VendorBuild;
use base64::Engine;

pub const BOOT_JS: &str = include_str!("harness/boot.js");
pub const WORLD_JS: &str = include_str!("harness/world.js");
pub const CLOCK_JS: &str = include_str!("harness/clock.js");
/// The isolated world the judge's queries run in.
pub const WORLD_NAME: &str = "reactlab";
/// The binding the boot module reports the mount through (taken away from the page before
/// the learner's code runs).
pub const REPORT_BINDING: &str = "__reactlabReport";
/// The made-up site the pages live on; each test gets a fresh origin below it.
pub const SITE: &str = "judge.test";
/// The one fixed origin of the React runtime (same site as every test page, so the pages
/// share the browser context's HTTP cache for it): its modules are answered once per
/// context with an immutable caching header, then come from the cache without a round trip
/// through the judge. Nothing else is ever cacheable.
pub const VENDOR_HOST: &str = "vendor.judge.test";

/// A second wall behind request interception: the page may only talk to its own origin
/// (which the judge serves), and may not start workers, frames or plugins. Form submissions
/// are left to interception on purpose: a form submitted without preventDefault navigates,
/// which the judge reports as the page leaving the test, as a real browser would lose it.
pub const CSP: &str = "default-src 'none'; script-src 'self' http://vendor.judge.test 'unsafe-inline'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' data: blob:; connect-src 'self'; \
worker-src 'none'; child-src 'none'; frame-src 'none'; object-src 'none'; manifest-src 'none'; \
base-uri 'none'";

/// The test page. With `clock_secret`, the page clock stands still until the judge moves it
/// (the secret names the event that moves it; the page's code never sees it).
pub fn html(vendor: &VendorBuild, clock_secret: Option<&str>) -> String {
    let clock = clock_secret.map_or(String::new(), |secret| format!("<script>{}</script>\n", CLOCK_JS.replace("__SECRET__", secret)));
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ReactLab</title>\n{clock}\
<script type=\"importmap\">{}</script>\n<script type=\"module\" src=\"/__reactlab/boot.js\"></script>\n\
</head><body><div id=\"root\"></div></body></html>\n",
        vendor.judge_import_map
    )
}

/// A fresh secret for one test's clock.
pub fn clock_secret() -> String {
    format!("{:032x}", rand::random::<u128>())
}

pub fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_csp_admits_the_runtime_origin_for_scripts_only() {
        let script_src = super::CSP.split(';').find(|d| d.trim().starts_with("script-src")).unwrap();
        assert!(script_src.contains(&format!("http://{}", super::VENDOR_HOST)), "{script_src}");
        assert_eq!(super::CSP.matches(super::VENDOR_HOST).count(), 1, "no other directive names it");
    }
}
