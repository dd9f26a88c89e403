//! Text matching for stored-offer search, in memory and exactly as SQLite matched it: a term of
//! three or more characters as FTS5's trigram tokenizer finds it (case folded as that tokenizer
//! folds, ranked by FTS5's `bm25`), a shorter one as `LIKE '%term%'` does (ASCII case only).
//! A title, its English title and the supplier's name are matched apart, as columns are.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, OnceLock};

use memchr::memmem::Finder;
use rusqlite::Connection;

/// Characters in a term below which FTS5's trigram tokenizer finds nothing.
const TRIGRAM: usize = 3;

/// Between the columns of an entry's text: whitespace, which no term holds, so no term is found
/// across two columns.
pub(super) const COLUMN_BREAK: char = '\n';

/// How the trigram tokenizer folds each non-ASCII character, learnt from SQLite's own tokenizer
/// once per character and process, so matching follows the bundled SQLite exactly (FTS5 folds
/// by its own Unicode tables, not Rust's).
static FOLDS: OnceLock<Mutex<FoldTable>> = OnceLock::new();

#[derive(Default)]
struct FoldTable {
    /// By code point below U+10000: 0 not learnt yet, 1 dropped, else the folded code point + 2.
    basic: Vec<u32>,
    other: HashMap<char, Option<char>>,
}

impl FoldTable {
    /// What `c` folds to (`Some(None)`: dropped); `None` when not learnt yet.
    fn get(&self, c: char) -> Option<Option<char>> {
        let code = u32::from(c);
        if code >= 0x10000 {
            return self.other.get(&c).copied();
        }
        match self.basic.get(code as usize).copied().unwrap_or(0) {
            0 => None,
            1 => Some(None),
            n => Some(char::from_u32(n - 2)),
        }
    }

    fn set(&mut self, c: char, folded: Option<char>) {
        let code = u32::from(c);
        if code >= 0x10000 {
            self.other.insert(c, folded);
            return;
        }
        if self.basic.is_empty() {
            self.basic = vec![0; 0x10000];
        }
        self.basic[code as usize] = folded.map_or(1, |f| u32::from(f) + 2);
    }
}

/// A character the fold table has not learnt yet.
#[derive(Debug)]
pub(super) struct Unlearnt;

