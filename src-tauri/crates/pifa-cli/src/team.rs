//! `pifa-cli team`: create, join, show and leave the team database a buying team shares.

use std::io::Read;

use clap::Subcommand;
use pifa_workbench::{TeamStatus, Workbench};

use crate::output::json;
use crate::{CliError, Outcome};

#[derive(Subcommand)]
pub enum TeamAction {
    /// Create a team in an empty team database and print its code for the other members.
    Init {
        /// The team's name, e.g. "义乌采购组".
        #[arg(long)]
        name: String,
        /// The database: postgresql://user[:password]@host[:port]/database (default:
        /// PIFA_TEAM_DATABASE_URL). A password given here goes into the OS keyring.
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// The name the others see beside what you share (default: your login name).
        #[arg(long, value_name = "NAME")]
        member: Option<String>,
    },
    /// Join a team with the code a member passed on (`-` reads it from standard input).
    Join {
        code: String,
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        #[arg(long, value_name = "NAME")]
        member: Option<String>,
    },
    /// The team joined, its database and the members seen in the last 30 days.
    Status,
    /// Print the team code again, to pass to a new member (it holds the team key).
    Code,
    /// Leave the team: back to this computer's own data; the key leaves the keyring.
    Leave,
    /// Check the team's due watches in rounds with no desktop open (`--once`: one round).
    Worker(crate::team_worker::WorkerArgs),
}

pub async fn run(wb: &Workbench, action: &TeamAction, as_json: bool) -> Result<Outcome, CliError> {
    match action {
        TeamAction::Worker(args) => return crate::team_worker::run(wb, args, as_json).await,
        TeamAction::Init { name, url, member } => {
            let joined = wb
                .team_init(url.as_deref(), None, name, member.as_deref())
                .await?;
            if as_json {
                json(&joined);
            } else {
                outln!(
                    "Created the team {:?}; you are {:?}.",
                    joined.info.name,
                    joined.membership.member_name
                );
                outln!("Pass this code to the other members (it holds the team key; send it privately):");
                outln!("{}", joined.code);
                outln!(
                    "They join with: pifa-cli team join CODE --url {}",
                    joined.membership.address
                );
            }
        }
        TeamAction::Join { code, url, member } => {
            let code = if code == "-" {
                let mut text = String::new();
                std::io::stdin().read_to_string(&mut text).map_err(|e| {
                    CliError::config(
                        "input.unreadable",
                        format!("the team code could not be read from standard input: {e}"),
                    )
                })?;
                text
            } else {
                code.clone()
            };
            let joined = wb
                .team_join(url.as_deref(), None, &code, member.as_deref())
                .await?;
            if !joined.key_kept {
                eprintln!(
                    "pifa-cli: warning: this computer has no keyring, so the team key was not kept: \
                     the supplier book cannot be read here, and the database password has to come \
                     with {}. Enough for `pifa-cli team worker`.",
                    pifa_workbench::TEAM_DATABASE_URL
                );
            }
            if as_json {
                // The code stays out of the output of a join: the member has it already.
                json(&joined.info);
            } else {
                outln!(
                    "Joined the team {:?} as {:?}.",
                    joined.info.name,
                    joined.membership.member_name
                );
                print_members(&joined.info);
            }
        }
        TeamAction::Status => {
            let status = wb.team_status().await?;
            if as_json {
                json(&status);
            } else {
                print_status(&status);
            }
        }
        TeamAction::Code => {
            let code = wb.team_code().await?;
            if as_json {
                json(&serde_json::json!({ "code": code }));
            } else {
                outln!("{code}");
            }
        }
        TeamAction::Leave => {
            let told = wb.team_leave().await?;
            if as_json {
                json(&serde_json::json!({ "left": true, "teamTold": told }));
            } else if told {
                outln!("Left the team; Pifa uses this computer's own data again.");
            } else {
                outln!("Left the team here; the team database could not be reached, so the others still list you until it can.");
            }
        }
    }
    Ok(Outcome::Ok)
}

fn print_status(status: &TeamStatus) {
    let Some(joined) = &status.membership else {
        match &status.address {
            Some(address) => outln!("Not in a team yet; PIFA_TEAM_DATABASE_URL names {address} (`pifa-cli team join CODE` or `team init --name NAME`)."),
            None => outln!("Not in a team: Pifa keeps everything on this computer. `pifa-cli team join CODE --url URL` joins one."),
        }
        return;
    };
    outln!(
        "Team {:?}, you are {:?}",
        joined.team_name,
        joined.member_name
    );
    outln!(
        "Database: {}",
        status.address.as_deref().unwrap_or(&joined.address)
    );
    if let Some(problem) = &status.problem {
        outln!("Problem: {} [{}]", problem.message, problem.code);
    }
    if let Some(info) = &status.info {
        outln!(
            "Team schema: version {} (this Pifa knows up to {})",
            info.schema_version,
            info.schema_known
        );
        print_members(info);
    }
}

fn print_members(info: &pifa_workbench::TeamInfo) {
    outln!("Members seen in the last 30 days:");
    for member in &info.members {
        let seen = member
            .last_seen
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M");
        outln!(
            "  {}  ({}, Pifa {}), last seen {}",
            member.name,
            member.host,
            member.app_version,
            seen
        );
    }
}
