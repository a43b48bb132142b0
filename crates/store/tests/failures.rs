//! Failures told apart on real parts: an outage (the part cannot be reached) passes, a
//! refusal (a missing bucket, a forbidden table, a read-only database file, a path the disk
//! cannot hold) lasts until an operator acts, and an answer (no such object) is about the
//! data. The worker puts jobs back on outages and dead-letters them on lasting refusals
//! (crates/reactlab/src/worker.rs), so a wrong class either loops forever or ends good
//! submissions.

use bytes::Bytes;
use reactlab_store::{Db, Failure, LocalSigner, Migrations, Objects, StoreError, SystemClock};
use reactlab_testkit::{PgDatabase, S3Server, TcpGate};
use std::sync::Arc;

fn failure_of<T>(result: Result<T, StoreError>) -> (Failure, String) {
    match result {
        Ok(_) => panic!("the call succeeded"),
        Err(e) => (e.failure(), e.to_string()),
    }
}

#[tokio::test]
async fn s3_a_missing_bucket_is_a_lasting_refusal_and_a_missing_object_an_answer() {
    let s3 = S3Server::start();
    s3.export_credentials();
    let missing = Objects::s3("no-such-bucket", Some(&s3.endpoint()), None).unwrap();
    let (class, message) = failure_of(missing.get("code/a.jsx").await);
    assert_eq!(class, Failure::Permanent, "{message}");
    let (class, message) = failure_of(missing.put("code/a.jsx", Bytes::from_static(b"x")).await);
    assert_eq!(class, Failure::Permanent, "{message}");

    let present = Objects::s3(&s3.bucket, Some(&s3.endpoint()), None).unwrap();
    present.put("code/a.jsx", Bytes::from_static(b"x")).await.unwrap();
    assert!(matches!(present.get("code/b.jsx").await, Err(StoreError::NotFound)), "an object that is not there is an answer");
}

#[tokio::test]
async fn s3_unreachable_is_an_outage() {
    let s3 = S3Server::start();
    s3.export_credentials();
    let gate = TcpGate::to(s3.port);
    let objects = Objects::s3(&s3.bucket, Some(&gate.endpoint()), None).unwrap();
    objects.put("code/a.jsx", Bytes::from_static(b"x")).await.unwrap();
    gate.close();
    let (class, message) = failure_of(objects.get("code/a.jsx").await);
    assert_eq!(class, Failure::Outage, "{message}");
}

#[tokio::test]
async fn local_a_path_the_disk_cannot_hold_is_a_lasting_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let objects = Objects::local(dir.path(), Arc::new(LocalSigner::new(b"k".to_vec(), "/o"))).unwrap();
    // A file where the store needs a directory: every write under it fails the same way,
    // as on a full or read-only disk (which a test cannot make without mounting one).
    std::fs::write(dir.path().join("code"), b"not a directory").unwrap();
    let (class, message) = failure_of(objects.put("code/a.jsx", Bytes::from_static(b"x")).await);
    assert_eq!(class, Failure::Permanent, "{message}");
}

#[tokio::test]
async fn sqlite_a_read_only_database_is_a_lasting_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("reactlab.db").display());
    let writable = Db::connect(&url).await.unwrap();
    let read_only = Db::open(&format!("{url}?mode=ro"), Migrations::Require, Arc::new(SystemClock)).await.unwrap();
    let (class, message) = failure_of(read_only.create_user("ada", "ada@example.com", "hash").await);
    assert_eq!(class, Failure::Permanent, "{message}");
    writable.create_user("ada", "ada@example.com", "hash").await.unwrap();
    let (class, message) = failure_of(writable.create_user("ada", "ada@example.com", "hash").await);
    assert_eq!(class, Failure::Answer, "a taken name is an answer: {message}");
}

#[tokio::test]
async fn postgres_permission_denied_and_an_unknown_role_are_lasting_refusals() {
    let pg = PgDatabase::create();
    Db::connect(&pg.url).await.unwrap();
    let role = format!("{}_reader", pg.name);
    let admin = sqlx::PgPool::connect(&pg.url).await.unwrap();
    for sql in [format!("CREATE ROLE {role} LOGIN"), format!("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")] {
        sqlx::query(&sql).execute(&admin).await.unwrap();
    }
    let reader_url = as_role(&pg.url, &role);
    let reader = Db::open(&reader_url, Migrations::Require, Arc::new(SystemClock)).await;
    let outcome = match reader {
        Ok(reader) => failure_of(reader.create_user("ada", "ada@example.com", "hash").await),
        Err(e) => (e.failure(), e.to_string()),
    };
    sqlx::query(&format!("DROP OWNED BY {role}")).execute(&admin).await.unwrap();
    sqlx::query(&format!("DROP ROLE {role}")).execute(&admin).await.unwrap();
    assert_eq!(outcome.0, Failure::Permanent, "{}", outcome.1);
    assert!(outcome.1.contains("permission denied"), "{}", outcome.1);

    let stranger = as_role(&pg.url, "no_such_role_reactlab");
    let (class, message) = failure_of(Db::connect(&stranger).await);
    assert_eq!(class, Failure::Permanent, "{message}");
}

/// The same database, signed in as `role` (the servers here trust loopback).
fn as_role(url: &str, role: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let place = rest.rsplit_once('@').map_or(rest, |(_, place)| place);
    format!("{scheme}://{role}@{place}")
}
