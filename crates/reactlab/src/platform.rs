//! The engines a server process stands on, chosen by URL: the database, the object store,
//! and either Redis (queue, event bus, cache shared by many processes) or their embedded
//! counterparts (one process).

use crate::config::{ServeConfig, StoreLocation};
use anyhow::Context;
use reactlab_api::limits::SharedRateLimits;
use reactlab_queue::{EventBus, JobQueue, LocalBus, SqlQueue};
use reactlab_redis::{Redis, RedisBus, RedisCache, RedisQueue, RedisRateLimiter};
use reactlab_store::cache::{Cache, MemoryCache};
use reactlab_store::{Db, LocalSigner, Migrations, Objects, SystemClock};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Cached entries live this long at most, should an invalidation be missed.
const CACHE_TTL: Duration = Duration::from_secs(300);

pub struct Platform {
    pub db: Db,
    pub objects: Objects,
    /// Set when objects are in a local folder: the API serves signed links itself.
    pub local_signer: Option<Arc<LocalSigner>>,
    pub queue: Arc<dyn JobQueue>,
    pub bus: Arc<dyn EventBus>,
    pub cache: Arc<dyn Cache>,
    /// Rate limits counted in Redis, shared by every API process (none without Redis).
    pub shared_limits: Option<Arc<dyn SharedRateLimits>>,
    redis_watch: Option<JoinHandle<()>>,
}

/// The API's seam for shared rate limits, on Redis.
struct RedisLimits(RedisRateLimiter);

#[async_trait::async_trait]
impl SharedRateLimits for RedisLimits {
    async fn hit(&self, bucket: &str, per_minute: u32, key: &str) -> Result<Option<Duration>, String> {
        self.0.hit(bucket, per_minute, key).await.map_err(|e| e.to_string())
    }
}

/// The data directory holds the database, the solutions and the URL-signing key: only this
/// process's user may enter it (not the browser's user, nor anyone else).
fn private(dir: &std::path::Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir).with_context(|| format!("cannot read the data directory {}", dir.display()))?.permissions().mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode & 0o700))
            .with_context(|| format!("cannot make the data directory {} private (mode 700)", dir.display()))?;
        tracing::info!(dir = %dir.display(), "the data directory was open to other users; it is now private (mode 700)");
    }
    Ok(())
}

impl Platform {
    /// Connects to every engine. `migrate_by_default` applies when the settings do not say
    /// whether to migrate.
    pub async fn open(config: &ServeConfig, migrate_by_default: bool) -> anyhow::Result<Platform> {
        std::fs::create_dir_all(&config.data_dir).with_context(|| format!("cannot create the data directory {}", config.data_dir.display()))?;
        private(&config.data_dir)?;
        let migrations = if config.migrate.unwrap_or(migrate_by_default) { Migrations::Apply } else { Migrations::Require };
        let db = Db::open(&config.database_url, migrations, Arc::new(SystemClock))
            .await
            .with_context(|| format!("cannot open the database {}", redact(&config.database_url)))?;

        let (objects, local_signer) = match &config.store {
            StoreLocation::Folder(folder) => {
                let signer = Arc::new(LocalSigner::from_key_file(&config.data_dir.join("keys").join("url-signing.key"), "/api/v1/objects")?);
                (Objects::local(folder, signer.clone())?, Some(signer))
            }
            StoreLocation::S3 { bucket, endpoint, public_endpoint } => {
                let objects =
                    Objects::s3(bucket, endpoint.as_deref(), public_endpoint.as_deref()).with_context(|| format!("cannot use the bucket s3://{bucket}"))?;
                (objects, None)
            }
        };

        let redis = config.redis.as_ref().map(Redis::new).transpose().context("invalid Redis settings")?;
        let redis_watch = redis.as_ref().map(Redis::watch);
        let queue: Arc<dyn JobQueue> = match &redis {
            Some(redis) => Arc::new(RedisQueue::new(redis.clone())),
            None => Arc::new(SqlQueue::new(db.pool().clone()).await?),
        };
        let bus: Arc<dyn EventBus> = match &redis {
            Some(redis) => Arc::new(RedisBus::new(redis.clone(), 4096)),
            None => Arc::new(LocalBus::new(4096)),
        };
        let shared_limits = redis.as_ref().map(|r| Arc::new(RedisLimits(RedisRateLimiter::new(r.clone()))) as Arc<dyn SharedRateLimits>);
        let cache: Arc<dyn Cache> = match redis {
            Some(redis) => Arc::new(RedisCache::new(redis, CACHE_TTL)),
            None => Arc::new(MemoryCache::new(10_000, CACHE_TTL)),
        };
        Ok(Platform { db, objects, local_signer, queue, bus, cache, shared_limits, redis_watch })
    }

    pub async fn close(self) {
        if let Some(watch) = self.redis_watch {
            watch.abort();
        }
        self.db.close().await;
    }
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}
