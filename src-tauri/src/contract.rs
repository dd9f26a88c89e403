//! The IPC contract: every command the window can call, listed once below. The list registers the
//! commands with Tauri, and `cargo test` turns it into `ui/src/bindings/commands.ts` (beside the
//! ts-rs types): one typed wrapper per command, with its name, its arguments' names (camelCase,
//! as Tauri expects them) and types, and its answer's type, all taken from the Rust types. A
//! test reads `commands.rs` and fails when a command is missing here or its arguments or answer
//! differ from its line; `.dev/check-bindings` fails when the committed file is stale, and the
//! UI's type check fails wherever a call no longer fits.
//!
//! A new command: write it in `commands.rs`, add its line here (its doc comment becomes the
//! wrapper's), run `cargo test -p pifa --lib`.

/// Expands the list into [`register`] and, in tests, into the manifest `commands.ts` is written
/// from. Each line is `name(arg: RustType, ...) -> Answer;` with the types as `commands.rs` writes
/// them (the answer without `Result<_, CommandError>`); `as T` gives an argument's TS type where
/// the Rust type has none (a `Channel`).
macro_rules! contract {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident($($arg:ident: $ty:ty $(as $ts:ty)?),* $(,)?) -> $answer:ty;
    )*) => {
        /// Registers every command of the contract.
        pub(crate) fn register(builder: tauri::Builder<tauri::Wry>) -> tauri::Builder<tauri::Wry> {
            builder.invoke_handler(tauri::generate_handler![$(crate::commands::$name),*])
        }

        #[cfg(test)]
        fn manifest(cfg: &ts_rs::Config) -> Vec<manifest::Command> {
            vec![$({
                // The listed types are real types: a typo does not compile.
                let _: Option<fn($($ty),*) -> $answer> = None;
                manifest::Command {
                    name: stringify!($name),
                    docs: vec![$($doc),*],
                    args: vec![$(manifest::Arg {
                        name: stringify!($arg),
                        rust: stringify!($ty),
                        ts: manifest::TsType::of::<ts_of!($($ts,)? $ty)>(cfg),
                    }),*],
                    answer_rust: stringify!($answer),
                    answer: manifest::TsType::of::<$answer>(cfg),
                }
            }),*]
        }
    };
}

/// The TS type of an argument: its `as` type when given, else its Rust type.
#[cfg(test)]
macro_rules! ts_of {
    ($ty:ty) => {
        $ty
    };
    ($ts:ty, $ty:ty) => {
        $ts
    };
}

#[cfg(test)]
use manifest::ChannelOf;
#[cfg(test)]
use pifa_core::compare::Comparison;
#[cfg(test)]
use pifa_core::{
    batch::{BatchCounts, BatchProgress},
    health::{Health, HealthReport, HealthWindow, Target, ThresholdOverrides},
    history::{HistoryRange, PriceHistory, SparkRequest, Sparkline},
    offer::tiers::OrderQuote,
    offer::Offer,
    pick::{PickOutcome, PickRequest, Weights},
    protocol::KeywordSearch,
    sourcing::SearchResults,
    store::{
        Alert, OfferPage, OfferQuery, PausedOffer, PickRun, PickRunSummary, Shortlist,
        ShortlistPage, ShortlistQuery, Watch,
    },
    suppliers::Contacts,
    watch::rules::WatchRules,
    watch::WatchCheck,
    Language,
};
#[cfg(test)]
use pifa_workbench::{
    logs::LogStatus, AppInfo, HealthSettings, Home, OfferLinkPart, PickProgress, SupplierPage,
    SupplierQuery, SupplierView, TeamJoined, TeamStatus,
};
#[cfg(test)]
use std::collections::BTreeMap;
#[cfg(test)]
use tauri::ipc::Channel;

