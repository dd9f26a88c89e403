//! Stored-offer search's in-memory index: every offer's keys (`offer_keys`), read whole once and
//! then only the rows that changed (`seq`), filtered, priced at the buyer's quantity, matched and
//! ordered in Rust. At 100,000 offers this touches every offer in a few milliseconds, where SQL
//! pricing or LIKE-matching every row took a hundred.
//!
//! Each key is a column of its own (a search reads only the columns it filters or sorts by);
//! texts live in one corpus and price steps in one arena, in load order, so a search reads
//! memory front to back. A changed offer's new text and steps go at the end; both are laid out
//! again when what no offer uses any more outweighs the rest.

use std::collections::HashMap;

use chrono::DateTime;
use rusqlite::types::{Type, ValueRef};
use rusqlite::{Connection, Row};

use super::keys::unpack_steps;
use super::text::{trigram_tokens, Bm25, Folds, Term, Unlearnt, COLUMN_BREAK};
use super::{OfferQuery, OfferSort};
use crate::offer::tiers::{order_qty, tier_at, OrderSize};
use crate::offer::Tier;
use crate::store::codec::Stamp;
use crate::Money;

/// An unknown count or rate, as SQL's NULL (Pifa stores them from `u32`, never this high).
const UNKNOWN: u32 = u32::MAX;

fn known(value: u32) -> Option<u32> {
    (value != UNKNOWN).then_some(value)
}

