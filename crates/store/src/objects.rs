//! The object store (solution code, screenshots) and signed, expiring URLs to read from it.

use crate::{Failure, StoreError};
use async_trait::async_trait;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use object_store::ObjectStore;
use object_store::path::Path as ObjectPath;
use rand::RngCore;
use sha2::Sha256;
use std::path::Path;
use std::sync::Arc;

/// Makes a URL that lets its holder read one object until it expires.
#[async_trait]
pub trait UrlSigner: Send + Sync {
    async fn signed_get_url(&self, key: &str, expires_at_ms: i64) -> Result<String, StoreError>;
}

/// Objects plus the signer that matches where they live.
#[derive(Clone)]
pub struct Objects {
    store: Arc<dyn ObjectStore>,
    signer: Arc<dyn UrlSigner>,
}

impl Objects {
    pub fn new(store: Arc<dyn ObjectStore>, signer: Arc<dyn UrlSigner>) -> Self {
        Objects { store, signer }
    }

    /// A directory on this machine, read back through URLs the API serves and checks.
    pub fn local(dir: &Path, signer: Arc<LocalSigner>) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Corrupt(format!("cannot create {}: {e}", dir.display())))?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir)?;
        Ok(Objects::new(Arc::new(store), signer))
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StoreError> {
        self.store.put(&ObjectPath::from(key), bytes.into()).await?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Bytes, StoreError> {
        match self.store.get(&ObjectPath::from(key)).await {
            Ok(r) => Ok(r.bytes().await?),
            // Not a missing bucket, which S3 also answers with 404.
            Err(e @ object_store::Error::NotFound { .. }) if failure(&e) == Failure::Answer => Err(StoreError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn signed_url(&self, key: &str, expires_at_ms: i64) -> Result<String, StoreError> {
        self.signer.signed_get_url(key, expires_at_ms).await
    }

    /// An S3-compatible bucket. Credentials and region come from the usual `AWS_*`
    /// variables; `endpoint` (a MinIO-like server) switches to path-style requests.
    /// Signed URLs are made for `public_endpoint` when browsers reach the store under
    /// another address than this process does (signing needs no connection).
    pub fn s3(bucket: &str, endpoint: Option<&str>, public_endpoint: Option<&str>) -> Result<Self, StoreError> {
        let build = |endpoint: Option<&str>| {
            let mut builder = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(bucket).with_retry(retries());
            if let Some(endpoint) = endpoint {
                builder = builder.with_endpoint(endpoint).with_virtual_hosted_style_request(false).with_allow_http(endpoint.starts_with("http://"));
            }
            builder.build().map(Arc::new)
        };
        let store = build(endpoint)?;
        let signer = match public_endpoint {
            Some(public) => build(Some(public))?,
            None => store.clone(),
        };
        Ok(Objects::new(store, Arc::new(S3Signer(signer))))
    }

    /// Whether the store accepts a write and reads it back (readiness).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.put("health/ping", Bytes::from_static(b"ok")).await?;
        self.get("health/ping").await.map(|_| ())
    }
}

/// The client retries failed requests with back-off, but for at most 10 s (its default
/// is 3 minutes): past that the store is down, and a learner is better told so (503) and a
/// worker better off putting the job back than both waiting minutes.
fn retries() -> object_store::RetryConfig {
    let backoff =
        object_store::BackoffConfig { init_backoff: std::time::Duration::from_millis(100), max_backoff: std::time::Duration::from_secs(2), base: 2.0 };
    object_store::RetryConfig { backoff, max_retries: 10, retry_timeout: std::time::Duration::from_secs(10) }
}

/// How lasting an object store's failure is. The client has already retried what it
/// retries (server errors, throttling, a dropped connection) for up to 10 s; a client
/// error (4xx) other than a timeout or throttling, a missing bucket, and a disk that is
/// full, read-only or forbidden last until an operator acts.
pub(crate) fn failure(e: &object_store::Error) -> Failure {
    use object_store::Error as E;
    match e {
        E::NotFound { source, .. } if mentions(source.as_ref(), "NoSuchBucket") => Failure::Permanent,
        E::NotFound { .. } | E::AlreadyExists { .. } | E::Precondition { .. } | E::NotModified { .. } => Failure::Answer,
        E::PermissionDenied { .. }
        | E::Unauthenticated { .. }
        | E::UnknownConfigurationKey { .. }
        | E::NotSupported { .. }
        | E::NotImplemented
        | E::InvalidPath { .. } => Failure::Permanent,
        E::Generic { source, .. } => failure_of_cause(source.as_ref()),
        _ => Failure::Outage,
    }
}

fn failure_of_cause(source: &(dyn std::error::Error + 'static)) -> Failure {
    use std::io::ErrorKind as K;
    let mut next = Some(source);
    while let Some(e) = next {
        let lasting_io = [K::StorageFull, K::ReadOnlyFilesystem, K::PermissionDenied, K::QuotaExceeded, K::FileTooLarge, K::NotADirectory];
        if e.downcast_ref::<std::io::Error>().is_some_and(|io| lasting_io.contains(&io.kind())) {
            return Failure::Permanent;
        }
        // The client's own error type is private; its message carries the status.
        if let Some(status) = http_status(&e.to_string()) {
            let lasting = (400..500).contains(&status) && !matches!(status, 408 | 429) || status == 507;
            return if lasting { Failure::Permanent } else { Failure::Outage };
        }
        next = e.source();
    }
    Failure::Outage
}

/// The status in object_store's "Server returned non-2xx status code: 403 Forbidden: …".
fn http_status(message: &str) -> Option<u16> {
    let (_, rest) = message.split_once("status code: ")?;
    rest.get(..3)?.parse().ok()
}

fn mentions(source: &(dyn std::error::Error + 'static), needle: &str) -> bool {
    let mut next = Some(source);
    while let Some(e) = next {
        if e.to_string().contains(needle) {
            return true;
        }
        next = e.source();
    }
    false
}

/// Presigned GET URLs straight to the bucket (S3 signature v4).
struct S3Signer(Arc<object_store::aws::AmazonS3>);

#[async_trait]
impl UrlSigner for S3Signer {
    async fn signed_get_url(&self, key: &str, expires_at_ms: i64) -> Result<String, StoreError> {
        use object_store::signer::Signer;
        let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
        let lifetime = std::time::Duration::from_millis((expires_at_ms - now_ms).max(1000) as u64);
        Ok(self.0.signed_url(http::Method::GET, &ObjectPath::from(key), lifetime).await?.to_string())
    }
}

/// Why a signed URL was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("this link has expired")]
    Expired,
    #[error("this link's signature is not valid")]
    Invalid,
}

/// HMAC-SHA256 signed URLs for the local object store, served under `prefix`.
pub struct LocalSigner {
    key: Vec<u8>,
    prefix: String,
}

impl LocalSigner {
    pub fn new(key: Vec<u8>, prefix: &str) -> Self {
        LocalSigner { key, prefix: prefix.trim_end_matches('/').to_string() }
    }

    /// The key kept in `path`, made (random, readable by the owner only) on first use, so
    /// that URLs stay valid across restarts.
    pub fn from_key_file(path: &Path, prefix: &str) -> Result<Self, StoreError> {
        let io = |e: std::io::Error| StoreError::Corrupt(format!("signing key {}: {e}", path.display()));
        if !path.exists() {
            let mut key = [0u8; 32];
            rand::rng().fill_bytes(&mut key);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            std::fs::write(path, hex::encode(key)).map_err(io)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
            }
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        let key = hex::decode(text.trim()).map_err(|e| StoreError::Corrupt(format!("signing key {}: {e}", path.display())))?;
        Ok(LocalSigner::new(key, prefix))
    }

    fn mac(&self, key: &str, expires_at_ms: i64) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(format!("GET\n{key}\n{expires_at_ms}").as_bytes());
        mac
    }

    /// Checks a URL's `expires` and `signature` for `key` at time `now_ms`.
    pub fn verify(&self, key: &str, expires_at_ms: i64, signature: &str, now_ms: i64) -> Result<(), SignatureError> {
        let sig = hex::decode(signature).map_err(|_| SignatureError::Invalid)?;
        self.mac(key, expires_at_ms).verify_slice(&sig).map_err(|_| SignatureError::Invalid)?;
        if now_ms >= expires_at_ms {
            return Err(SignatureError::Expired);
        }
        Ok(())
    }
}

#[async_trait]
impl UrlSigner for LocalSigner {
    async fn signed_get_url(&self, key: &str, expires_at_ms: i64) -> Result<String, StoreError> {
        let signature = hex::encode(self.mac(key, expires_at_ms).finalize().into_bytes());
        Ok(format!("{}/{key}?expires={expires_at_ms}&signature={signature}", self.prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn signed_urls_are_refused_when_tampered_with_or_expired() {
        let signer = LocalSigner::new(b"k".to_vec(), "/o");
        let url = signer.signed_get_url("code/a.jsx", 1000).await.unwrap();
        let sig = url.split("signature=").nth(1).unwrap();
        assert_eq!(signer.verify("code/a.jsx", 1000, sig, 999), Ok(()));
        assert_eq!(signer.verify("code/a.jsx", 1000, sig, 1000), Err(SignatureError::Expired));
        assert_eq!(signer.verify("code/b.jsx", 1000, sig, 999), Err(SignatureError::Invalid));
        assert_eq!(signer.verify("code/a.jsx", 5000, sig, 999), Err(SignatureError::Invalid));
        assert_eq!(signer.verify("code/a.jsx", 1000, "zz", 999), Err(SignatureError::Invalid));
    }
}
