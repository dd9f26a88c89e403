//! `pifa-cli`: Pifa's core on the command line, for scripts and for data obtained elsewhere.
//!
//! Exit codes: 0 ok, 1 some offers failed, 2 usage or configuration error.

// First, so its `outln!` is in scope in every module below.
#[macro_use]
mod output;
mod auth;
mod batch;
mod compare;
mod health;
mod import;
mod offers;
mod online;
mod pick;
mod shortlist;
mod supplier;
mod team;
mod team_worker;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use pifa_core::Notice;
use pifa_workbench::{CommandError, ConnectOptions, ModeChoice, Workbench};

// Why: see the workspace's Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

    /// The 1688 gateway to call (default: PIFA_GATEWAY, else the one in Settings, else the
    /// live gateway).
    #[arg(long, global = true, value_name = "URL")]
    gateway: Option<String>,

    /// Use Pifa's built-in demo gateway with generated offers; no 1688 account needed.
    #[arg(long, global = true, conflicts_with = "gateway")]
    demo: bool,

    /// With --demo: faults the demo gateway simulates, `off` or `realistic` (10% 5xx, 3%
    /// dropped connections, 2% cut-off answers, 1% rate limits). Default: PIFA_DEMO_FAULTS, else
    /// the choice in Settings.
    #[arg(long, global = true, value_name = "PROFILE", requires = "demo")]
    demo_faults: Option<String>,

    /// Calls per second to the gateway, at most.
    #[arg(long, global = true, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    rate: u32,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Set up, check or end Pifa's 1688 authorization (kept in the OS keyring).
    Auth {
        #[command(subcommand)]
        action: AuthAction,
    },
    /// Search the offers stored on this computer.
    Offers(offers::OffersArgs),
    /// Team mode: share offers, shortlists, watches and the 1688 app's rate limit with your
    /// buying team through a PostgreSQL database the team runs.
    Team {
        #[command(subcommand)]
        action: team::TeamAction,
    },
    /// Search 1688 by keyword; the results are stored.
    Search {
        /// What to search for, in Chinese or English.
        #[arg(required = true)]
        keyword: Vec<String>,
        #[arg(long, default_value_t = 1)]
        page: u32,
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=50))]
        page_size: u32,
        /// 1688's price filter: lowest wholesale price in yuan.
        #[arg(long, value_name = "YUAN")]
        price_min: Option<pifa_core::Money>,
        /// 1688's price filter: highest wholesale price in yuan.
        #[arg(long, value_name = "YUAN")]
        price_max: Option<pifa_core::Money>,
        /// A 1688 category ID.
        #[arg(long, value_name = "ID")]
        category: Option<u64>,
        /// 1688's own filters, by code (repeat or comma-separate): shipInToday, shipIn24Hours,
        /// shipIn48Hours, certifiedFactory, isOnePsale, isOnePsaleFreePost, noReason7DReturn,
        /// new7, new30, jxhy, getRate48HLv1, qrr0.
        #[arg(long, value_name = "CODE", value_delimiter = ',', value_parser = online::parse_filter)]
        filter: Vec<pifa_core::protocol::SearchFilter>,
        /// How 1688 sorts the page (1688 sorts within the page it returns, not across pages).
        #[arg(long, value_enum)]
        sort: Option<online::SearchSortArg>,
        /// Ask 1688 again even when this page was fetched in the last 10 minutes.
        #[arg(long)]
        refresh: bool,
    },
    /// Pick the best offers for a need: search, fetch, filter by hard constraints, rank by a
    /// weighted score, with every exclusion explained. The run is saved.
    Pick(pick::PickArgs),
    /// The saved pick runs, newest first (in a team, the team's, with who ran each); or one
    /// ranked again with other weights (--rerank RUN --weight price=5), without a call to 1688.
    Runs(pick::RunsArgs),
    /// Fetch offers by ID or 1688 URL (detail.1688.com/offer/ID.html); they are stored.
    Item {
        /// Offer IDs or URLs; text holding several works too.
        #[arg(required = true)]
        offers: Vec<String>,
        /// Fetch again even when a fresh copy (under an hour old) is cached.
        #[arg(long)]
        refresh: bool,
    },
    /// Fetch many offers: a file of IDs or URLs, one or more per line (`-` reads standard input).
    Batch {
        file: PathBuf,
        /// Calls in flight at once.
        #[arg(long, default_value_t = pifa_workbench::BATCH_CONCURRENCY as u16, value_parser = clap::value_parser!(u16).range(1..=64))]
        concurrency: u16,
    },
    /// Offers paused after five serious failures in a row; `--resume` lifts pauses.
    Paused {
        /// Lift the pause of these offers.
        #[arg(long, num_args = 1.., value_name = "OFFER_ID")]
        resume: Vec<String>,
        /// Lift every pause.
        #[arg(long, conflicts_with = "resume")]
        resume_all: bool,
    },
    /// Compare 2–8 offers side by side at one quantity (minimum orders, whole lots, SKUs,
    /// next breaks, stock, supplier signals, data age).
    Compare(compare::CompareArgs),
    /// Shortlists: make them, add offers, compare at a quantity, export CSV for Excel.
    Shortlist {
        #[command(subcommand)]
        action: shortlist::ShortlistAction,
    },
    /// The supplier book: suppliers, their stored offers, your contacts and notes (sealed, key in
    /// the OS keyring).
    Supplier {
        #[command(subcommand)]
        action: supplier::SupplierAction,
    },
    /// Price watches: follow offers at a quantity, check them, see history and alerts.
    Watch {
        #[command(subcommand)]
        action: watch::WatchAction,
    },
    /// Load raw 1688 answers (JSON, one per line; `-` reads standard input) through the cleaner.
    Import {
        /// The file to read, or `-` for standard input.
        file: PathBuf,
    },
    /// Clean every stored raw answer again with this version's cleaner.
    Recheck,
    /// The brief's monitoring targets (success rate, response time, cache hits, rate-limit
    /// hits, update lag) against their thresholds, and the failed calls by class.
    Health(health::HealthArgs),
}

