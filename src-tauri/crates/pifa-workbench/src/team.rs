//! Team mode from the workbench: which team database (`PIFA_TEAM_DATABASE_URL`, else the one
//! joined in Settings), its password (in the address for scripts, else the keyring), one
//! connection made when first needed and again after it drops, and the team's own actions:
//! create, join, status, the code to pass on, leave.

use std::sync::{Arc, PoisonError};

use chrono::{DateTime, Utc};
use pifa_core::offer::OfferId;
use pifa_core::secrets;
use pifa_core::settings::TeamMembership;
use pifa_core::store::{ReadyAnswer, Store, StoredAnswer, IMPORT_GROUP};
use pifa_core::team::{TeamCode, TeamError, TeamId};
use pifa_core::DataDir;
use pifa_team::{Member, TeamAddress, TeamDb, TeamInfo};
use serde::Serialize;
use ts_rs::TS;

use crate::{CommandError, Workbench};

/// The variable that names the team database for scripts and the worker; it wins over Settings.
pub const TEAM_DATABASE_URL: &str = "PIFA_TEAM_DATABASE_URL";

/// The connection, once made, and how the last copy of the team's data went.
#[derive(Default)]
pub(crate) struct TeamSlot {
    db: tokio::sync::Mutex<Option<Arc<TeamDb>>>,
    synced: std::sync::Mutex<Synced>,
}

#[derive(Default, Clone)]
struct Synced {
    at: Option<DateTime<Utc>>,
    problem: Option<CommandError>,
    /// What the last copy held, to tell whether the next one changed anything.
    fingerprint: Option<u64>,
}

/// The user database for this desktop as it stands: its own `pifa.db`, or in a team the copy
/// of that team's shared data (`team-<id>.db`), so leaving a team finds one's own lists as
/// they were.
pub(crate) fn open_store(
    dir: &DataDir,
    team: Option<&TeamMembership>,
) -> Result<Store, CommandError> {
    let store = match team.and_then(|t| TeamId::parse(&t.team_id)) {
        Some(team_id) => Store::open(dir.team_store_file(&team_id)),
        None => Store::open_in(dir),
    };
    Ok(store?)
}

/// A change to team data: where it goes and who makes it.
pub(crate) struct TeamChange {
    pub db: Arc<TeamDb>,
    pub me: Member,
}

/// Where the team database is and how to log in to it. Its `Debug` never shows the password.
#[derive(Clone)]
pub struct TeamTarget {
    pub address: TeamAddress,
    password: Option<String>,
    /// The team joined, per Settings; `None` before `init`/`join`.
    pub membership: Option<TeamMembership>,
}

impl TeamTarget {
    /// The password to log in with (from the address or the keyring): for connections of
    /// the workbench's own, such as the team's rate-limit gate. Never shown.
    pub(crate) fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }
}

impl std::fmt::Debug for TeamTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TeamTarget")
            .field("address", &self.address)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("membership", &self.membership)
            .finish()
    }
}

/// What Settings → Team and `pifa-cli team status` show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TeamStatus {
    /// The team joined, if any.
    pub membership: Option<TeamMembership>,
    /// The address in use (without password), from Settings or the environment.
    pub address: Option<String>,
    /// The team as the database has it; `null` while it cannot be reached.
    pub info: Option<TeamInfo>,
    /// Why the database cannot be used now (unreachable, refused, newer schema).
    pub problem: Option<CommandError>,
    /// When this desktop last copied the team's data; while the database is unreachable, the
    /// pages show that copy, read-only.
    #[ts(type = "string | null")]
    pub copied_at: Option<DateTime<Utc>>,
}

/// A team just created or joined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TeamJoined {
    pub info: TeamInfo,
    pub membership: TeamMembership,
    /// The code to pass to the other members, out of band. It holds the team key: shown to
    /// this user, never logged or stored outside the keyring.
    pub code: String,
    /// Whether the team key went to this computer's keyring. `false` only when joining on a
    /// computer without one (a headless worker): the supplier book cannot be read there, and
    /// the database password has to come with `PIFA_TEAM_DATABASE_URL`.
    pub key_kept: bool,
}

