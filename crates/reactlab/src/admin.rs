//! `reactlab admin grant|revoke EMAIL`: who may author challenges and run the queue. Admin
//! belongs to an account and is given by someone with access to the database, never to
//! whoever registers a configured e-mail first.

use crate::config::{ServeArgs, ServeConfig};
use anyhow::Context;
use reactlab_store::{Db, Migrations, SystemClock};
use std::sync::Arc;

#[derive(clap::Subcommand)]
pub enum AdminCommand {
    /// Make the account with this e-mail an admin.
    Grant {
        email: String,
        #[command(flatten)]
        settings: ServeArgs,
    },
    /// Take admin away from the account with this e-mail.
    Revoke {
        email: String,
        #[command(flatten)]
        settings: ServeArgs,
    },
}

pub async fn run(command: AdminCommand) -> anyhow::Result<()> {
    let (email, settings, admin) = match command {
        AdminCommand::Grant { email, settings } => (email, settings, true),
        AdminCommand::Revoke { email, settings } => (email, settings, false),
    };
    let config = ServeConfig::resolve(settings, crate::config::DEFAULT_ADDR)?;
    let url = &config.database_url;
    let db = Db::open(url, Migrations::Require, Arc::new(SystemClock))
        .await
        .with_context(|| format!("cannot open the database {}", crate::platform::redact(url)))?;
    let user = db.set_admin(&email, admin).await;
    db.close().await;
    match user? {
        Some(user) if admin => println!("{} ({}) is an admin.", user.username, user.email),
        Some(user) => println!("{} ({}) is no longer an admin.", user.username, user.email),
        None => anyhow::bail!("no account has the e-mail {email}: register it first, then grant"),
    }
    Ok(())
}

/// The old `admins` setting grants nothing now: say so at start-up, with what to do.
pub fn warn_about_admin_emails(admins: &[String]) {
    if !admins.is_empty() {
        tracing::warn!(
            emails = admins.join(", "),
            "the `admin` setting (--admin, REACTLAB_ADMINS) no longer makes anyone an admin: whoever registered such an e-mail first would have been one. Run `reactlab admin grant EMAIL` once the account exists."
        );
    }
}