/// Declares the per-offer columns, the values of one offer, and how one offer is put in.
macro_rules! columns {
    ($($(#[$doc:meta])* $name:ident: $type:ty,)*) => {
        /// One vector per key, indexed by entry.
        #[derive(Default)]
        struct Columns {
            $($(#[$doc])* $name: Vec<$type>,)*
        }

        /// One offer's keys.
        struct Keys {
            $($name: $type,)*
        }

        impl Columns {
            /// Sets entry `at`'s keys; `at` one past the last adds an entry.
            fn put(&mut self, at: usize, keys: Keys) {
                if at == self.rid.len() {
                    $(self.$name.push(keys.$name);)*
                } else {
                    $(self.$name[at] = keys.$name;)*
                }
            }
        }
    };
}

columns! {
    rid: i64,
    /// The offer ID as a number ordering as SQLite orders the text (see `id_order`).
    offer_id: u128,
    /// `fetched_at`'s digits (`YYYYMMDDhhmmssSSS`): orders as the stamps' text does.
    fetched: i64,
    listed: bool,
    minimum_order: u32,
    /// Pieces per lot; `UNKNOWN`: single pieces.
    lot_size: u32,
    month_sold: u32,
    /// The offer's own repurchase rate, else its supplier's.
    repurchase: u32,
    power_merchant: bool,
    super_factory: bool,
    tp_years: u32,
    province: u32,
    pickup: u32,
    refund: u32,
    service: u32,
    /// The price steps in the arena: where they start, how many.
    steps: (u32, u32),
    /// The text in the corpus: title, English title and supplier name as the trigram
    /// tokenizer reads them, apart; start and end.
    text: (u32, u32),
    /// Trigram tokens in the text, for bm25.
    tokens: u32,
}

/// A match: which entry, and where it sorts (by the sort's key, then the offer ID).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Hit {
    /// The sort's key; `UNKNOWN_KEY` sorts where SQL put NULLs (`x IS NULL` first in the
    /// order): last.
    key: i64,
    offer_id: u128,
    pub(super) entry: u32,
}

/// The key of a hit whose sort value is unknown: after every known one.
const UNKNOWN_KEY: i64 = i64::MAX;

pub(super) struct Found {
    pub(super) total: u64,
    pub(super) page: Vec<Hit>,
}

/// A text in the corpus: where it starts and ends, and whose it is (`DEAD` once its entry has
/// another).
#[derive(Clone, Copy)]
struct Owner {
    start: u32,
    end: u32,
    entry: u32,
}

const DEAD: u32 = u32::MAX;

#[derive(Default)]
pub(super) struct SearchIndex {
    columns: Columns,
    by_rid: HashMap<i64, u32>,
    /// The newest change read; `None` before the first read.
    seq: Option<i64>,
    corpus: String,
    /// The corpus's texts, by start.
    owners: Vec<Owner>,
    /// The text LIKE compares (ASCII case folded only) of the few entries where it differs
    /// from the corpus's.
    like_texts: HashMap<u32, Box<str>>,
    steps: Vec<Tier>,
    /// Corpus bytes and steps no entry uses any more.
    stale: (usize, usize),
    /// Trigram tokens in all entries: bm25's average document length.
    tokens: u64,
    provinces: HashMap<String, u32>,
}

const COLUMNS: &str = "rid, offer_id, fetched_at, listed, minimum_order, lot_size, month_sold,
    offer_repurchase_bp, power_merchant, super_factory, tp_years, province, repurchase_bp,
    pickup_48h_bp, quality_refund_bp, service_tenths, steps, title, title_en, supplier_name";

/// A count or rate as stored; anything but a `u32` reads as unknown.
fn count(row: &Row<'_>, index: usize) -> rusqlite::Result<u32> {
    Ok(match row.get_ref(index)? {
        ValueRef::Integer(value) => u32::try_from(value).unwrap_or(UNKNOWN),
        _ => UNKNOWN,
    })
}

fn flag(row: &Row<'_>, index: usize) -> rusqlite::Result<bool> {
    Ok(matches!(row.get_ref(index)?, ValueRef::Integer(v) if v != 0))
}

fn string<'r>(row: &'r Row<'_>, index: usize) -> rusqlite::Result<Option<&'r str>> {
    row.get_ref(index)?
        .as_str_or_null()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(e)))
}

/// The digits of a stored time: the stamp's own in Pifa's form, else those of its reading.
fn sortable_stamp(text: &str) -> i64 {
    let digits = |text: &str| {
        text.bytes().filter(u8::is_ascii_digit).fold(0i64, |n, d| {
            n.wrapping_mul(10).wrapping_add(i64::from(d - b'0'))
        })
    };
    if text.len() == 24 && text.ends_with('Z') {
        return digits(text);
    }
    DateTime::parse_from_rfc3339(text).map_or(0, |at| digits(&Stamp::text(at.to_utc())))
}

/// An offer ID (up to 20 digits, as `OfferId` allows) as a number ordering as the text does:
/// each digit in four bits from the top, one above its value, so a shorter ID that is the start
/// of a longer one comes first.
fn id_order(id: &str) -> u128 {
    id.bytes().take(20).enumerate().fold(0, |n, (i, byte)| {
        let digit = if byte.is_ascii_digit() {
            byte - b'0' + 1
        } else {
            15
        };
        n | u128::from(digit) << (124 - 4 * i)
    })
}

impl SearchIndex {
    /// Brings the index up to the store's committed state (call it in the read transaction
    /// the search reads in): everything the first time, then the rows whose `seq` is newer.
    pub(super) fn refresh(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        let newest: i64 = conn
            .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM offer_keys")?
            .query_row([], |r| r.get(0))?;
        match self.seq {
            Some(seq) if seq == newest => {}
            Some(seq) if seq < newest => self.load(conn, Some(seq))?,
            _ => self.reload(conn)?,
        }
        self.seq = Some(newest);
        // Offers are not deleted today; should one be (its keys go with it), the index starts
        // over rather than keep it.
        let stored: i64 = conn
            .prepare_cached("SELECT COUNT(*) FROM offer_keys")?
            .query_row([], |r| r.get(0))?;
        if stored as usize != self.len() {
            self.reload(conn)?;
        }
        if self.stale.0 > self.corpus.len() / 2 || self.stale.1 > self.steps.len() / 2 {
            self.compact();
        }
        Ok(())
    }

    fn len(&self) -> usize {
        self.columns.rid.len()
    }

    fn reload(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        *self = SearchIndex {
            seq: self.seq,
            ..SearchIndex::default()
        };
        self.load(conn, None)
    }

    /// Reads the rows changed after `after` (all without), straight into the columns; texts
    /// with characters the fold table has not learnt wait for one question to SQLite at the
    /// end.
    fn load(&mut self, conn: &Connection, after: Option<i64>) -> rusqlite::Result<()> {
        let result = self.read(conn, after);
        if result.is_err() {
            // Half read: start over on the next search.
            *self = SearchIndex::default();
        }
        result
    }

    fn read(&mut self, conn: &Connection, after: Option<i64>) -> rusqlite::Result<()> {
        let mut statement = conn.prepare_cached(&match after {
            Some(_) => format!("SELECT {COLUMNS} FROM offer_keys WHERE seq > ?1"),
            None => format!("SELECT {COLUMNS} FROM offer_keys"),
        })?;
        let mut rows = match after {
            Some(seq) => statement.query([seq])?,
            None => statement.query([])?,
        };
        let mut folds = Folds::lock();
        let mut unlearnt: Vec<(u32, [Option<String>; 3])> = Vec::new();
        while let Some(row) = rows.next()? {
            let rid: i64 = row.get(0)?;
            let at = match self.by_rid.get(&rid) {
                Some(&at) => {
                    self.forget(at as usize);
                    at
                }
                None => {
                    let at = self.len() as u32;
                    self.by_rid.insert(rid, at);
                    at
                }
            };
            let texts = [string(row, 17)?, string(row, 18)?, string(row, 19)?];
            let (text, tokens) = match self.add_text(at, texts, &folds) {
                Ok(added) => added,
                Err(Unlearnt) => {
                    unlearnt.push((at, texts.map(|t| t.map(str::to_owned))));
                    ((0, 0), 0)
                }
            };
            let steps_at = self.steps.len() as u32;
            if let ValueRef::Blob(bytes) = row.get_ref(16)? {
                self.steps.extend(unpack_steps(bytes));
            }
            let province = match string(row, 11)? {
                None => UNKNOWN,
                Some(name) => match self.provinces.get(name) {
                    Some(&id) => id,
                    None => {
                        let id = self.provinces.len() as u32;
                        self.provinces.insert(name.to_owned(), id);
                        id
                    }
                },
            };
            let offer_repurchase = count(row, 7)?;
            let keys = Keys {
                rid,
                offer_id: id_order(string(row, 1)?.unwrap_or_default()),
                fetched: sortable_stamp(string(row, 2)?.unwrap_or_default()),
                listed: flag(row, 3)?,
                minimum_order: known(count(row, 4)?).unwrap_or(1),
                lot_size: count(row, 5)?,
                month_sold: count(row, 6)?,
                repurchase: known(offer_repurchase).map_or(count(row, 12)?, |own| own),
                power_merchant: flag(row, 8)?,
                super_factory: flag(row, 9)?,
                tp_years: count(row, 10)?,
                province,
                pickup: count(row, 13)?,
                refund: count(row, 14)?,
                service: count(row, 15)?,
                steps: (steps_at, self.steps.len() as u32 - steps_at),
                text,
                tokens,
            };
            self.tokens += u64::from(tokens);
            self.columns.put(at as usize, keys);
        }
        if !unlearnt.is_empty() {
            folds.learn(
                unlearnt
                    .iter()
                    .flat_map(|(_, texts)| texts.iter().flatten().map(String::as_str)),
            )?;
            for (at, texts) in &unlearnt {
                let texts = [0, 1, 2].map(|i| texts[i].as_deref());
                let (text, tokens) = self
                    .add_text(*at, texts, &folds)
                    .expect("every character was just learnt");
                self.columns.text[*at as usize] = text;
                self.columns.tokens[*at as usize] = tokens;
                self.tokens += u64::from(tokens);
            }
        }
        Ok(())
    }

    /// Lets go of what entry `at` held before it changes: its text, steps and tokens.
    fn forget(&mut self, at: usize) {
        let (start, end) = self.columns.text[at];
        self.stale.0 += (end - start) as usize;
        self.stale.1 += self.columns.steps[at].1 as usize;
        self.tokens -= u64::from(self.columns.tokens[at]);
        self.like_texts.remove(&(at as u32));
        let owner = self.owners.partition_point(|o| o.start < start);
        if let Some(owner) = self
            .owners
            .get_mut(owner)
            .filter(|o| o.start == start && o.entry == at as u32)
        {
            owner.entry = DEAD;
        }
    }

    /// Adds entry `at`'s text (title, English title, supplier name) to the corpus, folded as
    /// the trigram tokenizer folds it: where it is and its trigram tokens.
    fn add_text(
        &mut self,
        at: u32,
        texts: [Option<&str>; 3],
        folds: &Folds,
    ) -> Result<((u32, u32), u32), Unlearnt> {
        let before = self.corpus.len();
        if before > 0 {
            self.corpus.push(COLUMN_BREAK);
        }
        let start = self.corpus.len();
        let (mut tokens, mut differs) = (0, false);
        for (index, column) in texts.iter().enumerate() {
            if index > 0 {
                self.corpus.push(COLUMN_BREAK);
            }
            if let Some(column) = column {
                let from = self.corpus.len();
                match folds.fold(column, &mut self.corpus) {
                    Ok(other) => differs |= other,
                    Err(unlearnt) => {
                        self.corpus.truncate(before);
                        return Err(unlearnt);
                    }
                }
                tokens += trigram_tokens(&self.corpus[from..]);
            }
        }
        if differs {
            let like: Vec<String> = texts
                .iter()
                .map(|t| t.unwrap_or_default().to_ascii_lowercase())
                .collect();
            let like = like.join(&COLUMN_BREAK.to_string());
            self.like_texts.insert(at, like.into_boxed_str());
        }
        let text = (start as u32, self.corpus.len() as u32);
        self.owners.push(Owner {
            start: text.0,
            end: text.1,
            entry: at,
        });
        Ok((text, tokens))
    }

    /// Lays the corpus and the steps out again in entry order, without what no entry uses.
    fn compact(&mut self) {
        let mut corpus = String::with_capacity(self.corpus.len() - self.stale.0);
        let mut steps = Vec::with_capacity(self.steps.len() - self.stale.1);
        self.owners.clear();
        for at in 0..self.len() {
            if !corpus.is_empty() {
                corpus.push(COLUMN_BREAK);
            }
            let (from, to) = self.columns.text[at];
            let start = corpus.len() as u32;
            corpus.push_str(&self.corpus[from as usize..to as usize]);
            let text = (start, corpus.len() as u32);
            self.columns.text[at] = text;
            self.owners.push(Owner {
                start: text.0,
                end: text.1,
                entry: at as u32,
            });
            let (from, count) = self.columns.steps[at];
            self.columns.steps[at].0 = steps.len() as u32;
            steps.extend_from_slice(&self.steps[from as usize..(from + count) as usize]);
        }
        self.corpus = corpus;
        self.steps = steps;
        self.stale = (0, 0);
    }

    pub(super) fn rid(&self, entry: u32) -> i64 {
        self.columns.rid[entry as usize]
    }

    /// What an order of `qty` pieces becomes on an entry: the minimum order, then whole lots.
    pub(super) fn order(&self, entry: u32, qty: u32) -> Option<OrderSize> {
        let at = entry as usize;
        let lot = known(self.columns.lot_size[at]);
        OrderSize::new(self.columns.minimum_order[at], lot, qty).ok()
    }

    /// The unit price of the order `qty` pieces become, as `tiers::quote_in_lots` prices it.
    pub(super) fn unit_price(&self, entry: u32, qty: u32) -> Option<Money> {
        let at = entry as usize;
        let (from, count) = self.columns.steps[at];
        let steps = &self.steps[from as usize..(from + count) as usize];
        let lot = known(self.columns.lot_size[at]);
        tier_at(steps, order_qty(self.columns.minimum_order[at], lot, qty)?).map(|t| t.price)
    }

    /// For each entry and term, the term's occurrences in the entry's text (overlapping ones
    /// counted only where `overlapping`, else 1 for found); and per term, how many entries hold
    /// it.
    fn occurrences(&self, terms: &[Term], overlapping: bool) -> (Vec<u32>, Vec<u64>) {
        let width = terms.len();
        let mut counts = vec![0u32; self.len() * width];
        let mut holders = vec![0u64; width];
        let corpus = self.corpus.as_bytes();
        for (t, term) in terms.iter().enumerate() {
            let (mut from, mut owner) = (0, 0);
            while let Some(at) = term.find(&corpus[from..]) {
                let at = from + at;
                owner = self.owner_of(owner, at as u32);
                let Owner { end, entry, .. } = self.owners[owner];
                if entry == DEAD {
                    from = end as usize;
                    continue;
                }
                let count = &mut counts[entry as usize * width + t];
                holders[t] += u64::from(*count == 0);
                *count += 1;
                from = if overlapping && term.long {
                    at + term.first_len()
                } else {
                    end as usize
                };
            }
        }
        // LIKE folds ASCII case only: where that reads a text differently, it decides.
        for (&entry, like) in &self.like_texts {
            for (t, term) in terms.iter().enumerate().filter(|(_, t)| !t.long) {
                let count = &mut counts[entry as usize * width + t];
                let found = u32::from(term.found_in(like));
                holders[t] = holders[t] + u64::from(found) - u64::from(*count > 0);
                *count = found;
            }
        }
        (counts, holders)
    }

    /// The text holding corpus byte `at`, searching on from text `from` (found texts come in
    /// order): galloping, then halving.
    fn owner_of(&self, from: usize, at: u32) -> usize {
        let mut step = 1;
        while self.owners.get(from + step).is_some_and(|o| o.start <= at) {
            step *= 2;
        }
        let upto = (from + step).min(self.owners.len());
        from + self.owners[from..upto].partition_point(|o| o.start <= at) - 1
    }

    /// The offers matching `query`, counted, ordered, and the page from `offset`.
    pub(super) fn run(
        &self,
        query: &OfferQuery,
        quantity: u32,
        offset: u64,
        limit: usize,
    ) -> rusqlite::Result<Found> {
        let text = query.text.as_deref().unwrap_or("");
        let terms = Term::parse(text)?;
        let ranked = terms.iter().any(|t| t.long) && query.sort == OfferSort::Relevance;
        let needs_price = query.min_price.is_some()
            || query.max_price.is_some()
            || matches!(query.sort, OfferSort::PriceAsc | OfferSort::PriceDesc);
        let (counts, holders) = if terms.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            self.occurrences(&terms, ranked)
        };
        // bm25 weighs each term by how many offers hold it, whatever the filters.
        let bm25 = ranked.then(|| {
            let long: Vec<u64> = terms
                .iter()
                .zip(&holders)
                .filter(|(t, _)| t.long)
                .map(|(_, &n)| n)
                .collect();
            Bm25::new(self.len() as u64, self.tokens, &long)
        });

        let c = &self.columns;
        let provinces: Vec<u32> = query
            .provinces
            .iter()
            .filter_map(|p| self.provinces.get(p).copied())
            .collect();
        let at_least =
            |have: u32, want: Option<u32>| want.is_none_or(|want| have != UNKNOWN && have >= want);
        let passes = |i: usize| {
            (query.include_delisted || c.listed[i])
                && query.max_moq.is_none_or(|max| c.minimum_order[i] <= max)
                && (!query.power_merchant || c.power_merchant[i])
                && (!query.super_factory || c.super_factory[i])
                && at_least(c.tp_years[i], query.min_tp_years)
                && (query.provinces.is_empty() || provinces.contains(&c.province[i]))
                && at_least(
                    c.repurchase[i],
                    query.min_repurchase.map(|p| p.basis_points),
                )
                && at_least(c.month_sold[i], query.min_sold)
                && at_least(c.pickup[i], query.min_pickup_48h.map(|p| p.basis_points))
                && query
                    .max_quality_refund
                    .is_none_or(|max| c.refund[i] != UNKNOWN && c.refund[i] <= max.basis_points)
                && at_least(c.service[i], query.min_service_score)
        };

        let width = terms.len();
        let wanted = offset.saturating_add(limit as u64).min(self.len() as u64) as usize;
        let mut best = TopK::new(wanted);
        let mut total = 0u64;
        for i in 0..self.len() {
            let counts = &counts[i * width..(i + 1) * width];
            if !counts.iter().all(|&n| n > 0) || !passes(i) {
                continue;
            }
            let price = if needs_price {
                self.unit_price(i as u32, quantity)
            } else {
                None
            };
            if query
                .min_price
                .is_some_and(|min| price.is_none_or(|p| p < min))
                || query
                    .max_price
                    .is_some_and(|max| price.is_none_or(|p| p > max))
            {
                continue;
            }
            total += 1;
            let key = match query.sort {
                OfferSort::Relevance if ranked => {
                    let long = terms.iter().zip(counts).filter(|(t, _)| t.long);
                    let rank = bm25
                        .as_ref()
                        .map_or(0.0, |b| b.score(long.map(|(_, &n)| n), c.tokens[i]));
                    sortable_float(rank)
                }
                OfferSort::Relevance | OfferSort::Newest => -c.fetched[i],
                OfferSort::PriceAsc => price.map_or(UNKNOWN_KEY, Money::units),
                OfferSort::PriceDesc => price.map_or(UNKNOWN_KEY, |p| -p.units()),
                OfferSort::MoqAsc => i64::from(c.minimum_order[i]),
                OfferSort::RepurchaseDesc => descending(c.repurchase[i]),
                OfferSort::TpYearsDesc => descending(c.tp_years[i]),
                OfferSort::MonthSoldDesc => descending(c.month_sold[i]),
                OfferSort::ServiceScoreDesc => descending(c.service[i]),
                OfferSort::PickupDesc => descending(c.pickup[i]),
                OfferSort::QualityRefundAsc => ascending(c.refund[i]),
            };
            best.offer(key, || Hit {
                key,
                offer_id: c.offer_id[i],
                entry: i as u32,
            });
        }
        let mut page = best.sorted();
        Ok(Found {
            total,
            page: page.split_off((offset as usize).min(page.len())),
        })
    }
}