impl From<TeamError> for CommandError {
    fn from(error: TeamError) -> Self {
        CommandError::new(error.code(), error.to_string())
    }
}

async fn keyring<T: Send + 'static>(
    call: impl FnOnce() -> pifa_core::Result<T> + Send + 'static,
) -> Result<T, CommandError> {
    Ok(secrets::off_runtime(call).await?)
}

/// What joining or creating a team starts from.
struct Setup<'a> {
    address: Option<&'a str>,
    password: Option<&'a str>,
    member_name: Option<&'a str>,
    joining: bool,
}

/// This computer's name, as the team sees it beside the member's.
fn host_name() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

/// The name a member goes by unless they give one: their login name.
fn default_member_name() -> String {
    ["USER", "USERNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "buyer".to_owned())
}

impl Workbench {
    /// The team database to use, if one is configured: the environment's address, else the one
    /// joined, with the password the address carries, if any. Reads no secret.
    fn team_place(&self) -> Result<Option<TeamTarget>, CommandError> {
        let membership = self.settings().team;
        let text = match (crate::env(TEAM_DATABASE_URL), &membership) {
            (Some(text), _) => text,
            (None, Some(joined)) => joined.address.clone(),
            (None, None) => return Ok(None),
        };
        let (address, password) = TeamAddress::parse(&text)?;
        Ok(Some(TeamTarget {
            address,
            password,
            membership,
        }))
    }

    /// [`Workbench::team_place`] with the password kept in the keyring when the address
    /// carries none. Reads the keyring: call it off the async runtime.
    pub fn team_target(&self) -> Result<Option<TeamTarget>, CommandError> {
        let Some(mut target) = self.team_place()? else {
            return Ok(None);
        };
        if target.password.is_none() {
            target.password = secrets::load_team_password(target.address.as_str())?;
        }
        Ok(Some(target))
    }

    pub(crate) async fn team_target_async(&self) -> Result<Option<TeamTarget>, CommandError> {
        let workbench = self.clone();
        run_blocking(move || workbench.team_target()).await
    }

    /// The team database, connected; `None` when this desktop is in no team. An unreachable
    /// server is an error (`team.unreachable`): what reads team data then uses the last copy.
    /// While the connection made before lasts, it is used without asking the keyring again.
    pub async fn team_db(&self) -> Result<Option<Arc<TeamDb>>, CommandError> {
        let Some(place) = self.team_place()? else {
            return Ok(None);
        };
        if place.membership.is_none() {
            return Err(TeamError::NotJoined.into());
        }
        if let Some(db) = self.inner.team.db.lock().await.as_ref() {
            if db.address() == &place.address && !db.is_closed() {
                return Ok(Some(Arc::clone(db)));
            }
        }
        let target = self
            .team_target_async()
            .await?
            .ok_or(TeamError::NotJoined)?;
        Ok(Some(self.connect_team(&target).await?))
    }

    async fn connect_team(&self, target: &TeamTarget) -> Result<Arc<TeamDb>, CommandError> {
        let mut slot = self.inner.team.db.lock().await;
        if let Some(db) = slot.as_ref() {
            if db.address() == &target.address && !db.is_closed() {
                return Ok(Arc::clone(db));
            }
        }
        *slot = None;
        let db = Arc::new(TeamDb::connect(&target.address, target.password.as_deref()).await?);
        if let Some(joined) = &target.membership {
            let me = member_of(joined);
            // Being listed as seen is a courtesy; a failure here fails nothing else.
            if let Err(e) = db.seen(&me).await {
                tracing::warn!(code = e.code(), "the team could not note this desktop: {e}");
            }
        }
        *slot = Some(Arc::clone(&db));
        Ok(db)
    }

    /// Creates a team in the database at `address` (else `PIFA_TEAM_DATABASE_URL`), with this
    /// desktop as its first member. Returns the code to pass on. The password is `password`,
    /// else the one in the address, else the one kept for it; a given one goes to the keyring.
    pub async fn team_init(
        &self,
        address: Option<&str>,
        password: Option<&str>,
        team_name: &str,
        member_name: Option<&str>,
    ) -> Result<TeamJoined, CommandError> {
        let code = TeamCode::generate();
        let setup = Setup {
            address,
            password,
            member_name,
            joining: false,
        };
        self.set_up_team(setup, code, |db, code, me| {
            let team_name = team_name.to_owned();
            Box::pin(async move { db.create_team(&team_name, &code, &me).await })
        })
        .await
    }

    /// Joins the team in the database at `address` with the code a member passed on.
    pub async fn team_join(
        &self,
        address: Option<&str>,
        password: Option<&str>,
        code: &str,
        member_name: Option<&str>,
    ) -> Result<TeamJoined, CommandError> {
        let code = TeamCode::parse(code)?;
        let setup = Setup {
            address,
            password,
            member_name,
            joining: true,
        };
        self.set_up_team(setup, code, |db, code, me| {
            Box::pin(async move { db.join_team(&code, &me).await })
        })
        .await
    }

    async fn set_up_team(
        &self,
        setup: Setup<'_>,
        code: TeamCode,
        act: impl FnOnce(
            Arc<TeamDb>,
            TeamCode,
            Member,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<TeamInfo, TeamError>> + Send>,
        >,
    ) -> Result<TeamJoined, CommandError> {
        let Setup {
            address,
            password,
            member_name,
            joining,
        } = setup;
        let text = match address.map(str::trim).filter(|a| !a.is_empty()) {
            Some(text) => text.to_owned(),
            None => crate::env(TEAM_DATABASE_URL).ok_or_else(|| {
                CommandError::from(TeamError::BadUrl(format!(
                    "give the team database's address (postgresql://user@host/database) or set {TEAM_DATABASE_URL}"
                )))
            })?,
        };
        let (address, in_address) = TeamAddress::parse(&text)?;
        let given_password = password
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .or(in_address);
        let password = match given_password.clone() {
            Some(password) => Some(password),
            None => {
                let shown = address.as_str().to_owned();
                keyring(move || secrets::load_team_password(&shown)).await?
            }
        };
        let name = member_name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(default_member_name);
        // Rejoining keeps this desktop's member id, so the team lists it once.
        let member_id = self
            .settings()
            .team
            .filter(|t| t.team_id == code.team_id.to_string())
            .map(|t| t.member_id);
        let mut me = Member::new(&name, &host_name());
        if let Some(member_id) = member_id {
            me.member_id = member_id;
        }
        let target = TeamTarget {
            address: address.clone(),
            password,
            membership: None,
        };
        let db = self.connect_team(&target).await?;
        // The key goes into the keyring before the team exists, so a team is never created
        // whose key nobody holds.
        let (team_id, key) = (code.team_id, code.key.clone());
        let key_kept = match keyring(move || secrets::save_team_key(&team_id, &key)).await {
            Ok(()) => true,
            // A headless worker has no keyring and needs no key (it reads no contacts), so
            // it may join without one; a team is never created whose key nobody holds.
            Err(e)
                if joining
                    && e.code == pifa_core::Error::KeyringUnavailable(String::new()).code() =>
            {
                tracing::warn!("joining without keeping the team key: {}", e.message);
                false
            }
            Err(e) => return Err(e),
        };
        let encoded = code.encode();
        let info = match act(Arc::clone(&db), code, me.clone()).await {
            Ok(info) => info,
            Err(e) => {
                let joined_before = self
                    .settings()
                    .team
                    .is_some_and(|t| t.team_id == team_id.to_string());
                if !joined_before {
                    let _ = keyring(move || secrets::forget_team_key(&team_id)).await;
                }
                return Err(e.into());
            }
        };
        if let Some(password) = given_password.filter(|_| key_kept) {
            let shown = address.as_str().to_owned();
            keyring(move || secrets::save_team_password(&shown, &password)).await?;
        }
        let membership = TeamMembership {
            address: address.as_str().to_owned(),
            team_id: info.team_id.clone(),
            team_name: info.name.clone(),
            member_id: me.member_id.clone(),
            member_name: me.name.clone(),
        };
        let (store, _) = self.settings_store()?;
        store.update(|s| s.team = Some(membership.clone()))?;
        tracing::info!(team = %info.name, "joined a team");
        // The next 1688 call waits at the team's rate-limit gate (connection.rs).
        self.inner.connection.regate().await;
        self.switch_store()?;
        if let Err(e) = self.sync_team().await {
            tracing::warn!(code = %e.code, "the team's data was not copied yet: {}", e.message);
        }
        Ok(TeamJoined {
            info,
            membership,
            code: encoded,
            key_kept,
        })
    }

    /// Opens the store that goes with the team joined now (after joining or leaving).
    fn switch_store(&self) -> Result<(), CommandError> {
        let team = self.settings().team;
        let store = open_store(self.data_dir()?, team.as_ref())?;
        let reader = store.reader()?;
        *crate::locked(&self.inner.store)? = store;
        *crate::locked(&self.inner.reader)? = reader;
        Ok(())
    }

    /// Whether this desktop is in a team (Settings), whatever the server's state.
    pub fn in_team(&self) -> bool {
        self.settings().team.is_some()
    }

    /// Where a change to shared data goes: `None` outside a team; in one, the team database,
    /// or `team.offline` while it cannot be reached (the change is refused, never kept only
    /// here to be lost).
    pub(crate) async fn team_for_change(&self) -> Result<Option<TeamChange>, CommandError> {
        let Some(joined) = self.settings().team else {
            return Ok(None);
        };
        match self.team_db().await {
            Ok(Some(db)) => {
                db.check_writable()?;
                Ok(Some(TeamChange {
                    db,
                    me: member_of(&joined),
                }))
            }
            Ok(None) => Ok(None),
            Err(e) if is_unreachable(&e) => Err(TeamError::Offline.into()),
            Err(e) => Err(e),
        }
    }

    /// Copies the team's shortlists, supplier book and newest pick runs into this desktop's
    /// copy, with the offers on the shortlists or watched that this desktop lacks or has older,
    /// and exchanges price history; `true` when the copy changed. `false` outside a team. A
    /// failure is kept for the status (the pages go on showing the last copy).
    pub async fn sync_team(&self) -> Result<bool, CommandError> {
        if !self.in_team() {
            return Ok(false);
        }
        let outcome = self.copy_team_data().await;
        let mut synced = self
            .inner
            .team
            .synced
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match outcome {
            Ok(fingerprint) => {
                synced.at = Some(Utc::now());
                synced.problem = None;
                let changed = synced.fingerprint != Some(fingerprint);
                synced.fingerprint = Some(fingerprint);
                Ok(changed)
            }
            Err(e) => {
                synced.problem = Some(e.clone());
                Err(e)
            }
        }
    }

    /// Why the last copy of the team's data failed, if it did (the window's "read-only" label).
    pub fn team_copy_problem(&self) -> Option<CommandError> {
        self.inner
            .team
            .synced
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .problem
            .clone()
    }

    /// Returns a fingerprint of what the team shares now.
    async fn copy_team_data(&self) -> Result<u64, CommandError> {
        let Some(db) = self.team_db().await? else {
            return Ok(0);
        };
        let snapshot = db.shortlists_snapshot().await?;
        let contacts = db.supplier_contacts().await?;
        let watched = db.watched_offer_times().await?;
        let watches = db.watches().await?;
        let alerts = match self.settings().team {
            Some(joined) => Some(db.alerts(&member_of(&joined).member_id, false).await?),
            None => None,
        };
        let runs = self.new_team_pick_runs(&db).await?;
        let fingerprint = {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            format!(
                "{:?}{:?}{:?}",
                snapshot.lists, snapshot.entries, snapshot.offers
            )
            .hash(&mut hasher);
            contacts.hash(&mut hasher);
            watched.hash(&mut hasher);
            format!("{watches:?}{alerts:?}").hash(&mut hasher);
            runs.team_ids.hash(&mut hasher);
            // A round that copies some of many missing runs changes the copy too.
            for run in &runs.runs {
                run.run_id.hash(&mut hasher);
            }
            hasher.finish()
        };
        // The offers on shortlists and the watched ones: each newer answer the team holds is
        // one more point of its price history here.
        let mut offers: Vec<(OfferId, DateTime<Utc>)> =
            snapshot.offers.iter().chain(&watched).cloned().collect();
        offers.sort();
        offers.dedup();
        let ids: Vec<OfferId> = offers.iter().map(|(id, _)| id.clone()).collect();
        let held = {
            let workbench = self.clone();
            run_blocking(move || Ok(workbench.reader()?.fetched_at_of(&ids)?)).await?
        };
        let wanted: Vec<OfferId> = offers
            .iter()
            .filter(|(id, team_at)| held.get(id).is_none_or(|here| here < team_at))
            .map(|(id, _)| id.clone())
            .collect();
        if !wanted.is_empty() {
            let answers = db.offer_answers(&wanted).await?;
            self.import_team_answers(answers).await?;
        }
        let workbench = self.clone();
        run_blocking(move || {
            let mut store = workbench.store()?;
            store.replace_shortlists(&snapshot.lists, &snapshot.entries)?;
            store.replace_all_sealed_contacts(&contacts, Utc::now())?;
            store.keep_shared_pick_runs(&runs.runs)?;
            let now = Utc::now();
            store.replace_shared_watches(&watches, now)?;
            if let Some(alerts) = &alerts {
                store.replace_shared_alerts(alerts, now)?;
            }
            Ok(())
        })
        .await?;
        // After the offers: the team's observations are kept for offers held here.
        let history = self.exchange_price_history(&db).await?;
        Ok(fingerprint ^ (history as u64).rotate_left(32))
    }

    /// Stores answers from the team database in this desktop's copy, cleaned here as any
    /// fetch is; one that is unreadable or about another offer is left out. Answers how many
    /// were stored.
    pub(crate) async fn import_team_answers(
        &self,
        answers: Vec<(OfferId, StoredAnswer)>,
    ) -> Result<usize, CommandError> {
        let workbench = self.clone();
        run_blocking(move || {
            let ready: Vec<ReadyAnswer> = answers
                .iter()
                .filter_map(|(id, answer)| {
                    match ReadyAnswer::detail(id, &answer.text, answer.fetched_at) {
                        Ok(ready) => Some(ready),
                        Err(e) => {
                            tracing::warn!(offer_id = %id, code = e.code(), "a team offer was not copied: {e}");
                            None
                        }
                    }
                })
                .collect();
            let mut store = workbench.store()?;
            for group in ready.chunks(IMPORT_GROUP) {
                let group: Vec<&ReadyAnswer> = group.iter().collect();
                store.import_ready(&group)?;
            }
            Ok(ready.len())
        })
        .await
    }

    /// The answers these offers were last stored from here, for sharing with the team.
    pub(crate) async fn stored_answers(
        &self,
        offer_ids: Vec<OfferId>,
    ) -> Result<Vec<(OfferId, StoredAnswer)>, CommandError> {
        let workbench = self.clone();
        run_blocking(move || {
            let reader = workbench.reader()?;
            let mut answers = Vec::with_capacity(offer_ids.len());
            for id in offer_ids {
                if let Some(answer) = reader.stored_answer(&id)? {
                    answers.push((id, answer));
                }
            }
            Ok(answers)
        })
        .await
    }

    /// Answers other members fetched within the cache lifetime for these offers, to store
    /// instead of calling 1688 (a batch's or a pick's). Any trouble with the team database
    /// only means fetching as usual.
    pub(crate) async fn reusable_from_team(
        &self,
        offer_ids: &[OfferId],
        ttls: pifa_core::sourcing::CacheTtls,
    ) -> Vec<(OfferId, StoredAnswer)> {
        if offer_ids.is_empty() || !self.in_team() {
            return Vec::new();
        }
        let since = Utc::now() - ttls.detail;
        let found = async {
            match self.team_db().await? {
                Some(db) => Ok(db.fresh_answers(offer_ids, since).await?),
                None => Ok(Vec::new()),
            }
        };
        let found: Result<_, CommandError> = found.await;
        found.unwrap_or_else(|e| {
            tracing::info!(code = %e.code, "the team's offers were not asked: {}", e.message);
            Vec::new()
        })
    }

    /// A detail another member fetched within the cache lifetime, as JSON with its time.
    /// Any trouble with the team database only means fetching from 1688 as usual.
    pub(crate) async fn fresh_from_team(
        &self,
        offer_id: &OfferId,
        ttls: pifa_core::sourcing::CacheTtls,
    ) -> Option<(serde_json::Value, DateTime<Utc>)> {
        let (_, answer) = self
            .reusable_from_team(std::slice::from_ref(offer_id), ttls)
            .await
            .pop()?;
        // Another desktop's copy is untrusted like any answer: unreadable means fetch.
        let raw = serde_json::from_str(&answer.text).ok()?;
        tracing::debug!(%offer_id, "a team member's fresh copy used");
        Some((raw, answer.fetched_at))
    }

    /// Shares a detail just fetched with the team (waiting at most a few seconds, so a
    /// command that ends right after still shares it); a failure costs the others a fetch of
    /// their own, nothing more.
    pub(crate) async fn share_with_team(
        &self,
        joined: &TeamMembership,
        offer_id: &OfferId,
        raw: &serde_json::Value,
        fetched_at: DateTime<Utc>,
    ) {
        let answer = pifa_core::store::StoredAnswer {
            text: raw.to_string(),
            fetched_at,
        };
        let share = async {
            match self.team_db().await? {
                Some(db) => Ok(db
                    .share_answer(offer_id, &answer, &member_of(joined))
                    .await?),
                None => Ok(()),
            }
        };
        let shared: Result<(), CommandError> =
            match tokio::time::timeout(std::time::Duration::from_secs(3), share).await {
                Ok(shared) => shared,
                Err(_) => Err(TeamError::Unreachable("no answer within 3 s".into()).into()),
            };
        if let Err(e) = shared {
            tracing::info!(%offer_id, code = %e.code, "an offer was not shared with the team: {}", e.message);
        }
    }

    /// In a team, whether the team database takes changes now (`team.offline` if not): for
    /// work whose result must reach the team, asked before it starts.
    pub async fn check_team_writable(&self) -> Result<(), CommandError> {
        self.team_for_change().await.map(drop)
    }

    /// Shares offers stored here with the team, as stored (one transaction per group), so
    /// every member holds them and reuses them within the cache lifetime: what `pifa-cli
    /// import` stored in a team. Answers how many the team was sent; 0 outside a team.
    pub async fn share_stored_offers(
        &self,
        offer_ids: Vec<OfferId>,
    ) -> Result<usize, CommandError> {
        let Some(side) = self.team_for_change().await? else {
            return Ok(0);
        };
        let mut sent = 0;
        for group in offer_ids.chunks(IMPORT_GROUP) {
            let answers = self.stored_answers(group.to_vec()).await?;
            side.db
                .share_answers(&answers, &side.me)
                .await
                .map_err(|e| match e {
                    TeamError::Unreachable(_) => TeamError::Offline,
                    other => other,
                })?;
            sent += answers.len();
        }
        Ok(sent)
    }

    /// Shares what a batch stored with the team, as this desktop stored it, so the others'
    /// offer pages reuse it within the cache lifetime. Best effort, like one offer's sharing.
    pub(crate) async fn share_stored_with_team(&self, offer_ids: Vec<OfferId>) {
        let Some(joined) = self.settings().team else {
            return;
        };
        if offer_ids.is_empty() {
            return;
        }
        let shared = async {
            let answers = self.stored_answers(offer_ids).await?;
            match self.team_db().await? {
                Some(db) => Ok(db.share_answers(&answers, &member_of(&joined)).await?),
                None => Ok(()),
            }
        };
        let shared: Result<(), CommandError> =
            match tokio::time::timeout(std::time::Duration::from_secs(10), shared).await {
                Ok(shared) => shared,
                Err(_) => Err(TeamError::Unreachable("no answer within 10 s".into()).into()),
            };
        if let Err(e) = shared {
            tracing::info!(code = %e.code, "a batch's offers were not shared with the team: {}", e.message);
        }
    }

    /// The team as it stands; never fails for an unreachable server (`problem` says so).
    pub async fn team_status(&self) -> Result<TeamStatus, CommandError> {
        let target = self.team_target_async().await?;
        let mut status = TeamStatus {
            membership: self.settings().team,
            address: target.as_ref().map(|t| t.address.as_str().to_owned()),
            info: None,
            problem: None,
            copied_at: None,
        };
        match self.team_db().await {
            Ok(Some(db)) => match db.team_info().await {
                Ok(info) => {
                    status.problem = db.check_writable().err().map(CommandError::from);
                    status.info = Some(info);
                }
                Err(e) => status.problem = Some(e.into()),
            },
            Ok(None) => {}
            Err(e) => status.problem = Some(e),
        }
        status.copied_at = self
            .inner
            .team
            .synced
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .at;
        Ok(status)
    }

    /// The code of the team joined, to pass to a new member.
    pub async fn team_code(&self) -> Result<String, CommandError> {
        let joined = self.settings().team.ok_or(TeamError::NotJoined)?;
        let team_id = TeamId::parse(&joined.team_id)
            .ok_or_else(|| CommandError::internal("the team id in Settings is not readable"))?;
        let key = keyring(move || secrets::load_team_key(&team_id))
            .await?
            .ok_or_else(|| {
                CommandError::from(TeamError::BadCode(
                    "this desktop's keyring holds no key for the team; join again with the team code".into(),
                ))
            })?;
        Ok(TeamCode { team_id, key }.encode())
    }

    /// Leaves the team: the others stop seeing this desktop, the key and password leave the
    /// keyring, and Pifa goes back to this computer's own data. Returns whether the team
    /// database was told (it may be unreachable; leaving still happens here).
    pub async fn team_leave(&self) -> Result<bool, CommandError> {
        let joined = self.settings().team.ok_or(TeamError::NotJoined)?;
        let told = match self.team_db().await {
            Ok(Some(db)) => db.leave_team(&joined.member_id).await.is_ok(),
            _ => false,
        };
        *self.inner.team.db.lock().await = None;
        let (store, _) = self.settings_store()?;
        store.update(|s| s.team = None)?;
        self.inner.connection.regate().await;
        self.switch_store()?;
        if let Some(team_id) = TeamId::parse(&joined.team_id) {
            keyring(move || secrets::forget_team_key(&team_id)).await?;
        }
        let address = joined.address.clone();
        keyring(move || secrets::forget_team_password(&address)).await?;
        tracing::info!(team = %joined.team_name, told, "left the team");
        Ok(told)
    }
}

pub(crate) fn member_of(joined: &TeamMembership) -> Member {
    Member {
        member_id: joined.member_id.clone(),
        name: joined.member_name.clone(),
        host: host_name(),
    }
}

/// Runs store work off the async runtime.
pub(crate) async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, CommandError> + Send + 'static,
) -> Result<T, CommandError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| CommandError::internal(format!("the work stopped unexpectedly: {e}")))?
}

/// The team database could not be reached (as opposed to refusing or failing).
pub(crate) fn is_unreachable(error: &CommandError) -> bool {
    error.code == TeamError::Unreachable(String::new()).code()
}
