//! Signed links, and walking out of the object store or the web app with `..`.

use super::*;

#[tokio::test]
async fn a_tampered_signed_link_is_refused_with_403_and_a_good_one_reads_its_object_as_inert_text() {
    let mut server = Server::start(&NO_BROWSER);
    let (eve, _) = account(&server, "eve").await;
    let code = "export default () => <p>hi</p>; // <script>alert(document.cookie)</script>";
    let id = eve.submit("counter", code).await;
    let other = eve.submit("counter", CODE).await;
    let link = eve.get(&format!("/api/v1/submissions/{id}/code")).await.body["url"].as_str().unwrap().to_string();
    let other_link = eve.get(&format!("/api/v1/submissions/{other}/code")).await.body["url"].as_str().unwrap().to_string();
    let anonymous = server.client();

    // The link itself needs no session, and serves the code as text the browser will not run.
    let r = anonymous.request(Method::GET, &link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.headers()["cache-control"], "private, no-store");
    assert!(r.headers()["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
    assert_eq!(r.text().await.unwrap(), code);

    let (path, query) = link.split_once('?').unwrap();
    let (expires, signature) = query.split_once('&').unwrap();
    let (other_path, other_query) = other_link.split_once('?').unwrap();
    let flipped = {
        let mut s = signature.to_string();
        let last = s.pop().unwrap();
        s.push(if last == '0' { '1' } else { '0' });
        s
    };
    let expiry: i64 = expires.trim_start_matches("expires=").parse().unwrap();
    let tampered = [
        ("a changed signature", format!("{path}?{expires}&{flipped}")),
        ("a later expiry", format!("{path}?expires={}&{signature}", expiry + 3_600_000)),
        ("another submission's key", format!("{}?{query}", path.replace(&id, &other))),
        ("another object's key with this signature", format!("{other_path}?{query}")),
        ("this key with another object's signature", format!("{path}?{other_query}")),
        ("a key made up", format!("/api/v1/objects/code/someone-else/{id}.jsx?{query}")),
    ];
    for (what, url) in tampered {
        let r = anonymous.get(&url).await;
        expect(&r, StatusCode::FORBIDDEN, "link_refused", what);
        assert!(!r.body.to_string().contains("alert"), "{what}: the code leaked");
    }
    let r = anonymous.get(&format!("{path}?{expires}")).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("signature")), "no signature: {}", r.body);
    // Walking out of the object store with a signature from inside it reaches nothing.
    let key = std::fs::read_to_string(server.data.join("keys/url-signing.key")).unwrap();
    let user_dir = path.rsplit_once('/').unwrap().0;
    for way_out in ["../../keys/url-signing.key", "..%2f..%2fkeys%2furl-signing.key", "%2e%2e/%2e%2e/keys/url-signing.key"] {
        let answer = raw_get(&server, &format!("{user_dir}/{way_out}?{query}")).await;
        assert!(answer.starts_with("HTTP/1.1 403") || answer.starts_with("HTTP/1.1 404"), "{way_out}: {answer}");
        assert!(!answer.contains(key.trim()), "{way_out}: the signing key leaked");
    }
    still_serving(&mut server).await;
}

#[tokio::test]
async fn an_expired_signed_link_is_refused_with_link_refused() {
    let server = Server::start(&[&NO_BROWSER[..], &["--signed-url-ttl-secs", "2"]].concat());
    let (eve, _) = account(&server, "eve").await;
    let id = eve.submit("counter", CODE).await;
    let link = eve.get(&format!("/api/v1/submissions/{id}/code")).await.body;
    let url = link["url"].as_str().unwrap();
    let anonymous = server.client();
    assert_eq!(anonymous.get(url).await.status, StatusCode::OK, "fresh, it works");
    tokio::time::sleep(Duration::from_millis(2300)).await;
    let r = anonymous.get(url).await;
    expect(&r, StatusCode::FORBIDDEN, "link_refused", "an expired link");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("expired"), "{}", r.body);
    // Asking again gives a new link; the old one stays dead.
    let fresh = eve.get(&format!("/api/v1/submissions/{id}/code")).await.body;
    assert_ne!(fresh["url"], link["url"]);
    assert_eq!(anonymous.get(fresh["url"].as_str().unwrap()).await.status, StatusCode::OK);
}

#[tokio::test]
async fn path_traversal_reaches_no_file_outside_the_web_app() {
    let mut server = Server::start(&[]);
    let secret = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
    let marker = secret.lines().next().unwrap();
    for path in [
        "/../../Cargo.toml",
        "/%2e%2e/%2e%2e/Cargo.toml",
        "/..%2f..%2fCargo.toml",
        "/assets/..%2f..%2f..%2fCargo.toml",
        "/%2e%2e%2f%2e%2e%2f%2e%2e%2fCargo.toml",
        "/..%5c..%5cCargo.toml",
        "/vendor/development/..%2f..%2f..%2f..%2fCargo.toml",
        "/preview/..%2f..%2fCargo.toml",
    ] {
        let answer = raw_get(&server, path).await;
        assert!(!answer.contains(marker) && !answer.contains("[workspace]"), "{path} served a file from outside the web app:\n{answer}");
    }
    still_serving(&mut server).await;
}