/// The first `wanted` hits in order, kept while matches stream in: a buffer cut back to the
/// best `wanted` whenever it fills, whose worst then turns most later hits away at once (no
/// list of every match, and none of a heap's reshuffling when each hit beats the last).
struct TopK {
    wanted: usize,
    hits: Vec<Hit>,
    /// The worst hit kept at the last cut: nothing after it can make the page.
    worst: Option<Hit>,
}

impl TopK {
    fn new(wanted: usize) -> TopK {
        TopK {
            wanted,
            hits: Vec::with_capacity(Self::capacity(wanted)),
            worst: None,
        }
    }

    fn capacity(wanted: usize) -> usize {
        (wanted * 2).max(4096)
    }

    /// Takes the hit `make` builds if its `key` may still make the page.
    fn offer(&mut self, key: i64, make: impl FnOnce() -> Hit) {
        if self.wanted == 0 || self.worst.is_some_and(|worst| key > worst.key) {
            return;
        }
        let hit = make();
        if self.worst.is_some_and(|worst| hit >= worst) {
            return;
        }
        self.hits.push(hit);
        if self.hits.len() >= Self::capacity(self.wanted) {
            self.cut();
        }
    }

    fn cut(&mut self) {
        if self.hits.len() > self.wanted {
            self.hits.select_nth_unstable(self.wanted - 1);
            self.hits.truncate(self.wanted);
            self.worst = Some(self.hits[self.wanted - 1]);
        }
    }

    fn sorted(mut self) -> Vec<Hit> {
        self.cut();
        self.hits.sort_unstable();
        self.hits
    }
}

/// An ascending sort's key, unknowns last.
fn ascending(value: u32) -> i64 {
    if value == UNKNOWN {
        UNKNOWN_KEY
    } else {
        i64::from(value)
    }
}

/// A descending sort's key, unknowns last.
fn descending(value: u32) -> i64 {
    if value == UNKNOWN {
        UNKNOWN_KEY
    } else {
        -i64::from(value)
    }
}

/// A float's order as an integer's (for bm25's finite scores; -0.0 sorts before 0.0, and
/// every score of 0 is -0.0).
fn sortable_float(value: f64) -> i64 {
    let bits = value.to_bits() as i64;
    if bits < 0 {
        bits ^ i64::MAX
    } else {
        bits
    }
}