contract! {
    app_info() -> AppInfo;
    /// `null` follows the OS language again.
    set_language(language: Option<Language>) -> AppInfo;
    /// Local search over stored offers, one page at a time.
    search_offers(query: OfferQuery) -> OfferPage;
    /// One page of a 1688 keyword search; `refresh` asks 1688 even when the page was fetched a
    /// moment ago. A stale page is answered at once and `search-refreshed` follows.
    search_1688(search: KeywordSearch, refresh: bool) -> SearchResults;
    /// An offer's full detail; a stale copy is answered at once and `offer-refreshed` follows.
    fetch_offer(offer_id: String, refresh: bool) -> Offer;
    connect_live(app_key: String, app_secret: String, gateway: Option<String>) -> AppInfo;
    use_demo() -> AppInfo;
    /// Cache lifetimes and the watch interval, in minutes; `null` is the default.
    set_refresh_settings(
        detail_minutes: Option<u32>,
        search_minutes: Option<u32>,
        watch_minutes: Option<u32>,
    ) -> AppInfo;
    /// Resolves when the batch ends; each offer's result arrives through `progress` first.
    run_batch(text: String, progress: Channel<BatchProgress> as ChannelOf<BatchProgress>)
        -> BatchCounts;
    /// `false` when no batch was running.
    cancel_batch() -> bool;
    /// 选品: resolves with the saved run when the pick ends; progress arrives through
    /// `progress` first. A second pick while one runs fails with `pick.running`; `weights: null`
    /// is the default weights.
    run_pick(
        request: PickRequest,
        weights: Option<Weights>,
        progress: Channel<PickProgress> as ChannelOf<PickProgress>,
    ) -> PickRun;
    /// Stops the running pick, unsaved; `false` when none was running.
    cancel_pick() -> bool;
    /// Ranks a saved run again with other weights, from what is stored: no fetch.
    rerank_pick(run_id: i64, weights: Weights) -> PickOutcome;
    /// Saved pick runs, newest first.
    pick_runs(limit: u32) -> Vec<PickRunSummary>;
    pick_run(run_id: i64) -> PickRun;
    paused_offers() -> Vec<PausedOffer>;
    /// An empty list lifts every pause.
    resume_offers(offer_ids: Vec<String>) -> u64;
    health() -> Health;
    /// The brief's targets over a window (`24h` or `7d`): value, threshold, state and trend of
    /// each, the error log by class, cache lookups by kind.
    health_report(window: HealthWindow) -> HealthReport;
    /// The targets breached over the last 24 hours: the navigation badge.
    health_breaches() -> Vec<Target>;
    /// The health thresholds in effect, the brief's, and the notification choice.
    health_settings() -> HealthSettings;
    /// Saves the thresholds (each `null` is the brief's; all `null` resets) and whether a
    /// breach is notified; a threshold out of range fails with `settings.bad_threshold`.
    set_health_settings(thresholds: ThresholdOverrides, notify: bool) -> HealthSettings;
    /// Saves the faults the demo gateway simulates (`off`, `realistic`); in demo mode they apply
    /// from the next call, no restart. A live gateway is never touched.
    set_demo_faults(faults: pifa_core::DemoFaults) -> HealthSettings;
    /// The team joined (team mode), its database and members seen recently; an unreachable
    /// database is `problem`, not a failure.
    team_status() -> TeamStatus;
    /// Creates a team in an empty team database; the answer's `code` is to pass on to members.
    /// A password given goes into the OS keyring.
    team_init(
        address: String,
        password: Option<String>,
        team_name: String,
        member_name: Option<String>,
    ) -> TeamJoined;
    /// Joins the team in the database with the code a member passed on.
    team_join(
        address: String,
        password: Option<String>,
        code: String,
        member_name: Option<String>,
    ) -> TeamJoined;
    /// The team's code again, to pass to a new member (it holds the team key).
    team_code() -> String;
    /// Leaves the team; `false` when the team database could not be told.
    team_leave() -> bool;
    /// The stored copy, however old; never calls 1688.
    stored_offer(offer_id: String) -> Offer;
    quote_offer(offer_id: String, quantity: u32, sku_id: Option<String>) -> OrderQuote;
    shortlists() -> Vec<Shortlist>;
    create_shortlist(name: String) -> Shortlist;
    rename_shortlist(shortlist_id: i64, name: String) -> Shortlist;
    /// Deletes a shortlist; its offers stay stored.
    delete_shortlist(shortlist_id: i64) -> ();
    add_to_shortlist(shortlist_id: i64, offer_id: String) -> Shortlist;
    remove_from_shortlist(shortlist_id: i64, offer_id: String) -> Shortlist;
    set_shortlist_entry(
        shortlist_id: i64,
        offer_id: String,
        note: String,
        target_qty: Option<u32>,
    ) -> ();
    shortlist_page(query: ShortlistQuery) -> ShortlistPage;
    shortlists_of(offer_id: String) -> Vec<i64>;
    /// Saves the shortlist as CSV for Excel where the user chooses (the save dialog); resolves
    /// to the file's path, or `null` when cancelled.
    export_shortlist(shortlist_id: i64, quantity: Option<u32>) -> Option<String>;
    /// 2–8 stored offers side by side at a quantity; `skus` maps an offer ID to its chosen SKU.
    compare_offers(
        offer_ids: Vec<String>,
        quantity: u32,
        skus: BTreeMap<String, String>,
    ) -> Comparison;
    /// Fetches every compared offer from 1688 again; results arrive through `progress`.
    refresh_compared(
        offer_ids: Vec<String>,
        progress: Channel<BatchProgress> as ChannelOf<BatchProgress>,
    ) -> BatchCounts;
    /// Saves the comparison as CSV where the user chooses; `null` when cancelled.
    export_comparison(
        offer_ids: Vec<String>,
        quantity: u32,
        skus: BTreeMap<String, String>,
    ) -> Option<String>;
    /// Opens the folder of the last export in the file manager.
    show_export_folder() -> ();
    /// A page of the supplier book.
    suppliers(query: SupplierQuery) -> SupplierPage;
    /// A supplier by ID or by any stored offer ID of it: public data, stored offers, contacts.
    supplier(supplier: String) -> SupplierView;
    /// Replaces the supplier's contacts and notes (sealed; key in the OS keyring).
    set_supplier_contacts(supplier: String, contacts: Contacts) -> Contacts;
    /// Writes every supplier's contacts as a PLAINTEXT CSV where the user chooses; `null`
    /// when cancelled.
    export_supplier_contacts() -> Option<String>;
    /// `alertBasisPoints`: hundredths of a percent (500 = 5%); `null` is the default 5%.
    watch_offer(offer_id: String, target_qty: u32, alert_basis_points: Option<u32>) -> Vec<Watch>;
    /// Watches a stored offer at a quantity with these alert rules, or changes its watch.
    set_watch(offer_id: String, target_qty: u32, rules: WatchRules) -> Vec<Watch>;
    /// Holds a watch's alerts for `minutes` or until its price crosses its target; neither ends it.
    snooze_watch(offer_id: String, minutes: Option<u32>, until_target: bool) -> Vec<Watch>;
    unwatch_offer(offer_id: String) -> Vec<Watch>;
    watch_of(offer_id: String) -> Option<Watch>;
    watches() -> Vec<Watch>;
    /// `qty`: `null` prices the watched quantity, else the minimum order.
    price_history(offer_id: String, range: HistoryRange, qty: Option<u32>) -> PriceHistory;
    /// Each offer's line at one quantity, to overlay (at most 12 offers).
    price_histories(offer_ids: Vec<String>, range: HistoryRange, qty: Option<u32>) -> Vec<PriceHistory>;
    /// 30-day sparklines for a page of list rows (at most 200).
    price_sparklines(requests: Vec<SparkRequest>) -> Vec<Sparkline>;
    alerts(unseen_only: bool) -> Vec<Alert>;
    mark_alerts_seen() -> u64;
    /// Marks one alert seen; `false` when it already was.
    mark_alert_seen(alert_id: i64) -> bool;
    /// Checks watched offers now: the due ones, or all with `all`.
    check_watches(all: bool) -> WatchCheck;
    /// Where the log is and its newest warnings and errors, newest first.
    log_status() -> LogStatus;
    /// Shows the log folder in the file manager.
    open_log_folder() -> ();
    /// What the first screen shows: the last pick and searches, new alerts, moved watches,
    /// counts, and in a fresh demo install a sample need.
    home() -> Home;
    /// Opens the offer's 1688 page in the browser; resolves to its address.
    open_on_1688(offer_id: String) -> String;
    /// Copies the offer's ID or 1688 address; resolves to what was copied.
    copy_offer_link(offer_id: String, part: OfferLinkPart) -> String;
}