#[derive(Subcommand)]
enum AuthAction {
    /// Keep the app key and secret in the keyring and authorize Pifa in the browser.
    Login {
        /// The 1688 app key (else PIFA_APP_KEY, else the one in the keyring).
        #[arg(long)]
        app_key: Option<String>,
        /// Read the app secret from standard input (else PIFA_APP_SECRET, else the keyring).
        #[arg(long)]
        secret_stdin: bool,
        /// Paste the code, or the address the browser ends on, instead of waiting for it.
        #[arg(long)]
        paste: bool,
    },
    /// Which app is set up and how long the authorization lasts (never the secrets).
    Status,
    /// Forget the tokens; with --forget-app the app key and secret too.
    Logout {
        #[arg(long)]
        forget_app: bool,
    },
}

/// How a command ended.
pub enum Outcome {
    Ok,
    SomeFailed,
}

/// Every way a command can fail, each with a stable code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Core(#[from] pifa_core::Error),
    /// What the application layer refused or failed at.
    #[error("{}", .0.message)]
    Workbench(#[from] CommandError),
    #[error("{message}")]
    Config { code: &'static str, message: String },
    /// A batch or a watch round stopped early; its results are printed already.
    #[error("{message}")]
    Stopped { code: String, message: String },
}

impl CliError {
    pub fn config(code: &'static str, message: impl Into<String>) -> CliError {
        CliError::Config {
            code,
            message: message.into(),
        }
    }

    pub fn code(&self) -> &str {
        match self {
            CliError::Core(e) => e.code(),
            CliError::Workbench(e) => &e.code,
            CliError::Config { code, .. } => code,
            CliError::Stopped { code, .. } => code,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::SomeFailed) => ExitCode::from(1),
        Err(error) => {
            tracing::error!(code = error.code(), "a command failed: {error}");
            eprintln!("pifa-cli: {error} [{}]", error.code());
            ExitCode::from(2)
        }
    }
}

/// Says on standard error, one line each, what opening Pifa's files worked around.
fn warn<'a>(notices: impl IntoIterator<Item = &'a Notice>) {
    for notice in notices {
        eprintln!("pifa-cli: warning: {} [{}]", notice.message, notice.code);
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::config("internal", format!("cannot start the async runtime: {e}")))
}

/// How long the end of a command waits for renewed tokens to reach the keyring.
const SAVE_WAIT: Duration = Duration::from_secs(15);

