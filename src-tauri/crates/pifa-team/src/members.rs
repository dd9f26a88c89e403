//! The team and its members: creating the team (its key check, never its key), joining with the
//! team code, who was seen recently, leaving.

use chrono::{DateTime, Utc};
use pifa_core::team::{TeamCode, TeamError};
use serde::Serialize;
use ts_rs::TS;

use crate::error::failed;
use crate::TeamDb;

/// Members not seen for this long are left out of the team's list.
const LISTED_FOR_DAYS: i32 = 30;

/// This desktop as the team knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub member_id: String,
    /// The name the others see beside what this desktop shares.
    pub name: String,
    pub host: String,
}

impl Member {
    /// A desktop joining for the first time: a new random id.
    pub fn new(name: &str, host: &str) -> Member {
        Member {
            member_id: crate::random_id(),
            name: name.trim().to_owned(),
            host: host.to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MemberSeen {
    pub member_id: String,
    pub name: String,
    pub host: String,
    pub app_version: String,
    pub joined_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// The team as Settings → Team and `pifa-cli team status` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TeamInfo {
    pub team_id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// The team schema's version, and the newest this Pifa knows.
    pub schema_version: u32,
    pub schema_known: u32,
    /// Members seen in the last 30 days who have not left, most recently seen first.
    pub members: Vec<MemberSeen>,
}

impl TeamDb {
    /// Sets up the team in an empty team database, with this desktop as its first member.
    pub async fn create_team(
        &self,
        name: &str,
        code: &TeamCode,
        me: &Member,
    ) -> Result<TeamInfo, TeamError> {
        self.check_writable()?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(TeamError::BadName);
        }
        let mut client = self.client().await;
        let tx = client
            .transaction()
            .await
            .map_err(failed("creating the team"))?;
        let created = tx
            .execute(
                "INSERT INTO pifa.team (team_id, name, key_check, created_by)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[
                    &code.team_id.to_string(),
                    &name,
                    &code.key.check_value(),
                    &me.member_id,
                ],
            )
            .await
            .map_err(failed("creating the team"))?;
        if created == 0 {
            let existing: String = tx
                .query_one("SELECT name FROM pifa.team", &[])
                .await
                .map_err(failed("creating the team"))?
                .get(0);
            return Err(TeamError::AlreadySetUp(existing));
        }
        upsert_member(&tx, me).await?;
        tx.commit().await.map_err(failed("creating the team"))?;
        drop(client);
        self.team_info().await
    }

    /// Joins the team this database holds, if `code` is its code.
    pub async fn join_team(&self, code: &TeamCode, me: &Member) -> Result<TeamInfo, TeamError> {
        self.check_writable()?;
        let client = self.client().await;
        let row = client
            .query_opt("SELECT team_id, key_check FROM pifa.team", &[])
            .await
            .map_err(failed("reading the team"))?
            .ok_or(TeamError::NoTeam)?;
        let (team_id, check): (String, Vec<u8>) = (row.get(0), row.get(1));
        if team_id != code.team_id.to_string() || !code.key.fits(&check) {
            return Err(TeamError::WrongCode);
        }
        upsert_member(&*client, me).await?;
        drop(client);
        self.team_info().await
    }

    /// The team and its members seen recently.
    pub async fn team_info(&self) -> Result<TeamInfo, TeamError> {
        let client = self.client().await;
        let team = client
            .query_opt("SELECT team_id, name, created_at FROM pifa.team", &[])
            .await
            .map_err(failed("reading the team"))?
            .ok_or(TeamError::NoTeam)?;
        let members = client
            .query(
                "SELECT member_id, name, host, app_version, joined_at, last_seen
                 FROM pifa.members
                 WHERE left_at IS NULL AND last_seen > now() - make_interval(days => $1)
                 ORDER BY last_seen DESC, name",
                &[&LISTED_FOR_DAYS],
            )
            .await
            .map_err(failed("reading the team's members"))?
            .into_iter()
            .map(|row| MemberSeen {
                member_id: row.get(0),
                name: row.get(1),
                host: row.get(2),
                app_version: row.get(3),
                joined_at: row.get(4),
                last_seen: row.get(5),
            })
            .collect();
        Ok(TeamInfo {
            team_id: team.get(0),
            name: team.get(1),
            created_at: team.get(2),
            schema_version: u32::try_from(self.schema().version).unwrap_or(u32::MAX),
            schema_known: u32::try_from(self.schema().known).unwrap_or(u32::MAX),
            members,
        })
    }

    /// Notes that this desktop is here (and under which name and version).
    pub async fn seen(&self, me: &Member) -> Result<(), TeamError> {
        if self.check_writable().is_err() {
            // An older desktop still reads; it just does not say so.
            return Ok(());
        }
        upsert_member(&*self.client().await, me).await
    }

    /// This desktop leaves: it is no longer listed. What it shared stays the team's.
    pub async fn leave_team(&self, member_id: &str) -> Result<(), TeamError> {
        self.check_writable()?;
        self.client()
            .await
            .execute(
                "UPDATE pifa.members SET left_at = now() WHERE member_id = $1",
                &[&member_id],
            )
            .await
            .map_err(failed("leaving the team"))?;
        Ok(())
    }
}

async fn upsert_member(
    client: &impl tokio_postgres::GenericClient,
    me: &Member,
) -> Result<(), TeamError> {
    client
        .execute(
            "INSERT INTO pifa.members (member_id, name, host, app_version)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (member_id) DO UPDATE SET name = excluded.name, host = excluded.host,
                 app_version = excluded.app_version, last_seen = now(), left_at = NULL",
            &[&me.member_id, &me.name, &me.host, &pifa_core::VERSION],
        )
        .await
        .map_err(failed("noting this member"))?;
    Ok(())
}