#[cfg(test)]
mod manifest {
    use std::any::TypeId;
    use std::collections::BTreeSet;
    use std::marker::PhantomData;

    use ts_rs::{Config, Dependency, TypeVisitor, TS};

    pub struct Command {
        pub name: &'static str,
        pub docs: Vec<&'static str>,
        pub args: Vec<Arg>,
        /// The answer's Rust type as listed, for the comparison with `commands.rs`.
        pub answer_rust: &'static str,
        pub answer: TsType,
    }

    pub struct Arg {
        pub name: &'static str,
        /// As listed, for the comparison with `commands.rs`.
        pub rust: &'static str,
        pub ts: TsType,
    }

    /// A type as TS writes it, and the bindings it needs imported (their names).
    pub struct TsType {
        pub name: String,
        pub imports: BTreeSet<String>,
    }

    impl TsType {
        pub fn of<T: TS + 'static + ?Sized>(cfg: &Config) -> TsType {
            struct Imports<'a>(&'a Config, BTreeSet<String>);
            impl TypeVisitor for Imports<'_> {
                fn visit<U: TS + 'static + ?Sized>(&mut self) {
                    if let Some(dependency) = Dependency::from_ty::<U>(self.0) {
                        self.1.insert(dependency.ts_name);
                    }
                    U::visit_generics(self);
                }
            }
            let mut imports = Imports(cfg, BTreeSet::new());
            imports.visit::<T>();
            // Tauri answers `()` with null; the wrapper resolves to nothing.
            let name = if TypeId::of::<T>() == TypeId::of::<()>() {
                "void".to_owned()
            } else {
                T::name(cfg)
            };
            TsType {
                name,
                imports: imports.1,
            }
        }
    }

    /// The TS side of a `tauri::ipc::Channel<T>` argument: `Channel<T>` from `@tauri-apps/api/core`.
    pub struct ChannelOf<T>(PhantomData<T>);

    impl<T: TS + 'static> TS for ChannelOf<T> {
        type WithoutGenerics = ChannelOf<ts_rs::Dummy>;
        type OptionInnerType = Self;

        fn name(cfg: &Config) -> String {
            format!("Channel<{}>", T::name(cfg))
        }

        fn inline(cfg: &Config) -> String {
            Self::name(cfg)
        }

        fn visit_generics(v: &mut impl TypeVisitor)
        where
            Self: 'static,
        {
            v.visit::<T>();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    use super::manifest::Command;
    use super::*;

    /// How the bindings see integers: `i64`/`u64` are numbers in JSON, and ids and counts stay
    /// far below 2^53, as the ts-rs types already declare them (`#[ts(type = "number")]`).
    fn config() -> ts_rs::Config {
        ts_rs::Config::from_env().with_large_int("number")
    }

    /// `snake_case` to `camelCase`, as Tauri renames command arguments (and as the wrappers are
    /// named): `offer_id` → `offerId`, `search_1688` → `search1688`.
    fn camel(snake: &str) -> String {
        let mut out = String::new();
        for (i, part) in snake.split('_').enumerate() {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) if i > 0 => {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                }
                _ => out.push_str(part),
            }
        }
        out
    }

    fn jsdoc(docs: &[&str], indent: &str) -> String {
        match docs {
            [] => String::new(),
            [line] => format!("{indent}/** {} */\n", line.trim()),
            lines => {
                let body: String = lines
                    .iter()
                    .map(|line| format!("{indent} * {}\n", line.trim()))
                    .collect();
                format!("{indent}/**\n{body}{indent} */\n")
            }
        }
    }

    fn render(commands: &[Command]) -> String {
        let mut bindings = BTreeSet::new();
        let mut channel = false;
        for command in commands {
            bindings.extend(command.answer.imports.iter().cloned());
            for arg in &command.args {
                bindings.extend(arg.ts.imports.iter().cloned());
                channel |= arg.ts.name.starts_with("Channel<");
            }
        }
        let mut out = String::from(
            "// This file was generated by pifa (contract::tests::export_commands) when `cargo test` ran. Do not edit this file manually.\n\
             // The commands are listed in src-tauri/src/contract.rs.\n",
        );
        if channel {
            out.push_str("import type { Channel } from \"@tauri-apps/api/core\";\n");
        }
        out.push_str("import { call } from \"../lib/ipc\";\n");
        for name in &bindings {
            out.push_str(&format!("import type {{ {name} }} from \"./{name}\";\n"));
        }
        out.push_str(
            "\n/** Every command the window can call, as a typed wrapper over `call`: argument names \
             and types and the answer's type are those of the Rust command. */\nexport const commands = {\n",
        );
        for command in commands {
            out.push_str(&jsdoc(&command.docs, "  "));
            let params: Vec<String> = command
                .args
                .iter()
                .map(|arg| format!("{}: {}", camel(arg.name), arg.ts.name))
                .collect();
            let keys: Vec<String> = command.args.iter().map(|arg| camel(arg.name)).collect();
            let args = if keys.is_empty() {
                String::new()
            } else {
                format!(", {{ {} }}", keys.join(", "))
            };
            out.push_str(&format!(
                "  {}: ({}) => call<{}>({:?}{args}),\n",
                camel(command.name),
                params.join(", "),
                command.answer.name,
                command.name,
            ));
        }
        out.push_str(
            "};\n\n/** The name each wrapper invokes. */\nexport const commandNames = {\n",
        );
        for command in commands {
            out.push_str(&format!("  {}: {:?},\n", camel(command.name), command.name));
        }
        out.push_str("} as const satisfies Record<keyof typeof commands, string>;\n");
        out
    }

    /// Writes `commands.ts` beside the ts-rs bindings whenever `cargo test` runs; only when it
    /// changed, so a dev server does not reload.
    #[test]
    fn export_commands() {
        let text = render(&manifest(&config()));
        // Where ts-rs writes, which cargo sets from .cargo/config.toml.
        let dir = std::env::var_os("TS_RS_EXPORT_DIR").map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings"),
            PathBuf::from,
        );
        let path = dir.join("commands.ts");
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, text).unwrap();
        }
    }

    /// One `#[tauri::command]` as `commands.rs` writes it: the arguments the window sends (not
    /// the `State`/`AppHandle` Tauri fills in) and the answer without `Result<_, CommandError>`.
    #[derive(Debug, PartialEq)]
    struct Signature {
        args: Vec<(String, String)>,
        answer: String,
    }

    fn squeeze(text: &str) -> String {
        text.chars().filter(|c| !c.is_whitespace()).collect()
    }

    /// Splits at the commas outside `<>` and `()`.
    fn split_top(text: &str) -> Vec<String> {
        let (mut parts, mut depth, mut current) = (Vec::new(), 0i32, String::new());
        for c in text.chars() {
            match c {
                '<' | '(' => depth += 1,
                '>' | ')' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(std::mem::take(&mut current));
                    continue;
                }
                _ => {}
            }
            current.push(c);
        }
        parts.push(current);
        parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
    }

    /// Every `#[tauri::command]` in `source`, by name. Reads rustfmt's layout of a signature.
    fn commands_in(source: &str) -> BTreeMap<String, Signature> {
        let mut found = BTreeMap::new();
        // The attribute on a line of its own, not where a comment names it.
        for chunk in source.split("\n#[tauri::command]\n").skip(1) {
            let after_fn = chunk.split_once("fn ").expect("a command is a fn").1;
            let (name, rest) = after_fn.split_once('(').unwrap();
            // The parameter list ends at the `)` that closes the first `(`.
            let mut depth = 1;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .unwrap()
                .0;
            let args = split_top(&rest[..end])
                .into_iter()
                .map(|param| {
                    let (name, ty) = param.split_once(':').unwrap();
                    (name.trim().to_owned(), squeeze(ty))
                })
                .filter(|(_, ty)| {
                    !(ty.starts_with("State<") || ty == "AppHandle" || ty.starts_with("Window"))
                })
                .collect();
            let tail = &rest[end + 1..];
            let answer = match tail.split('{').next().unwrap().trim().strip_prefix("->") {
                None => "()".to_owned(),
                Some(answer) => {
                    let answer = squeeze(answer);
                    answer
                        .strip_prefix("Result<")
                        .and_then(|a| a.strip_suffix(",CommandError>"))
                        .map_or(answer.clone(), str::to_owned)
                }
            };
            found.insert(name.trim().to_owned(), Signature { args, answer });
        }
        found
    }

    /// Where the commands in `source` and the list differ: a command missing from either, or
    /// one whose arguments (names, types, order) or answer differ.
    fn drift(source: &str) -> Vec<String> {
        let written = commands_in(source);
        let listed: BTreeMap<String, Signature> = manifest(&config())
            .into_iter()
            .map(|command| {
                let signature = Signature {
                    args: command
                        .args
                        .iter()
                        .map(|arg| (arg.name.to_owned(), squeeze(arg.rust)))
                        .collect(),
                    answer: squeeze(command.answer_rust),
                };
                (command.name.to_owned(), signature)
            })
            .collect();
        let mut drift = Vec::new();
        for (name, signature) in &written {
            match listed.get(name) {
                None => drift.push(format!("`{name}` is not listed in contract.rs")),
                Some(line) if line != signature => drift.push(format!(
                    "`{name}`: commands.rs has {signature:?}, contract.rs lists {line:?}"
                )),
                Some(_) => {}
            }
        }
        for name in listed.keys().filter(|name| !written.contains_key(*name)) {
            drift.push(format!("`{name}` is listed but not in commands.rs"));
        }
        drift
    }

    #[test]
    fn the_contract_lists_every_command_as_written() {
        let source = include_str!("commands.rs");
        assert!(commands_in(source).len() > 30);
        assert_eq!(drift(source), Vec::<String>::new());
    }

    #[test]
    fn a_renamed_argument_or_a_new_command_is_drift() {
        let source = include_str!("commands.rs");
        let renamed = source.replace(
            "offer_id: String,\n    refresh: bool",
            "id: String,\n    refresh: bool",
        );
        assert_ne!(renamed, source);
        assert!(
            drift(&renamed)
                .iter()
                .any(|d| d.starts_with("`fetch_offer`")),
            "{:?}",
            drift(&renamed)
        );
        let added =
            format!("{source}\n#[tauri::command]\npub fn ping() -> bool {{\n    true\n}}\n");
        assert_eq!(drift(&added), ["`ping` is not listed in contract.rs"]);
        let retyped = source.replace("unseen_only: bool", "unseen_only: Option<bool>");
        assert_eq!(drift(&retyped).len(), 1);
    }

    #[test]
    fn the_reader_sees_rustfmt_signatures() {
        let source = "//! `#[tauri::command]` shims\n#[tauri::command]\npub async fn quote_offer(\n    app: AppHandle,\n    \
                      offer_id: String,\n    sku_id: Option<String>,\n) -> Result<OrderQuote, \
                      CommandError> {\n}\n/// x\n#[tauri::command]\npub fn cancel_batch(w: \
                      State<'_, Workbench>) -> bool {\n}\n";
        let found = commands_in(source);
        assert_eq!(
            found["quote_offer"],
            Signature {
                args: vec![
                    ("offer_id".into(), "String".into()),
                    ("sku_id".into(), "Option<String>".into())
                ],
                answer: "OrderQuote".into(),
            }
        );
        assert_eq!(found["cancel_batch"].args, vec![]);
        assert_eq!(found["cancel_batch"].answer, "bool");
    }

    #[test]
    fn wrappers_send_camel_case_keys_and_take_types_from_rust() {
        let text = render(&manifest(&config()));
        assert!(text.contains(
            "  fetchOffer: (offerId: string, refresh: boolean) => call<Offer>(\"fetch_offer\", { offerId, refresh }),\n"
        ));
        assert!(text.contains("  search1688: (search: KeywordSearch, refresh: boolean) =>"));
        assert!(text.contains("import type { Channel } from \"@tauri-apps/api/core\";"));
        assert!(text.contains("(text: string, progress: Channel<BatchProgress>)"));
        assert!(text.contains("  deleteShortlist: (shortlistId: number) => call<void>("));
        assert!(text.contains("  watchOf: (offerId: string) => call<Watch | null>("));
        assert!(text.contains("import type { PausedOffer } from \"./PausedOffer\";"));
        assert!(!text.contains("bigint"));
        assert_eq!(camel("search_1688"), "search1688");
        assert_eq!(camel("alert_basis_points"), "alertBasisPoints");
    }
}
