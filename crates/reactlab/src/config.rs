//! Settings of the server commands (`serve`, `api`, `worker`, `migrate`): flags, then
//! `REACTLAB_*` variables, then the TOML file given by `--config`, then defaults. One set
//! for all, so one file configures a whole deployment; each command uses what it needs.

use crate::JudgeArgs;
use anyhow::Context;
use reactlab_api::ApiConfig;
use reactlab_api::limits::RateLimits;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Declares a struct of settings, each field once, and its [`Layer`] merge, field by field.
macro_rules! layered {
    ($(#[$attr:meta])* pub struct $name:ident { $($(#[$field_attr:meta])* pub $field:ident: $ty:ty,)* }) => {
        $(#[$attr])*
        pub struct $name {
            $($(#[$field_attr])* pub $field: $ty,)*
        }

        impl Layer for $name {
            fn or(self, under: Self) -> Self {
                $name { $($field: Layer::or(self.$field, under.$field),)* }
            }
        }
    };
}

/// Settings from two sources: `self` (flags and variables) wins wherever it says something.
trait Layer {
    fn or(self, under: Self) -> Self;
}

impl<T> Layer for Option<T> {
    fn or(self, under: Self) -> Self {
        Option::or(self, under)
    }
}

/// A list flag absent is empty, so an empty one leaves the file's.
impl<T> Layer for Vec<T> {
    fn or(self, under: Self) -> Self {
        if self.is_empty() { under } else { self }
    }
}

/// The judge's settings are not read from the file (its keys are refused, as they always
/// were): only flags and variables set them.
impl Layer for JudgeArgs {
    fn or(self, _under: Self) -> Self {
        self
    }
}

layered! {
/// The settings, from flags and variables, or (the same keys, `_` for `-`) from the TOML
/// file: both parse into this, and [`Layer::or`] puts the first over the second.
#[derive(clap::Args, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServeArgs {
    #[command(flatten)]
    #[serde(flatten)]
    pub engines: EngineArgs,
    /// A TOML file with any of the settings below (keys as the flags, with `_` for `-`).
    #[arg(long, env = "REACTLAB_CONFIG")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080; for `worker`, its health endpoint, 127.0.0.1:9090].
    #[arg(long, env = "REACTLAB_ADDR")]
    pub addr: Option<SocketAddr>,
    /// Where the database, stored code and keys live [default: ./data].
    #[arg(long, env = "REACTLAB_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Submissions graded at once by this process's workers (`serve`, `worker`) [default: the number of cores].
    #[arg(long, env = "REACTLAB_WORKERS")]
    pub workers: Option<usize>,
    /// No longer grants admin (whoever registered the e-mail first became admin): use
    /// `reactlab admin grant EMAIL`. Kept so that old settings start with a warning.
    #[arg(long = "admin", env = "REACTLAB_ADMINS", value_delimiter = ',', hide = true)]
    pub admins: Vec<String>,
    /// An origin allowed to call the API from a browser (CORS); repeat or comma-separate.
    #[arg(long = "cors-origin", env = "REACTLAB_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Serve behind HTTPS: Secure cookies and HSTS [default: false].
    #[arg(long, env = "REACTLAB_SECURE_COOKIES")]
    pub secure_cookies: Option<bool>,
    /// Behind a reverse proxy that sets X-Forwarded-For: rate limits use the client address
    /// it reports (never set this without such a proxy: clients could pick their own) [default: false].
    #[arg(long, env = "REACTLAB_BEHIND_PROXY", num_args = 0..=1, default_missing_value = "true")]
    pub behind_proxy: Option<bool>,
    /// Seconds running jobs get to finish on shutdown before they are put back [default: 30].
    #[arg(long, env = "REACTLAB_GRACE_SECS")]
    pub grace_secs: Option<u64>,
    /// The built web app to serve [default: web/dist].
    #[arg(long, env = "REACTLAB_WEB_DIR")]
    pub web_dir: Option<PathBuf>,
    /// Seconds a worker holds a job without a heartbeat before it counts as dead and the
    /// job is handed out again [default: 60].
    #[arg(long, env = "REACTLAB_JOB_LEASE_SECS")]
    pub job_lease_secs: Option<u64>,
    /// Lifetime of signed links to stored code, in seconds [default: 60].
    #[arg(long, env = "REACTLAB_SIGNED_URL_TTL_SECS")]
    pub signed_url_ttl_secs: Option<u64>,
    /// Registrations per minute per client address [default: 10].
    #[arg(long, env = "REACTLAB_RATE_REGISTER")]
    pub rate_register: Option<u32>,
    /// Sign-in attempts per minute per client address [default: 20].
    #[arg(long, env = "REACTLAB_RATE_LOGIN")]
    pub rate_login: Option<u32>,
    /// Submissions per minute per user [default: 30].
    #[arg(long, env = "REACTLAB_RATE_SUBMIT")]
    pub rate_submit: Option<u32>,
    /// Open WebSockets per user [default: 8].
    #[arg(long, env = "REACTLAB_MAX_SOCKETS_PER_USER")]
    pub max_sockets_per_user: Option<usize>,
    /// Seconds a client has to send a request's head (method, path, headers); also how long
    /// an idle kept-alive connection stays open [default: 20].
    #[arg(long, env = "REACTLAB_HEADER_TIMEOUT_SECS")]
    pub header_timeout_secs: Option<u64>,
    /// Seconds a client has to send a request's whole body once its head is in; a slower one
    /// gets 408 and is disconnected [default: 30].
    #[arg(long, env = "REACTLAB_BODY_TIMEOUT_SECS")]
    pub body_timeout_secs: Option<u64>,
    #[command(flatten)]
    #[serde(skip)]
    pub judge: JudgeArgs,
}
}

layered! {
/// Where state lives and moves: the database, Redis (queue, events, cache) and the object
/// store. Absent, everything is embedded in the data directory.
// Unknown keys are refused by `ServeArgs`, which this is flattened into (serde supports
// `deny_unknown_fields` only on the outer struct).
#[derive(clap::Args, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct EngineArgs {
    /// Database URL, `sqlite://…` or `postgres://…` [default: sqlite://<data-dir>/reactlab.db].
    #[arg(long, env = "REACTLAB_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Apply pending database migrations on start [default: true for `serve`, false for
    /// `api` and `worker`, which refuse a schema that is behind: run `reactlab migrate`].
    #[arg(long, env = "REACTLAB_MIGRATE", num_args = 0..=1, default_missing_value = "true")]
    pub migrate: Option<bool>,
    /// Redis URL, `redis://…` or `rediss://…` (TLS), for the queue, the event bus and the
    /// cache [default: none: the embedded queue, bus and cache, for one process only].
    #[arg(long, env = "REACTLAB_REDIS_URL")]
    pub redis_url: Option<String>,
    /// A PEM file with the CA that signed Redis's TLS certificate, if not a system CA.
    #[arg(long, env = "REACTLAB_REDIS_CA_FILE")]
    pub redis_ca_file: Option<PathBuf>,
    /// Accept any Redis TLS certificate (encrypted but unauthenticated; logs a warning) [default: false].
    #[arg(long, env = "REACTLAB_REDIS_TLS_INSECURE", num_args = 0..=1, default_missing_value = "true")]
    pub redis_tls_insecure: Option<bool>,
    /// Object store URL, `file://<folder>` or `s3://<bucket>` (credentials and region from
    /// the usual AWS_* variables) [default: file://<data-dir>/objects].
    #[arg(long, env = "REACTLAB_STORE_URL")]
    pub store_url: Option<String>,
    /// The S3-compatible server, for non-AWS stores such as MinIO (path-style requests).
    #[arg(long, env = "REACTLAB_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    /// The S3 endpoint as browsers reach it, when it differs (signed links point there).
    #[arg(long, env = "REACTLAB_S3_PUBLIC_ENDPOINT")]
    pub s3_public_endpoint: Option<String>,
}
}

/// The object store, resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreLocation {
    Folder(PathBuf),
    S3 { bucket: String, endpoint: Option<String>, public_endpoint: Option<String> },
}

impl StoreLocation {
    /// The origin browsers fetch signed links from, when it is not this server's.
    pub fn public_origin(&self) -> Option<String> {
        match self {
            StoreLocation::Folder(_) => None,
            StoreLocation::S3 { endpoint, public_endpoint, bucket } => {
                let endpoint = public_endpoint.clone().or_else(|| endpoint.clone()).unwrap_or_else(|| format!("https://{bucket}.s3.amazonaws.com"));
                let url = url::Url::parse(&endpoint).ok()?;
                Some(url.origin().ascii_serialization())
            }
        }
    }
}

/// Settings with every default applied.
pub struct ServeConfig {
    pub addr: SocketAddr,
    /// The e-mails of the old `admins` setting, which grants nothing now (a warning says so).
    pub admins: Vec<String>,
    pub data_dir: PathBuf,
    pub database_url: String,
    /// `None`: the command's own default.
    pub migrate: Option<bool>,
    pub redis: Option<reactlab_redis::RedisSettings>,
    pub store: StoreLocation,
    pub workers: usize,
    pub grace: Duration,
    pub job_lease: Duration,
    pub web_dir: PathBuf,
    /// See `http::serve`.
    pub header_timeout: Duration,
    pub api: ApiConfig,
    pub judge: JudgeArgs,
}

impl ServeConfig {
    /// `default_addr` differs by command (a worker's health endpoint is not the API's port).
    pub fn resolve(args: ServeArgs, default_addr: SocketAddr) -> anyhow::Result<ServeConfig> {
        let file: ServeArgs = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the config file {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("{} is not a valid config file", path.display()))?
            }
            None => ServeArgs::default(),
        };
        let args = args.or(file);
        let data_dir = args.data_dir.unwrap_or_else(|| PathBuf::from("data"));
        let engines = args.engines;
        let database_url = engines.database_url.unwrap_or_else(|| format!("sqlite://{}", data_dir.join("reactlab.db").display()));
        anyhow::ensure!(
            ["sqlite:", "postgres:", "postgresql:"].iter().any(|s| database_url.starts_with(s)),
            "the database URL must start with sqlite:// or postgres:// (got {database_url})"
        );
        let redis = match engines.redis_url {
            Some(url) => {
                anyhow::ensure!(url.starts_with("redis://") || url.starts_with("rediss://"), "the Redis URL must start with redis:// or rediss:// (got {url})");
                Some(reactlab_redis::RedisSettings { url, ca_file: engines.redis_ca_file, insecure: engines.redis_tls_insecure.unwrap_or(false) })
            }
            None => None,
        };
        let store_url = engines.store_url.unwrap_or_else(|| format!("file://{}", data_dir.join("objects").display()));
        let store = if let Some(folder) = store_url.strip_prefix("file://") {
            StoreLocation::Folder(PathBuf::from(folder))
        } else if let Some(bucket) = store_url.strip_prefix("s3://") {
            let bucket = bucket.trim_end_matches('/');
            anyhow::ensure!(!bucket.is_empty() && !bucket.contains('/'), "the store URL names a bucket: s3://<bucket> (got {store_url})");
            StoreLocation::S3 { bucket: bucket.to_string(), endpoint: engines.s3_endpoint, public_endpoint: engines.s3_public_endpoint }
        } else {
            anyhow::bail!("the store URL must start with file:// or s3:// (got {store_url})");
        };
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let workers = args.workers.unwrap_or(cores);
        anyhow::ensure!((1..=64).contains(&workers), "workers must be 1 to 64 (got {workers})");
        let defaults = RateLimits::default();
        let admins = args.admins.into_iter().map(|a| a.trim().to_lowercase()).filter(|a| !a.is_empty()).collect();
        let api = ApiConfig {
            cors_origins: args.cors_origins.into_iter().map(|o| o.trim().trim_end_matches('/').to_string()).filter(|o| !o.is_empty()).collect(),
            secure_cookies: args.secure_cookies.unwrap_or(false),
            behind_proxy: args.behind_proxy.unwrap_or(false),
            signed_url_ttl: Duration::from_secs(args.signed_url_ttl_secs.unwrap_or(60)),
            rate_limits: RateLimits {
                register_per_minute: args.rate_register.unwrap_or(defaults.register_per_minute),
                login_per_minute: args.rate_login.unwrap_or(defaults.login_per_minute),
                submit_per_minute: args.rate_submit.unwrap_or(defaults.submit_per_minute),
            },
            max_sockets_per_user: args.max_sockets_per_user.unwrap_or(8),
            body_timeout: Duration::from_secs(args.body_timeout_secs.unwrap_or(30).max(1)),
            ..ApiConfig::default()
        };
        Ok(ServeConfig {
            addr: args.addr.unwrap_or(default_addr),
            admins,
            data_dir,
            database_url,
            migrate: engines.migrate,
            redis,
            store,
            workers,
            grace: Duration::from_secs(args.grace_secs.unwrap_or(30)),
            web_dir: args.web_dir.unwrap_or_else(|| PathBuf::from("web/dist")),
            job_lease: Duration::from_secs(args.job_lease_secs.unwrap_or(60).max(2)),
            header_timeout: Duration::from_secs(args.header_timeout_secs.unwrap_or(20).max(1)),
            api,
            judge: args.judge,
        })
    }
}

