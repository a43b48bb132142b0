//! `reactlab`: the one binary. This file only parses the command line and dispatches.

mod admin;
mod bench;
mod catalog;
mod check;
mod config;
mod grade;
mod healthcheck;
mod http;
mod load;
mod platform;
mod serve;
mod text_report;
mod worker;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "reactlab", version, about = "Learn React by solving challenges graded in a real browser.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Options shared by the commands that grade.
#[derive(clap::Args, Clone, Default)]
pub struct JudgeArgs {
    /// The folder of built-in challenges.
    #[arg(long, env = "REACTLAB_CHALLENGES", default_value = "challenges", global = true)]
    pub catalog: PathBuf,
    /// The Chromium binary (default: Debian's chromium-headless-shell when installed, else chromium).
    #[arg(long, env = "REACTLAB_CHROMIUM", global = true)]
    pub chromium: Option<PathBuf>,
    /// Submissions graded at once in the browser (default: the number of cores).
    #[arg(long, env = "REACTLAB_JUDGE_IN_FLIGHT", global = true)]
    pub in_flight: Option<usize>,
    /// Run Chromium in a network namespace of its own with only a loopback interface, a
    /// second wall behind the judge's proxy: `auto` (when the OS allows it), `required`, `off`.
    #[arg(long, env = "REACTLAB_NETWORK_WALL", default_value = "auto", global = true)]
    pub network_wall: reactlab_judge::launch::NetworkWall,
    /// Run Chromium with its own sandbox (seccomp and namespaces around each renderer):
    /// `auto` (on; where the OS refuses it, warn loudly, report it in /readyz and go on
    /// without), `required`, `off`. A judge running as root always starts the browser as an
    /// unprivileged user (REACTLAB_BROWSER_USER, else `reactlab-browser`, else `nobody`).
    #[arg(long, env = "REACTLAB_BROWSER_SANDBOX", default_value = "auto", global = true)]
    pub browser_sandbox: reactlab_judge::launch::BrowserSandbox,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole platform in one process: API, web app, workers, on embedded defaults
    /// (or on PostgreSQL, Redis and S3 when given their URLs).
    Serve(config::ServeArgs),
    /// Run the HTTP and WebSocket API and the web app, without judging (needs Redis;
    /// run any number behind a load balancer).
    Api(config::ServeArgs),
    /// Run judging workers, without the API (needs Redis; HTTP only for health).
    Worker(config::ServeArgs),
    /// Apply pending database migrations, then exit.
    Migrate(config::ServeArgs),
    /// Grant or revoke admin (authoring challenges, the queue dashboard) to an account.
    Admin {
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
    /// Ask a running server or worker whether it is ready (for container health checks).
    Healthcheck(healthcheck::HealthcheckArgs),
    /// Grade files against a challenge and print a report.
    Grade(grade::GradeArgs),
    /// Measure the judge: floor, latency, throughput, CPU and memory per submission.
    Bench(bench::BenchArgs),
    /// Load a running server: virtual users register, submit right and wrong solutions
    /// and wait for each verdict on the WebSocket; reports throughput, latency, errors and
    /// (with --watch) memory growth. Loopback only unless --allow-remote.
    Load(load::LoadArgs),
    /// Work with the challenge catalog.
    Challenges {
        #[command(subcommand)]
        command: ChallengesCommand,
    },
}

#[derive(Subcommand)]
enum ChallengesCommand {
    /// Prove every challenge: valid files, the reference passes, the starter fails, and
    /// every fixture passes or fails as its name says.
    Check(check::CheckArgs),
    /// Print the JSON Schema of challenge.toml.
    Schema,
    /// Print the requirement-by-requirement table of the catalog (docs/challenges.md): the
    /// tests that check each requirement and the fail fixtures that break it.
    Audit {
        /// The catalog folder.
        #[arg(long, env = "REACTLAB_CHALLENGES", default_value = "challenges")]
        catalog: std::path::PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A server reports what it does; the one-shot commands stay quiet unless asked.
    let default_filter =
        if matches!(cli.command, Command::Serve(_) | Command::Api(_) | Command::Worker(_)) { "warn,reactlab=info,reactlab_redis=info" } else { "warn" };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("REACTLAB_LOG").unwrap_or_else(|_| default_filter.into()))
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    let code = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => exit_code(serve::run(serve::Role::Serve, args).await),
            Command::Api(args) => exit_code(serve::run(serve::Role::Api, args).await),
            Command::Worker(args) => exit_code(serve::run(serve::Role::Worker, args).await),
            Command::Migrate(args) => exit_code(serve::migrate(args).await),
            Command::Admin { command } => exit_code(admin::run(command).await),
            Command::Healthcheck(args) => healthcheck::run(args).await,
            Command::Grade(args) => grade::run(args).await,
            Command::Bench(args) => bench::run(args).await,
            Command::Load(args) => load::run(args).await,
            Command::Challenges { command: ChallengesCommand::Check(args) } => check::run(args).await,
            Command::Challenges { command: ChallengesCommand::Audit { catalog } } => match catalog::load_all(&catalog) {
                Ok(c) => {
                    print!("{}", reactlab_core::requirement::audit(&c));
                    0
                }
                Err(e) => {
                    eprintln!("The catalog does not load:\n{e}");
                    1
                }
            },
            Command::Challenges { command: ChallengesCommand::Schema } => {
                println!("{}", serde_json::to_string_pretty(&reactlab_core::catalog::schema()).expect("schema serializes"));
                0
            }
        }
    });
    ExitCode::from(code)
}

fn exit_code(result: anyhow::Result<()>) -> u8 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e:#}");
            1
        }
    }
}
