//! `hoso user add`, `reset-password`, `unlock`: accounts for operators.

use std::{io::BufRead, process::ExitCode};

use anyhow::{Context, bail};
use clap::Subcommand;

use crate::{
    App,
    config::Config,
    domain::{
        Actor, Role, accounts,
        users::{self, NewRoleGrant, NewUser},
    },
    names::Named,
};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user and grant them a role.
    Add {
        username: String,
        /// admin, coordinator, agency_head, iso_officer, internal_auditor, staff or appraiser.
        #[arg(long)]
        role: String,
        /// Agency code or id the role covers (required except for admin and coordinator).
        #[arg(long)]
        agency: Option<String>,
        /// Display name (defaults to the username).
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Read the password from the first line of standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Give a user a new random password, printed once; their sessions end and the lock of
    /// failed sign-ins is lifted.
    ResetPassword {
        /// Username or id.
        user: String,
    },
    /// Lift the lock that failed sign-ins put on an account.
    Unlock {
        /// Username or id.
        user: String,
    },
}

pub(super) async fn run(config: Config, command: UserCommand) -> anyhow::Result<ExitCode> {
    match command {
        UserCommand::Add {
            username,
            role,
            agency,
            display_name,
            email,
            password_stdin,
        } => {
            add(
                config,
                NewAccount {
                    username,
                    role,
                    agency,
                    display_name,
                    email,
                },
                password_stdin,
            )
            .await
        }
        UserCommand::ResetPassword { user } => {
            let (app, account) = account_of(config, &user).await?;
            let operator = Actor::system("cli");
            let password = accounts::reset_password(&app.state.db, &operator, account.id).await?;
            println!(
                "new password of {}: {password}\n(shown only this once; their sessions ended and the account is unlocked)",
                account.username
            );
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Unlock { user } => {
            let (app, account) = account_of(config, &user).await?;
            let operator = Actor::system("cli");
            let cleared = accounts::unlock(&app.state.db, &operator, account.id).await?;
            println!(
                "{} is unlocked ({cleared} failed sign-ins cleared)",
                account.username
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The running instance and the account named by username or id.
async fn account_of(
    config: Config,
    user: &str,
) -> anyhow::Result<(App, crate::db::entities::user::Model)> {
    let app = App::build(config).await?;
    let account = accounts::find(&app.state.db, user).await?;
    Ok((app, account))
}

/// The fields of `hoso user add` besides the password.
struct NewAccount {
    username: String,
    role: String,
    agency: Option<String>,
    display_name: Option<String>,
    email: Option<String>,
}

async fn add(
    config: Config,
    account: NewAccount,
    password_stdin: bool,
) -> anyhow::Result<ExitCode> {
    let NewAccount {
        username,
        role,
        agency,
        display_name,
        email,
    } = account;
    let password = read_password(password_stdin)?;
    let app = App::build(config).await?;
    let role = Role::parse(&role)
        .with_context(|| format!("unknown role {role:?}; use one of: {}", Role::names()))?;
    let operator = Actor::system("cli");
    let db = &app.state.db;
    let created = users::create_user(
        db,
        &operator,
        NewUser {
            display_name: display_name.unwrap_or_else(|| username.clone()),
            username,
            email,
            password,
        },
    )
    .await?;
    users::grant_role(
        db,
        &operator,
        created.id,
        NewRoleGrant {
            role,
            agency_id: agency,
        },
    )
    .await?;
    println!(
        "created user {} ({}) with role {}",
        created.username,
        created.id,
        role.as_str()
    );
    Ok(ExitCode::SUCCESS)
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        if password.is_empty() {
            bail!("no password on standard input");
        }
        return Ok(password);
    }
    let password = rpassword::prompt_password("Password: ")
        .context("cannot prompt for a password (use --password-stdin)")?;
    let again = rpassword::prompt_password("Password again: ")?;
    if password != again {
        bail!("the passwords differ");
    }
    Ok(password)
}
