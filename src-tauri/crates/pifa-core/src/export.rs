//! Shortlists as CSV for Excel: UTF-8 with a byte-order mark (so Excel reads Chinese), CRLF
//! line ends, exact money as decimal text, times in the user's local time, and every cell that
//! Excel would read as a formula neutralized, since titles and notes come from 1688 sellers.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Local, Utc};

use crate::offer::tiers::PriceBasis;
use crate::offer::Percent;
use crate::store::ShortlistRow;
use crate::{files, words, Error, Language, Result};

/// A cell as Excel should show it: text starting with a formula trigger gets a leading
/// apostrophe, which Excel hides and which stops it evaluating the rest (OWASP's advice).
pub fn neutralized(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n' | '|' | '%') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

fn local(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The header row, from the shared catalog in the user's language.
fn headers(language: Language) -> [String; 23] {
    use words::*;
    [
        CSV_RANK,
        CSV_OFFER_ID,
        CSV_TITLE,
        CSV_TITLE_EN,
        CSV_SUPPLIER,
        CSV_PROVINCE,
        CSV_CITY,
        CSV_TP_YEARS,
        CSV_POWER_MERCHANT,
        CSV_SUPER_FACTORY,
        CSV_REPURCHASE,
        CSV_SERVICE_SCORE,
        CSV_PICKUP_48H,
        CSV_QUALITY_REFUND,
        CSV_MOQ,
        CSV_QUANTITY,
        CSV_BILLED_QTY,
        CSV_UNIT_PRICE,
        CSV_TOTAL,
        CSV_TIERS,
        CSV_NOTE,
        CSV_LINK,
        CSV_FETCHED_AT,
    ]
    .map(|word| words::text(language, word, &[]))
}

/// A 0–5 score kept in tenths, as `4.5`.
fn tenths(score: u32) -> String {
    format!("{}.{}", score / 10, score % 10)
}

fn yes_no(flag: bool, language: Language) -> String {
    words::text(
        language,
        if flag { words::CSV_YES } else { words::CSV_NO },
        &[],
    )
}

/// A CSV writer as Excel reads Chinese text right: a UTF-8 BOM first, CRLF line ends. Every
/// cell from outside goes through [`neutralized`].
pub fn excel_csv<W: Write>(mut out: W) -> io::Result<csv::Writer<W>> {
    out.write_all("\u{feff}".as_bytes())?;
    Ok(csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out))
}

/// Writes a shortlist's comparison rows (already ranked) as CSV.
pub fn write_shortlist_csv(
    rows: &[ShortlistRow],
    language: Language,
    out: impl Write,
) -> io::Result<()> {
    let mut csv = excel_csv(out)?;
    csv.write_record(headers(language))?;
    for (rank, row) in rows.iter().enumerate() {
        let supplier = row.supplier.as_ref();
        let text = |value: Option<&String>| value.map(|v| neutralized(v)).unwrap_or_default();
        let number = |value: Option<u32>| value.map(|v| v.to_string()).unwrap_or_default();
        let rate = |value: Option<Percent>| value.map(|r| r.to_string()).unwrap_or_default();
        // An unknown badge is an empty cell, not a "no".
        let badge = |value: Option<bool>| value.map(|b| yes_no(b, language)).unwrap_or_default();
        let quote = row.quote.quote.as_ref();
        // A missing price stays an empty cell, never a borrowed one.
        let unit_price = quote.map(|q| {
            let price = q.unit_price.to_string();
            match q.basis {
                PriceBasis::LowestSku => {
                    words::text(language, words::CSV_FROM_PRICE, &[("price", &price)])
                }
                _ => price,
            }
        });
        let tiers = row
            .tiers
            .iter()
            .map(|t| format!("≥{} {}", t.min_qty, t.price))
            .collect::<Vec<_>>()
            .join("; ");
        csv.write_record([
            (rank + 1).to_string(),
            row.offer_id.to_string(),
            text(row.title.as_ref()),
            text(row.title_en.as_ref()),
            text(supplier.and_then(|s| s.name.as_ref())),
            text(supplier.and_then(|s| s.province.as_ref())),
            text(supplier.and_then(|s| s.city.as_ref())),
            number(supplier.and_then(|s| s.tp_years)),
            badge(supplier.and_then(|s| s.badges).map(|b| b.power_merchant)),
            badge(supplier.and_then(|s| s.badges).map(|b| b.super_factory)),
            rate(supplier.and_then(|s| s.repurchase_rate)),
            supplier
                .and_then(|s| s.scores.composite)
                .map(tenths)
                .unwrap_or_default(),
            rate(supplier.and_then(|s| s.pickup_48h_rate)),
            rate(supplier.and_then(|s| s.quality_refund_rate)),
            number(row.moq),
            row.quantity.to_string(),
            number(quote.map(|q| q.billed_qty)),
            unit_price.unwrap_or_default(),
            quote.map(|q| q.total.to_string()).unwrap_or_default(),
            tiers,
            neutralized(&row.note),
            row.offer_id.url(),
            local(row.fetched_at),
        ])?;
    }
    csv.flush()
}

/// Longest file stem kept, in bytes: with a date, a ` (n)` and `.csv` it stays far below the
/// 255 bytes most file systems allow, even for names in 4-byte characters.
const STEM_BYTES: usize = 150;

/// Unicode format characters (category Cf): invisible, and some (U+202E) reverse how the rest of
/// a name reads, so `txt.exe` can look like `exe.txt`.
fn is_format(c: char) -> bool {
    matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF
        | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// A file name from a shortlist name: characters no file system takes become `_`, invisible
/// format characters go, and long names are cut at a character boundary.
pub fn file_stem(name: &str) -> String {
    let mut stem = String::new();
    for c in name.trim().chars().filter(|c| !is_format(*c)) {
        let c = match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        };
        if stem.len() + c.len_utf8() > STEM_BYTES {
            break;
        }
        stem.push(c);
    }
    let stem = stem.trim_matches(['.', ' ']);
    if stem.is_empty() {
        "shortlist".to_owned()
    } else {
        stem.to_owned()
    }
}

/// Where exports go by default: the user's Downloads folder, else the data directory's
/// `exports` folder.
pub fn default_export_dir(data_dir: &Path) -> PathBuf {
    directories::UserDirs::new()
        .and_then(|dirs| dirs.download_dir().map(Path::to_path_buf))
        .filter(|dir| dir.is_dir())
        .unwrap_or_else(|| data_dir.join("exports"))
}

/// Writes a new file in `dir` named `stem.csv`, else `stem (2).csv`, ..., never over an
/// existing file (not even one another export creates at the same moment), and returns where.
pub fn write_new(
    dir: &Path,
    stem: &str,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<PathBuf> {
    let name = |n: u32| match n {
        1 => format!("{stem}.csv"),
        n => format!("{stem} ({n}).csv"),
    };
    fs::create_dir_all(dir)
        .and_then(|()| files::create_new(dir, name, write))
        .map_err(|source| Error::ExportUnwritable {
            path: dir.join(name(1)),
            source,
        })
}

/// Writes `path` whole, replacing a file already there: for a file the user named.
pub fn write_file(path: &Path, write: impl FnOnce(&mut File) -> io::Result<()>) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|source| Error::ExportUnwritable {
            path: path.to_owned(),
            source,
        })?;
    }
    files::replace(path, write).map_err(|source| Error::ExportUnwritable {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_triggers_are_neutralized_and_other_text_is_kept() {
        for risky in [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "|cmd",
        ] {
            assert_eq!(neutralized(risky), format!("'{risky}"));
        }
        for safe in ["纯棉T恤 批发", "12.50", "", "a=b"] {
            assert_eq!(neutralized(safe), safe);
        }
    }

    #[test]
    fn file_names_lose_what_file_systems_refuse() {
        assert_eq!(file_stem("春季/夏季: 采购?"), "春季_夏季_ 采购_");
        assert_eq!(file_stem(" .. "), "shortlist");
    }

    #[test]
    fn file_names_drop_format_characters_and_stay_short() {
        // U+202E would show "report\u{202e}vsc.exe" as "reportexe.csv".
        assert_eq!(file_stem("report\u{202e}vsc.exe\u{200b}"), "reportvsc.exe");
        let emoji = "😀".repeat(60);
        let stem = file_stem(&emoji);
        assert_eq!(stem, "😀".repeat(STEM_BYTES / 4));
        assert!(stem.len() <= STEM_BYTES);
        // A cut inside a character keeps the character out, whole.
        let mixed = format!("a{}", "中".repeat(60));
        assert_eq!(file_stem(&mixed), format!("a{}", "中".repeat(49)));
    }

    #[test]
    fn sixty_four_byte_characters_export() {
        let tmp = tempfile::tempdir().unwrap();
        let stem = format!("{} 2026-11-28", file_stem(&"😀".repeat(60)));
        let first = write_new(tmp.path(), &stem, |f| f.write_all(b"one")).unwrap();
        let second = write_new(tmp.path(), &stem, |f| f.write_all(b"two")).unwrap();
        assert_eq!(fs::read_to_string(&first).unwrap(), "one");
        assert_eq!(
            second.file_name().unwrap().to_string_lossy(),
            format!("{stem} (2).csv")
        );
    }

    #[test]
    fn exports_never_overwrite_and_leave_no_part_file() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("exports");
        let first = write_new(&dir, "春季 2026-11-28", |f| f.write_all(b"one")).unwrap();
        assert_eq!(first.file_name().unwrap(), "春季 2026-11-28.csv");
        let failed = write_new(&dir, "春季 2026-11-28", |_| {
            Err(io::Error::other("disk full"))
        });
        assert_eq!(failed.unwrap_err().code(), "export.unwritable");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["春季 2026-11-28.csv"]);
        assert_eq!(fs::read_to_string(&first).unwrap(), "one");
    }

    #[test]
    fn a_name_taken_after_it_was_chosen_is_not_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let taken = tmp.path().join("春季.csv");
        // Another export takes the name while this one is still writing.
        let path = write_new(tmp.path(), "春季", |f| {
            fs::write(&taken, "the other export")?;
            f.write_all(b"this one")
        })
        .unwrap();
        assert_eq!(path, tmp.path().join("春季 (2).csv"));
        assert_eq!(fs::read_to_string(&taken).unwrap(), "the other export");
        assert_eq!(fs::read_to_string(&path).unwrap(), "this one");
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_part_link_is_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let victim = tmp.path().join("victim.txt");
        fs::write(&victim, "precious").unwrap();
        std::os::unix::fs::symlink(&victim, tmp.path().join("春季.csv.part")).unwrap();
        let path = write_new(tmp.path(), "春季", |f| f.write_all(b"csv")).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(fs::read_to_string(path).unwrap(), "csv");
    }
}
