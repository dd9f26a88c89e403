//! An offer's tiers and SKUs, kept in its own row rather than a row each: nothing searches
//! them in SQL, and an offer is read and written whole. Tiers are compact JSON
//! (`[[min_qty, price units], …]`); SKUs compact JSON compressed as raw answers are (with the
//! same dictionary, which knows their IDs, specs and picture addresses), `NULL` for none.
//! Rows moved here by the migration hold the SKUs' JSON uncompressed, which reads the same.

use serde::{Deserialize, Serialize};

use super::raw_answers::{unpack, PackedAnswer};
use crate::offer::{Sku, Spec, Tier};
use crate::Money;

#[derive(Serialize, Deserialize)]
struct TierRow(u32, i64);

/// `[sku_id, spec_id, [[name, value], …], price units, stock, available (0/1), picture]`
#[derive(Serialize, Deserialize)]
struct SkuRow(
    String,
    Option<String>,
    Vec<(String, String)>,
    Option<i64>,
    Option<u32>,
    u8,
    Option<String>,
);

pub(super) fn tiers_text(tiers: &[Tier]) -> String {
    let rows: Vec<TierRow> = tiers
        .iter()
        .map(|t| TierRow(t.min_qty, t.price.units()))
        .collect();
    serde_json::to_string(&rows).expect("tiers serialize")
}

/// Tiers as kept; text that cannot be read (only Pifa writes it) reads as none.
pub(super) fn tiers_from(text: &str) -> Vec<Tier> {
    let rows: Vec<TierRow> = serde_json::from_str(text).unwrap_or_default();
    rows.into_iter()
        .map(|TierRow(min_qty, units)| Tier {
            min_qty,
            price: Money::from_units(units),
        })
        .collect()
}

pub(super) fn skus_packed(skus: &[Sku]) -> Option<PackedAnswer> {
    if skus.is_empty() {
        return None;
    }
    let rows: Vec<SkuRow> = skus
        .iter()
        .map(|s| {
            SkuRow(
                s.sku_id.clone(),
                s.spec_id.clone(),
                s.specs
                    .iter()
                    .map(|spec| (spec.name.clone(), spec.value.clone()))
                    .collect(),
                s.price.map(Money::units),
                s.stock,
                u8::from(s.available),
                s.image.clone(),
            )
        })
        .collect();
    Some(PackedAnswer::pack(
        &serde_json::to_string(&rows).expect("SKUs serialize"),
    ))
}

/// SKUs as kept; a blob that cannot be read (only Pifa writes it) reads as none.
pub(super) fn skus_from(blob: Option<&[u8]>) -> Vec<Sku> {
    let rows: Vec<SkuRow> = blob
        .and_then(unpack)
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    rows.into_iter()
        .map(
            |SkuRow(sku_id, spec_id, specs, price, stock, available, image)| Sku {
                sku_id,
                spec_id,
                specs: specs
                    .into_iter()
                    .map(|(name, value)| Spec { name, value })
                    .collect(),
                price: price.map(Money::from_units),
                stock,
                available: available != 0,
                image,
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_and_skus_read_back_as_written() {
        let tiers = vec![
            Tier {
                min_qty: 2,
                price: Money::from_units(149_000),
            },
            Tier {
                min_qty: 100,
                price: Money::from_units(139_500),
            },
        ];
        assert_eq!(tiers_from(&tiers_text(&tiers)), tiers);
        let skus = vec![
            Sku {
                sku_id: "4883012345001".into(),
                spec_id: Some("6ff2c2512a95948ff97fd5436ef2b49d".into()),
                specs: vec![Spec {
                    name: "颜色".into(),
                    value: "黑色".into(),
                }],
                price: Some(Money::from_units(36_200)),
                stock: Some(0),
                available: false,
                image: Some("https://cbu01.alicdn.com/img/ibank/a.jpg".into()),
            },
            Sku {
                sku_id: "4883012345002".into(),
                spec_id: None,
                specs: Vec::new(),
                price: None,
                stock: None,
                available: true,
                image: None,
            },
        ];
        let packed = skus_packed(&skus).unwrap();
        assert_eq!(skus_from(Some(packed.bytes())), skus);
        assert!(skus_packed(&[]).is_none());
        assert_eq!(skus_from(None), Vec::new());
        // As the migration wrote them: the JSON uncompressed.
        let plain = r#"[["1",null,[["尺码","XL"]],10000,5,1,null]]"#;
        assert_eq!(skus_from(Some(plain.as_bytes()))[0].specs[0].value, "XL");
    }
}