/// The process's fold table, held while texts are folded.
pub(super) struct Folds(MutexGuard<'static, FoldTable>);

impl Folds {
    pub(super) fn lock() -> Folds {
        Folds(
            FOLDS
                .get_or_init(Default::default)
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }

    /// Learns the characters of `texts` not known yet, asking SQLite's trigram tokenizer.
    pub(super) fn learn<'a>(
        &mut self,
        texts: impl Iterator<Item = &'a str>,
    ) -> rusqlite::Result<()> {
        let unknown: HashSet<char> = texts
            .flat_map(str::chars)
            .filter(|&c| !c.is_ascii() && self.0.get(c).is_none())
            .collect();
        if !unknown.is_empty() {
            for (c, folded) in ask_sqlite(unknown)? {
                self.0.set(c, folded);
            }
        }
        Ok(())
    }

    /// Appends `text` as the trigram tokenizer reads it to `out`, and says whether LIKE (which
    /// folds ASCII letters only) reads it otherwise. On a character not learnt yet `out` is
    /// left as it was.
    pub(super) fn fold(&self, text: &str, out: &mut String) -> Result<bool, Unlearnt> {
        let start = out.len();
        let mut differs = false;
        for c in text.chars() {
            if c.is_ascii() {
                if c == '\0' {
                    differs = true;
                } else {
                    out.push(c.to_ascii_lowercase());
                }
                continue;
            }
            match self.0.get(c) {
                Some(folded) => {
                    differs |= folded != Some(c);
                    out.extend(folded);
                }
                None => {
                    out.truncate(start);
                    return Err(Unlearnt);
                }
            }
        }
        Ok(differs)
    }
}

/// How FTS5's trigram tokenizer folds `chars`: each is indexed three times in a row in a
/// throwaway table, and the index's one token for it says what it became.
fn ask_sqlite(chars: HashSet<char>) -> rusqlite::Result<Vec<(char, Option<char>)>> {
    let conn = Connection::open_in_memory()?;
    conn.execute_batch(
        "CREATE VIRTUAL TABLE probe USING fts5(x, tokenize = 'trigram');
         CREATE VIRTUAL TABLE probe_tokens USING fts5vocab(probe, 'instance');
         BEGIN;",
    )?;
    {
        let mut insert = conn.prepare("INSERT INTO probe (rowid, x) VALUES (?1, ?2)")?;
        for &c in &chars {
            insert.execute(rusqlite::params![u32::from(c), c.to_string().repeat(3)])?;
        }
    }
    conn.execute_batch("COMMIT")?;
    let mut folded: HashMap<char, Option<char>> = chars.into_iter().map(|c| (c, None)).collect();
    let mut tokens = conn.prepare("SELECT doc, term FROM probe_tokens")?;
    let mut rows = tokens.query([])?;
    while let Some(row) = rows.next()? {
        let code: u32 = row.get(0)?;
        let token: String = row.get(1)?;
        if let Some(c) = char::from_u32(code) {
            folded.insert(c, token.chars().next());
        }
    }
    Ok(folded.into_iter().collect())
}

/// Trigram tokens in one column's folded text: one per character from the third on.
pub(super) fn trigram_tokens(folded: &str) -> u32 {
    folded.chars().count().saturating_sub(TRIGRAM - 1) as u32
}

/// One search term, ready to find in entries' texts.
pub(super) struct Term {
    finder: Finder<'static>,
    first: usize,
    /// Three characters or more: matched and ranked as the trigram index did.
    pub(super) long: bool,
    /// Whether the term can match at all: the trigram index finds nothing in a term folded to
    /// fewer than three characters (it drops NUL).
    findable: bool,
}

impl Term {
    /// The terms of a query: its words, each folded as its kind of match folds.
    pub(super) fn parse(text: &str) -> rusqlite::Result<Vec<Term>> {
        let mut folds = Folds::lock();
        folds.learn(std::iter::once(text))?;
        Ok(text
            .split_whitespace()
            .map(|word| {
                let long = word.chars().count() >= TRIGRAM;
                let needle = if long {
                    let mut folded = String::new();
                    // Learnt above: every character is known.
                    let _ = folds.fold(word, &mut folded);
                    folded
                } else {
                    word.to_ascii_lowercase()
                };
                Term {
                    first: needle.chars().next().map_or(1, char::len_utf8),
                    long,
                    findable: !long || needle.chars().count() >= TRIGRAM,
                    finder: Finder::new(needle.as_bytes()).into_owned(),
                }
            })
            .collect())
    }

    /// Where the term first occurs in `haystack`.
    pub(super) fn find(&self, haystack: &[u8]) -> Option<usize> {
        self.findable.then(|| self.finder.find(haystack)).flatten()
    }

    pub(super) fn found_in(&self, haystack: &str) -> bool {
        self.find(haystack.as_bytes()).is_some()
    }

    /// Bytes of the term's first character: where its next, overlapping occurrence may start
    /// (the trigram index counts every position a phrase starts at).
    pub(super) fn first_len(&self) -> usize {
        self.first
    }
}

/// FTS5's `bm25()` with its defaults (k1 = 1.2, b = 0.75, every column weighing 1), computed
/// the way SQLite computes it, operation for operation, so ranks and their ties are the same.
pub(super) struct Bm25 {
    idf: Vec<f64>,
    avgdl: f64,
}

impl Bm25 {
    const K1: f64 = 1.2;
    const B: f64 = 0.75;

    /// `rows` and `tokens` over the whole table; `hits[i]`: rows holding term `i`.
    pub(super) fn new(rows: u64, tokens: u64, hits: &[u64]) -> Bm25 {
        let (rows, tokens) = (rows as i64, tokens as i64);
        Bm25 {
            avgdl: tokens as f64 / rows as f64,
            idf: hits
                .iter()
                .map(|&hit| {
                    let hit = hit as i64;
                    let idf = (((rows - hit) as f64 + 0.5) / (hit as f64 + 0.5)).ln();
                    if idf <= 0.0 {
                        1e-6
                    } else {
                        idf
                    }
                })
                .collect(),
        }
    }

    /// The score of a row holding term `i` `freqs[i]` times, `tokens` tokens long: lower is
    /// more relevant.
    pub(super) fn score(&self, freqs: impl Iterator<Item = u32>, tokens: u32) -> f64 {
        let d = f64::from(tokens);
        let mut score = 0.0;
        for (idf, freq) in self.idf.iter().zip(freqs) {
            let freq = f64::from(freq);
            score += idf
                * ((freq * (Self::K1 + 1.0))
                    / (freq + Self::K1 * (1.0 - Self::B + Self::B * d / self.avgdl)));
        }
        // SQLite returns `-1.0 * score`: the same number.
        -score
    }
}