fn run(cli: Cli) -> Result<Outcome, CliError> {
    if cli.demo && matches!(cli.command, Command::Auth { .. }) {
        return Err(CliError::config(
            "auth.demo",
            "demo mode needs no login: --demo authorizes by itself",
        ));
    }
    let options = ConnectOptions {
        mode: if cli.demo {
            ModeChoice::Demo
        } else {
            ModeChoice::Live
        },
        gateway: cli.gateway.clone(),
        rate: Some(cli.rate),
        environment_credentials: true,
    };
    // The same log file as the app's, so a scheduled `watch check` leaves a trace; standard
    // error still says only what it said before.
    pifa_workbench::logs::start(cli.data_dir.as_deref());
    let workbench = Workbench::open(cli.data_dir.as_deref(), options);
    // An exit straight from the output (a closed pipe, a second Ctrl-C) keeps the calls too.
    output::before_exit(workbench.calls_flusher());
    if let Some(profile) = &cli.demo_faults {
        workbench.force_demo_faults(profile)?;
    }
    let outcome = command(&workbench, cli);
    // The calls this command made, for `pifa-cli health` and the Status page.
    if let Err(e) = workbench.flush_calls() {
        tracing::warn!(code = %e.code, "this command's gateway calls were not recorded: {}", e.message);
    }
    // The process ends right after the command: a rotated refresh token not yet saved would
    // be lost, and the user would have to log in again.
    if !workbench.flush_tokens(SAVE_WAIT) {
        tracing::warn!("the renewed 1688 tokens may not have reached the keyring in time");
        eprintln!("pifa-cli: the renewed 1688 tokens may not have reached the keyring (it did not answer in time); if the next command asks, run `pifa-cli auth login`");
    }
    outcome
}

fn command(wb: &Workbench, cli: Cli) -> Result<Outcome, CliError> {
    if let Command::Auth { action } = &cli.command {
        return runtime()?.block_on(async {
            match action {
                AuthAction::Login {
                    app_key,
                    secret_stdin,
                    paste,
                } => auth::login(wb, app_key.clone(), *secret_stdin, *paste, cli.json).await,
                AuthAction::Status => auth::status(wb, cli.json).await,
                AuthAction::Logout { forget_app } => auth::logout(wb, *forget_app, cli.json).await,
            }
        });
    }
    if let Some(problem) = wb.problem() {
        return Err(problem.into());
    }
    warn(wb.notices());
    // In a team, what these commands show is the team's: take the newest copy first, or say
    // that the last one is shown.
    let shows_team_data = matches!(
        cli.command,
        Command::Shortlist { .. }
            | Command::Watch { .. }
            | Command::Offers(_)
            | Command::Compare(_)
            | Command::Supplier { .. }
            | Command::Runs(_)
    );
    if shows_team_data && wb.in_team() {
        if let Err(e) = runtime()?.block_on(wb.sync_team()) {
            eprintln!(
                "pifa-cli: warning: showing the last copy of the team's data, read-only: {} [{}]",
                e.message, e.code
            );
        }
    }
    match cli.command {
        Command::Auth { .. } => unreachable!("handled above"),
        Command::Offers(args) => offers::run(wb, &args, cli.json),
        Command::Team { action } => runtime()?.block_on(team::run(wb, &action, cli.json)),
        Command::Import { file } => import::run(wb, &file, cli.json),
        Command::Recheck => import::recheck(wb, cli.json),
        Command::Health(args) => health::run(wb, &args, cli.json),
        Command::Watch { action } => runtime()?.block_on(watch::run(wb, &action, cli.json)),
        Command::Shortlist { action } => runtime()?.block_on(shortlist::run(wb, &action, cli.json)),
        Command::Supplier { action } => supplier::run(wb, &action, cli.json),
        Command::Paused { resume, resume_all } => batch::paused(wb, &resume, resume_all, cli.json),
        Command::Batch { file, concurrency } => {
            runtime()?.block_on(batch::run(wb, &file, usize::from(concurrency), cli.json))
        }
        Command::Search {
            keyword,
            page,
            page_size,
            price_min,
            price_max,
            category,
            filter,
            sort,
            refresh,
        } => {
            let search = pifa_core::protocol::KeywordSearch {
                keyword: keyword.join(" "),
                page,
                page_size,
                price_min,
                price_max,
                category_id: category,
                filters: filter,
                sort: sort.map(Into::into),
            };
            runtime()?.block_on(online::search(wb, &search, refresh, cli.json))
        }
        Command::Pick(args) => runtime()?.block_on(pick::run(wb, &args, cli.json)),
        Command::Runs(args) => runtime()?.block_on(pick::runs(wb, &args, cli.json)),
        Command::Compare(args) => runtime()?.block_on(compare::run(wb, &args, cli.json)),
        Command::Item { offers, refresh } => {
            runtime()?.block_on(online::item(wb, &offers, refresh, cli.json))
        }
    }
}
