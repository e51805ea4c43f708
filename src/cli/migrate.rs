//! `hoso migrate [up|down|status]`.

use std::process::ExitCode;

use clap::Args;
use migration::{Migrator, MigratorTrait};

use super::connect;
use crate::config::Config;

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[arg(value_enum, default_value = "up")]
    pub direction: MigrateDirection,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum MigrateDirection {
    /// Apply every pending migration.
    Up,
    /// Roll back the last migration.
    Down,
    /// Show which migrations are applied.
    Status,
}

pub(super) async fn run(config: Config, args: MigrateArgs) -> anyhow::Result<ExitCode> {
    let connection = connect(&config).await?;
    match args.direction {
        MigrateDirection::Up => {
            Migrator::up(&connection, None).await?;
            println!("migrations applied");
        }
        MigrateDirection::Down => {
            Migrator::down(&connection, Some(1)).await?;
            println!("rolled back the last migration");
        }
        MigrateDirection::Status => {
            let applied = Migrator::get_applied_migrations(&connection).await?;
            let pending = Migrator::get_pending_migrations(&connection).await?;
            for migration in applied {
                println!("applied  {}", migration.name());
            }
            for migration in pending {
                println!("pending  {}", migration.name());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
