//! `reactlab healthcheck [URL]`: asks a running ReactLab whether it is ready, for container
//! health checks (the runtime image has no curl): exit 0 on a 2xx answer, 1 otherwise.

use std::time::Duration;

#[derive(clap::Args)]
pub struct HealthcheckArgs {
    /// What to ask: a server's or a worker's `/readyz` (or `/healthz`: alive only).
    #[arg(default_value = "http://127.0.0.1:8080/readyz")]
    url: String,
}

pub async fn run(args: HealthcheckArgs) -> u8 {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(25)).build().expect("an HTTP client");
    match client.get(&args.url).send().await {
        Ok(r) if r.status().is_success() => 0,
        Ok(r) => {
            let status = r.status();
            eprintln!("{} answered {status}: {}", args.url, r.text().await.unwrap_or_default());
            1
        }
        Err(e) => {
            eprintln!("{} did not answer: {e}", args.url);
            1
        }
    }
}
