//! Shortlists as CSV for Excel: UTF-8 with a byte-order mark (so Excel reads Chinese), CRLF
//! line ends, exact money as decimal text, times in the user's local time, and every cell that
//! Excel would read as a formula neutralized, since titles and notes come from 1688 sellers.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Local, Utc};

use crate::offer::tiers::PriceBasis;
use crate::store::ShortlistRow;
use crate::{Error, Language, Result};

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

fn headers(language: Language) -> [&'static str; 20] {
    match language {
        Language::SimplifiedChinese => [
            "排名",
            "商品ID",
            "标题",
            "英文标题",
            "供应商",
            "省份",
            "城市",
            "诚信通年限",
            "实力商家",
            "超级工厂",
            "回头率",
            "起订量",
            "采购数量",
            "计价数量",
            "单价(元)",
            "总价(元)",
            "价格区间",
            "备注",
            "链接",
            "数据时间",
        ],
        Language::English => [
            "Rank",
            "Offer ID",
            "Title",
            "English title",
            "Supplier",
            "Province",
            "City",
            "诚信通 years",
            "实力商家",
            "超级工厂",
            "Repurchase rate",
            "MOQ",
            "Quantity",
            "Billed quantity",
            "Unit price (CNY)",
            "Total (CNY)",
            "Tiers",
            "Note",
            "Link",
            "Data as of",
        ],
    }
}

fn yes_no(flag: bool, language: Language) -> &'static str {
    match (flag, language) {
        (true, Language::SimplifiedChinese) => "是",
        (false, Language::SimplifiedChinese) => "否",
        (true, Language::English) => "yes",
        (false, Language::English) => "no",
    }
}

/// Writes a shortlist's comparison rows (already ranked) as CSV.
pub fn write_shortlist_csv(
    rows: &[ShortlistRow],
    language: Language,
    out: impl Write,
) -> io::Result<()> {
    let mut out = out;
    out.write_all("\u{feff}".as_bytes())?;
    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    csv.write_record(headers(language))?;
    for (rank, row) in rows.iter().enumerate() {
        let supplier = row.supplier.as_ref();
        let text = |value: Option<&String>| value.map(|v| neutralized(v)).unwrap_or_default();
        let number = |value: Option<u32>| value.map(|v| v.to_string()).unwrap_or_default();
        let quote = row.quote.quote.as_ref();
        // A missing price stays an empty cell, never a borrowed one.
        let unit_price = quote.map(|q| {
            let price = q.unit_price.to_string();
            match (q.basis, language) {
                (PriceBasis::LowestSku, Language::SimplifiedChinese) => format!("{price} 起"),
                (PriceBasis::LowestSku, Language::English) => format!("from {price}"),
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
            supplier
                .map(|s| yes_no(s.power_merchant, language).to_owned())
                .unwrap_or_default(),
            supplier
                .map(|s| yes_no(s.super_factory, language).to_owned())
                .unwrap_or_default(),
            supplier
                .and_then(|s| s.repurchase_rate)
                .map(|r| r.to_string())
                .unwrap_or_default(),
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

/// A file name from a shortlist name: characters no file system takes become `_`.
pub fn file_stem(name: &str) -> String {
    let stem: String = name
        .trim()
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
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

/// A path in `dir` for `stem` that names no existing file: `stem.csv`, `stem (2).csv`, ...
pub fn free_path(dir: &Path, stem: &str) -> PathBuf {
    let mut path = dir.join(format!("{stem}.csv"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem} ({n}).csv"));
        n += 1;
    }
    path
}

/// Writes through a temporary file renamed into place, so a full disk never leaves half a
/// file under the final name.
pub fn write_file(path: &Path, write: impl FnOnce(&mut File) -> io::Result<()>) -> Result<()> {
    let unwritable = |source| Error::ExportUnwritable {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(unwritable)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = PathBuf::from(tmp);
    let result = File::create(&tmp).and_then(|mut file| {
        write(&mut file)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(unwritable)
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
    fn exports_never_overwrite_and_leave_no_part_file() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("exports");
        let first = free_path(&dir, "春季 2026-11-28");
        write_file(&first, |f| f.write_all(b"one")).unwrap();
        let second = free_path(&dir, "春季 2026-11-28");
        assert_eq!(second.file_name().unwrap(), "春季 2026-11-28 (2).csv");
        let failed = write_file(&second, |_| Err(io::Error::other("disk full")));
        assert_eq!(failed.unwrap_err().code(), "export.unwritable");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["春季 2026-11-28.csv"]);
    }
}