/// Where `serve` and `api` listen unless told.
pub const DEFAULT_ADDR: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("reactlab.toml");
        std::fs::write(&file, "addr = \"127.0.0.1:9999\"\nworkers = 3\nadmins = [\"Boss@Example.com\"]\n").unwrap();
        let args = ServeArgs { config: Some(file.clone()), workers: Some(1), ..Default::default() };
        let c = ServeConfig::resolve(args, DEFAULT_ADDR).unwrap();
        assert_eq!(c.addr.port(), 9999);
        assert_eq!(c.workers, 1);
        assert_eq!(c.admins, vec!["boss@example.com".to_string()]);
        assert_eq!(c.data_dir, PathBuf::from("data"));
        std::fs::write(&file, "adress = \"x\"\n").unwrap();
        let err = ServeConfig::resolve(ServeArgs { config: Some(file), ..Default::default() }, DEFAULT_ADDR).err().unwrap();
        assert!(format!("{err:#}").contains("unknown field `adress`"), "{err:#}");
    }

    /// Each kind of setting arrives from the file when only the file has it, and from the
    /// flags when only they have it; then the two swap, so every field is read from both.
    #[test]
    fn every_kind_of_setting_arrives_from_the_file_or_the_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("reactlab.toml");
        let resolve = |text: &str, flags: ServeArgs| {
            std::fs::write(&file, text).unwrap();
            ServeConfig::resolve(ServeArgs { config: Some(file.clone()), ..flags }, DEFAULT_ADDR).unwrap()
        };
        let judge = JudgeArgs { chromium: Some("/opt/chromium".into()), in_flight: Some(3), ..Default::default() };

        // The file: a bool, numbers, a path, a list, an address and the Redis engine.
        let file_side = "secure_cookies = true\ngrace_secs = 7\nrate_login = 4\nweb_dir = \"/srv/web\"\ncors_origins = [\"https://a.example/\"]\naddr = \"127.0.0.1:7000\"\nredis_url = \"redis://file:6379\"\nredis_tls_insecure = true\nmigrate = false\n";
        // The flags: the other field of each kind, the database and store engines, the judge.
        let flags = ServeArgs {
            behind_proxy: Some(true),
            workers: Some(2),
            max_sockets_per_user: Some(5),
            data_dir: Some("/var/reactlab".into()),
            admins: vec!["Boss@Example.com".into()],
            engines: EngineArgs {
                database_url: Some("postgres://db/flags".into()),
                store_url: Some("s3://flags".into()),
                s3_endpoint: Some("http://minio:9000".into()),
                ..Default::default()
            },
            judge: judge.clone(),
            ..Default::default()
        };
        let c = resolve(file_side, flags);
        assert!(c.api.secure_cookies && c.api.behind_proxy);
        assert_eq!((c.grace, c.api.rate_limits.login_per_minute), (Duration::from_secs(7), 4));
        assert_eq!((c.workers, c.api.max_sockets_per_user), (2, 5));
        assert_eq!((c.web_dir, c.data_dir), (PathBuf::from("/srv/web"), PathBuf::from("/var/reactlab")));
        assert_eq!((c.api.cors_origins, c.admins), (vec!["https://a.example".to_string()], vec!["boss@example.com".to_string()]));
        assert_eq!(c.addr.port(), 7000);
        let redis = c.redis.unwrap();
        assert_eq!((redis.url.as_str(), redis.insecure, c.migrate), ("redis://file:6379", true, Some(false)));
        assert_eq!(c.database_url, "postgres://db/flags");
        assert_eq!(c.store, StoreLocation::S3 { bucket: "flags".into(), endpoint: Some("http://minio:9000".into()), public_endpoint: None });
        assert_eq!((c.judge.chromium, c.judge.in_flight), (judge.chromium.clone(), Some(3)));

        // Swapped: what came from the flags now comes from the file, and the other way round.
        let file_side = "behind_proxy = true\nworkers = 2\nmax_sockets_per_user = 5\ndata_dir = \"/var/reactlab\"\nadmins = [\"Boss@Example.com\"]\ndatabase_url = \"postgres://db/file\"\nstore_url = \"s3://file\"\ns3_endpoint = \"http://minio:9000\"\n";
        let flags = ServeArgs {
            secure_cookies: Some(true),
            grace_secs: Some(7),
            rate_login: Some(4),
            web_dir: Some("/srv/web".into()),
            cors_origins: vec!["https://a.example/".into()],
            addr: Some("127.0.0.1:7000".parse().unwrap()),
            engines: EngineArgs { redis_url: Some("redis://flags:6379".into()), redis_tls_insecure: Some(true), migrate: Some(false), ..Default::default() },
            ..Default::default()
        };
        let c = resolve(file_side, flags);
        assert!(c.api.secure_cookies && c.api.behind_proxy);
        assert_eq!((c.grace, c.api.rate_limits.login_per_minute), (Duration::from_secs(7), 4));
        assert_eq!((c.workers, c.api.max_sockets_per_user), (2, 5));
        assert_eq!((c.web_dir, c.data_dir), (PathBuf::from("/srv/web"), PathBuf::from("/var/reactlab")));
        assert_eq!((c.api.cors_origins, c.admins), (vec!["https://a.example".to_string()], vec!["boss@example.com".to_string()]));
        assert_eq!(c.addr.port(), 7000);
        let redis = c.redis.unwrap();
        assert_eq!((redis.url.as_str(), redis.insecure, c.migrate), ("redis://flags:6379", true, Some(false)));
        assert_eq!(c.database_url, "postgres://db/file");
        assert_eq!(c.store, StoreLocation::S3 { bucket: "file".into(), endpoint: Some("http://minio:9000".into()), public_endpoint: None });

        // A flag that says false still wins over the file's true (set is not the same as absent).
        let c = resolve(
            "secure_cookies = true\nmigrate = true\n",
            ServeArgs { secure_cookies: Some(false), engines: EngineArgs { migrate: Some(false), ..Default::default() }, ..Default::default() },
        );
        assert_eq!((c.api.secure_cookies, c.migrate), (false, Some(false)));

        // The judge's settings and `config` itself were never file keys, and still are not.
        for key in ["chromium = \"/opt/chromium\"", "in_flight = 3", "config = \"other.toml\"", "engines = {}", "judge = {}"] {
            std::fs::write(&file, key).unwrap();
            let err = ServeConfig::resolve(ServeArgs { config: Some(file.clone()), ..Default::default() }, DEFAULT_ADDR).err().unwrap();
            assert!(format!("{err:#}").contains("unknown field"), "{key}: {err:#}");
        }
    }

    #[test]
    fn request_timeouts_have_defaults_and_come_from_the_file() {
        let c = ServeConfig::resolve(ServeArgs::default(), DEFAULT_ADDR).unwrap();
        assert_eq!((c.header_timeout, c.api.body_timeout), (Duration::from_secs(20), Duration::from_secs(30)));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("reactlab.toml");
        std::fs::write(&file, "header_timeout_secs = 5\nbody_timeout_secs = 0\n").unwrap();
        let c = ServeConfig::resolve(ServeArgs { config: Some(file), ..Default::default() }, DEFAULT_ADDR).unwrap();
        assert_eq!((c.header_timeout, c.api.body_timeout), (Duration::from_secs(5), Duration::from_secs(1)), "0 would cut every request: 1 s at least");
    }

    #[test]
    fn engines_are_chosen_by_url_and_bad_urls_are_named() {
        let engines = |e: EngineArgs| ServeConfig::resolve(ServeArgs { engines: e, ..Default::default() }, DEFAULT_ADDR);
        let c = engines(EngineArgs::default()).unwrap();
        assert!(c.redis.is_none());
        assert_eq!(c.store, StoreLocation::Folder(PathBuf::from("data/objects")));
        let c = engines(EngineArgs {
            database_url: Some("postgres://db/reactlab".into()),
            redis_url: Some("rediss://cache:6380/".into()),
            store_url: Some("s3://solutions".into()),
            s3_endpoint: Some("http://minio:9000".into()),
            s3_public_endpoint: Some("https://files.example.com/".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(c.redis.unwrap().url, "rediss://cache:6380/");
        assert_eq!(c.store.public_origin().as_deref(), Some("https://files.example.com"));
        for (bad, says) in [
            (EngineArgs { database_url: Some("mysql://x".into()), ..Default::default() }, "sqlite:// or postgres://"),
            (EngineArgs { redis_url: Some("http://x".into()), ..Default::default() }, "redis:// or rediss://"),
            (EngineArgs { store_url: Some("gs://x".into()), ..Default::default() }, "file:// or s3://"),
            (EngineArgs { store_url: Some("s3://".into()), ..Default::default() }, "names a bucket"),
        ] {
            let e = engines(bad).err().unwrap();
            assert!(format!("{e:#}").contains(says), "{e:#}");
        }
    }
}
