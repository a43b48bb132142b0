//! `reactlab serve` settings: flags, then `REACTLAB_*` variables, then the TOML file given
//! by `--config`, then defaults.

use crate::JudgeArgs;
use anyhow::Context;
use reactlab_api::ApiConfig;
use reactlab_api::limits::RateLimits;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args, Clone, Default)]
pub struct ServeArgs {
    /// A TOML file with any of the settings below (keys as the flags, with `_` for `-`).
    #[arg(long, env = "REACTLAB_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "REACTLAB_ADDR")]
    pub addr: Option<SocketAddr>,
    /// Where the database, stored code and keys live [default: ./data].
    #[arg(long, env = "REACTLAB_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL [default: sqlite://<data-dir>/reactlab.db].
    #[arg(long, env = "REACTLAB_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Submissions graded at once by in-process workers [default: the number of cores].
    #[arg(long, env = "REACTLAB_WORKERS")]
    pub workers: Option<usize>,
    /// E-mail of an admin (may author challenges); repeat, or comma-separate in the variable.
    #[arg(long = "admin", env = "REACTLAB_ADMINS", value_delimiter = ',')]
    pub admins: Vec<String>,
    /// An origin allowed to call the API from a browser (CORS); repeat or comma-separate.
    #[arg(long = "cors-origin", env = "REACTLAB_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Serve behind HTTPS: Secure cookies and HSTS [default: false].
    #[arg(long, env = "REACTLAB_SECURE_COOKIES")]
    pub secure_cookies: Option<bool>,
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
    #[command(flatten)]
    pub judge: JudgeArgs,
}

/// The TOML file: the same settings, all optional.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    workers: Option<usize>,
    admins: Option<Vec<String>>,
    cors_origins: Option<Vec<String>>,
    secure_cookies: Option<bool>,
    grace_secs: Option<u64>,
    signed_url_ttl_secs: Option<u64>,
    job_lease_secs: Option<u64>,
    web_dir: Option<PathBuf>,
    rate_register: Option<u32>,
    rate_login: Option<u32>,
    rate_submit: Option<u32>,
    max_sockets_per_user: Option<usize>,
}

/// Settings with every default applied.
pub struct ServeConfig {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub workers: usize,
    pub grace: Duration,
    pub job_lease: Duration,
    pub web_dir: PathBuf,
    pub api: ApiConfig,
    pub judge: JudgeArgs,
}

impl ServeConfig {
    pub fn resolve(args: ServeArgs) -> anyhow::Result<ServeConfig> {
        let file: FileConfig = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the config file {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("{} is not a valid config file", path.display()))?
            }
            None => FileConfig::default(),
        };
        let data_dir = args.data_dir.or(file.data_dir).unwrap_or_else(|| PathBuf::from("data"));
        let database_url = args.database_url.or(file.database_url).unwrap_or_else(|| format!("sqlite://{}", data_dir.join("reactlab.db").display()));
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let workers = args.workers.or(file.workers).unwrap_or(cores);
        anyhow::ensure!((1..=64).contains(&workers), "workers must be 1 to 64 (got {workers})");
        let or_file = |flag: Vec<String>, file: Option<Vec<String>>| if flag.is_empty() { file.unwrap_or_default() } else { flag };
        let defaults = RateLimits::default();
        let api = ApiConfig {
            admins: or_file(args.admins, file.admins).into_iter().map(|a| a.trim().to_lowercase()).filter(|a| !a.is_empty()).collect(),
            cors_origins: or_file(args.cors_origins, file.cors_origins).into_iter().map(|o| o.trim().trim_end_matches('/').to_string()).filter(|o| !o.is_empty()).collect(),
            secure_cookies: args.secure_cookies.or(file.secure_cookies).unwrap_or(false),
            signed_url_ttl: Duration::from_secs(args.signed_url_ttl_secs.or(file.signed_url_ttl_secs).unwrap_or(60)),
            rate_limits: RateLimits {
                register_per_minute: args.rate_register.or(file.rate_register).unwrap_or(defaults.register_per_minute),
                login_per_minute: args.rate_login.or(file.rate_login).unwrap_or(defaults.login_per_minute),
                submit_per_minute: args.rate_submit.or(file.rate_submit).unwrap_or(defaults.submit_per_minute),
            },
            max_sockets_per_user: args.max_sockets_per_user.or(file.max_sockets_per_user).unwrap_or(8),
            ..ApiConfig::default()
        };
        Ok(ServeConfig {
            addr: args.addr.or(file.addr).unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            data_dir,
            database_url,
            workers,
            grace: Duration::from_secs(args.grace_secs.or(file.grace_secs).unwrap_or(30)),
            web_dir: args.web_dir.or(file.web_dir).unwrap_or_else(|| PathBuf::from("web/dist")),
            job_lease: Duration::from_secs(args.job_lease_secs.or(file.job_lease_secs).unwrap_or(60).max(2)),
            api,
            judge: args.judge,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("reactlab.toml");
        std::fs::write(&file, "addr = \"127.0.0.1:9999\"\nworkers = 3\nadmins = [\"Boss@Example.com\"]\n").unwrap();
        let args = ServeArgs { config: Some(file.clone()), workers: Some(1), ..Default::default() };
        let c = ServeConfig::resolve(args).unwrap();
        assert_eq!(c.addr.port(), 9999);
        assert_eq!(c.workers, 1);
        assert_eq!(c.api.admins, vec!["boss@example.com".to_string()]);
        assert_eq!(c.data_dir, PathBuf::from("data"));
        std::fs::write(&file, "adress = \"x\"\n").unwrap();
        let err = ServeConfig::resolve(ServeArgs { config: Some(file), ..Default::default() }).err().unwrap();
        assert!(format!("{err:#}").contains("unknown field `adress`"), "{err:#}");
    }
}
