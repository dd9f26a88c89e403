//! A comparison as CSV for Excel, one row per offer, with the shortlist export's rules
//! (byte-order mark, CRLF, exact money, formula-like cells neutralized).

use std::io::{self, Write};

use super::{CompareColumn, Comparison};
use crate::export::neutralized;
use crate::{words, Language};

fn sku_label(column: &CompareColumn) -> String {
    let Some(id) = &column.sku_id else {
        return String::new();
    };
    let specs = column
        .skus
        .iter()
        .find(|s| &s.sku_id == id)
        .map(|s| {
            s.specs
                .iter()
                .map(|spec| format!("{}: {}", spec.name, spec.value))
                .collect::<Vec<_>>()
                .join(" / ")
        })
        .filter(|label| !label.is_empty());
    neutralized(&specs.unwrap_or_else(|| id.clone()))
}

/// Writes the comparison's columns as CSV rows, in the order compared.
pub fn write_comparison_csv(
    comparison: &Comparison,
    language: Language,
    out: impl Write,
) -> io::Result<()> {
    use words::*;
    let mut csv = crate::export::excel_csv(out)?;
    let headers = [
        CSV_OFFER_ID,
        CSV_TITLE,
        CSV_SUPPLIER,
        CSV_PROVINCE,
        CSV_QUANTITY,
        CSV_BILLED_QTY,
        CSV_LOT_SIZE,
        CSV_SKU,
        CSV_UNIT_PRICE,
        CSV_TOTAL,
        CSV_CHEAPEST,
        CSV_NEXT_BREAK,
        CSV_STOCK,
        CSV_LINK,
        CSV_FETCHED_AT,
    ]
    .map(|word| words::text(language, word, &[]));
    csv.write_record(headers)?;
    let number = |value: Option<u32>| value.map(|v| v.to_string()).unwrap_or_default();
    for column in &comparison.offers {
        let text = |value: Option<&String>| value.map(|v| neutralized(v)).unwrap_or_default();
        let next = column
            .next_break
            .as_ref()
            .map(|b| format!("≥{} {}", b.at_qty, b.unit_price))
            .unwrap_or_default();
        csv.write_record([
            column.offer_id.to_string(),
            text(column.title.as_ref().or(column.title_en.as_ref())),
            text(column.supplier.as_ref().and_then(|s| s.name.as_ref())),
            text(column.supplier.as_ref().and_then(|s| s.province.as_ref())),
            comparison.qty.to_string(),
            number(column.order_qty),
            number(column.order.and_then(|o| o.lot_size)),
            sku_label(column),
            column.unit_price.map(|p| p.to_string()).unwrap_or_default(),
            column.total.map(|p| p.to_string()).unwrap_or_default(),
            if column.cheapest {
                words::text(language, CSV_YES, &[])
            } else {
                String::new()
            },
            next,
            number(column.stock),
            column.offer_id.url(),
            column
                .fetched_at
                .with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        ])?;
    }
    csv.flush()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::Utc;

    use super::*;
    use crate::offer::{Offer, OfferId, SourceApi, Tier};
    use crate::sourcing::CacheTtls;

    #[test]
    fn one_row_per_offer_with_formulas_neutralized_and_the_cheapest_marked() {
        let offer = |id: &str, title: &str, price: &str| Offer {
            title: Some(title.into()),
            tiers: vec![Tier {
                min_qty: 1,
                price: price.parse().unwrap(),
            }],
            ..Offer::new(
                OfferId::parse(id).unwrap(),
                SourceApi::QueryProductDetail,
                Utc::now(),
            )
        };
        let offers = [
            offer("700001", "=HYPERLINK(\"http://evil\")", "3"),
            offer("700002", "保温杯", "2.5"),
        ];
        let comparison = crate::compare::compare(
            &offers,
            100,
            &BTreeMap::new(),
            CacheTtls::default(),
            Utc::now(),
        )
        .unwrap();
        let mut out = Vec::new();
        write_comparison_csv(&comparison, Language::English, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert!(lines[0].starts_with("Offer ID,Title,"), "{}", lines[0]);
        assert!(lines[1].starts_with("700001,\"'=HYPERLINK"), "{}", lines[1]);
        assert!(
            lines[1].contains(",300.00,,"),
            "not the cheapest: {}",
            lines[1]
        );
        assert!(lines[2].contains(",250.00,yes,"), "{}", lines[2]);
    }
}
