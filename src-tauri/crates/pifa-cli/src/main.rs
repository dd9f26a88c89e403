//! `pifa-cli`: Pifa's core on the command line, for scripts and for data obtained elsewhere.
//!
//! Exit codes: 0 ok, 1 some offers failed, 2 usage or configuration error.

mod import;
mod offers;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use pifa_core::store::Store;
use pifa_core::DataDir;

#[derive(Parser)]
#[command(
    name = "pifa-cli",
    version,
    about = "Pifa (批发): 1688 wholesale sourcing from the command line"
)]
struct Cli {
    /// Where Pifa keeps its files (default: the platform's data directory).
    #[arg(long, global = true, env = "PIFA_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Search the offers stored on this computer.
    Offers(offers::OffersArgs),
    /// Load raw 1688 answers (JSON, one per line; `-` reads standard input) through the cleaner.
    Import {
        /// The file to read, or `-` for standard input.
        file: PathBuf,
    },
    /// Clean every stored raw answer again with this version's cleaner.
    Recheck,
}

/// How a command ended.
pub enum Outcome {
    Ok,
    SomeFailed,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::SomeFailed) => ExitCode::from(1),
        Err(error) => {
            eprintln!("pifa-cli: {error} [{}]", error.code());
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> pifa_core::Result<Outcome> {
    let data_dir = DataDir::resolve(cli.data_dir.as_deref())?;
    let mut store = Store::open_in(&data_dir)?;
    match cli.command {
        Command::Offers(args) => offers::run(&store, &args, cli.json),
        Command::Import { file } => import::run(&mut store, &file, cli.json),
        Command::Recheck => import::recheck(&mut store, cli.json),
    }
}
