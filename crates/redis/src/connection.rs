//! Connections to Redis: plain or TLS (certificates verified unless a deployment opts out
//! loudly), reconnecting with capped exponential backoff, and a watcher that logs the
//! connection's life (connecting, ready, reconnecting, error) so operators see it.

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, RedisError, RedisResult};
use std::path::PathBuf;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How to reach Redis.
#[derive(Debug, Clone, Default)]
pub struct RedisSettings {
    /// `redis://` or `rediss://` (TLS), with credentials and database as usual.
    pub url: String,
    /// A PEM file of the certificate authority that signed the server's certificate, when
    /// it is not in the system's trust store.
    pub ca_file: Option<PathBuf>,
    /// Accept any server certificate (TLS without authentication). Logged as a warning.
    pub insecure: bool,
}

/// Commands wait at most this long for an answer, so a dead Redis is an error, not a hang.
pub(crate) const COMMAND_TIMEOUT: Duration = Duration::from_secs(3);

/// A Redis server: a client (for dedicated connections such as pub/sub) and a shared,
/// self-healing multiplexed connection.
#[derive(Clone)]
pub struct Redis {
    client: Client,
    shared: ConnectionManager,
    /// The URL without its password, for logs.
    pub(crate) display: String,
}

impl Redis {
    /// Prepares the connection without waiting for the server: a platform starts (and
    /// accepts submissions into its outbox) while Redis is still down.
    pub fn new(settings: &RedisSettings) -> RedisResult<Redis> {
        let shown = redacted(&settings.url);
        let client = client(settings)?;
        tracing::info!(redis = %shown, "redis: connecting");
        let shared = ConnectionManager::new_lazy_with_config(client.clone(), manager_config())?;
        Ok(Redis { client, shared, display: shown })
    }

    /// The shared connection (cheap to clone; commands are pipelined on it).
    pub fn connection(&self) -> ConnectionManager {
        self.shared.clone()
    }

    /// A connection of its own, for blocking commands that would hold up the shared one.
    pub(crate) fn dedicated(&self) -> RedisResult<ConnectionManager> {
        ConnectionManager::new_lazy_with_config(self.client.clone(), manager_config())
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// Whether Redis answers now.
    pub async fn ping(&self) -> RedisResult<()> {
        let mut conn = self.connection();
        timed(redis::cmd("PING").query_async::<()>(&mut conn)).await
    }

    /// Logs the connection's state changes until the task is aborted: `ready` once it
    /// answers, `error` with the cause when it stops, `reconnecting` while it stays down
    /// (at growing intervals, capped), and `ready` again when it is back.
    pub fn watch(&self) -> JoinHandle<()> {
        enum State {
            Connecting,
            Ready,
            Down(tokio::time::Instant),
        }
        let redis = self.clone();
        tokio::spawn(async move {
            let mut state = State::Connecting;
            let mut backoff = Backoff::default();
            loop {
                match redis.ping().await {
                    Ok(()) => {
                        match state {
                            State::Connecting => tracing::info!(redis = %redis.display, "redis: ready"),
                            State::Down(since) => tracing::info!(redis = %redis.display, down_ms = since.elapsed().as_millis() as u64, "redis: ready again"),
                            State::Ready => {}
                        }
                        state = State::Ready;
                        backoff = Backoff::default();
                        tokio::time::sleep(Duration::from_secs(2)).await;
                    }
                    Err(e) => {
                        if !matches!(state, State::Down(_)) {
                            tracing::error!(redis = %redis.display, "redis: error: {e}");
                            state = State::Down(tokio::time::Instant::now());
                        }
                        let delay = backoff.next();
                        tracing::warn!(redis = %redis.display, attempt = backoff.attempts, "redis: reconnecting in {delay:?}");
                        tokio::time::sleep(delay).await;
                    }
                }
            }
        })
    }
}

/// Capped exponential backoff: 200 ms doubling up to 5 s.
#[derive(Default)]
pub(crate) struct Backoff {
    pub(crate) attempts: u32,
}

impl Backoff {
    pub(crate) fn next(&mut self) -> Duration {
        self.attempts += 1;
        Duration::from_millis(100u64.saturating_mul(1 << self.attempts.min(6)).min(5_000))
    }
}

fn manager_config() -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_min_delay(Duration::from_millis(100))
        .set_max_delay(Duration::from_secs(2))
        .set_exponent_base(2.0)
        // A few tries per reconnection; the next command starts another round, so a
        // long outage is ridden out without any one request waiting long.
        .set_number_of_retries(3)
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(COMMAND_TIMEOUT))
}

fn client(settings: &RedisSettings) -> RedisResult<Client> {
    let tls = settings.url.starts_with("rediss://");
    if !tls && (settings.ca_file.is_some() || settings.insecure) {
        return Err(config_error("the Redis TLS options need a rediss:// URL"));
    }
    let mut url = settings.url.clone();
    if settings.insecure {
        tracing::warn!(
            "redis: TLS certificate verification is OFF (--redis-tls-insecure): the connection is encrypted but anyone on the path can pose as the server"
        );
        if !url.contains('#') {
            url.push_str("#insecure");
        }
    }
    match &settings.ca_file {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|e| config_error(&format!("cannot read the Redis CA file {}: {e}", path.display())))?;
            Client::build_with_tls(url, redis::TlsCertificates { client_tls: None, root_cert: Some(pem) })
        }
        None => Client::open(url),
    }
}

fn config_error(message: &str) -> RedisError {
    RedisError::from((redis::ErrorKind::InvalidClientConfig, "invalid Redis settings", message.to_string()))
}

/// Runs a Redis call with the command timeout.
pub(crate) async fn timed<T>(call: impl Future<Output = RedisResult<T>>) -> RedisResult<T> {
    match tokio::time::timeout(COMMAND_TIMEOUT, call).await {
        Ok(result) => result,
        Err(_) => Err(RedisError::from(std::io::Error::new(std::io::ErrorKind::TimedOut, "Redis did not answer in time"))),
    }
}

/// The URL with any password replaced, fit for logs.
fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => "<unparsable redis url>".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_stay_out_of_logs_and_backoff_is_capped() {
        assert_eq!(redacted("redis://:s3cret@cache:6379/0"), "redis://:***@cache:6379/0");
        let mut b = Backoff::default();
        let delays: Vec<u64> = (0..10).map(|_| b.next().as_millis() as u64).collect();
        assert_eq!(&delays[..4], &[200, 400, 800, 1600]);
        assert_eq!(*delays.last().unwrap(), 5_000);
    }

    #[test]
    fn tls_options_without_tls_are_refused() {
        let e = client(&RedisSettings { url: "redis://127.0.0.1/".into(), insecure: true, ca_file: None }).err().unwrap();
        assert!(e.to_string().contains("rediss://"), "{e}");
    }
}
