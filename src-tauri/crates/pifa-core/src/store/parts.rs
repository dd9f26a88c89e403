//! An offer's tiers, SKUs and display-only facts, kept in its own row rather than a row each:
//! nothing searches them in SQL, and an offer is read and written whole.
//!
//! - `tiers`: compact JSON (`[[min_qty, price units], …]`).
//! - its pictures, the shipping facts that have no column of their own, cleaning warnings, 混批
//!   and SKUs are read from the answer the row was written from (`raw_answers` of the row's
//!   source, [`source_answer!`]), cleaned again: the store keeps that answer anyway (for
//!   `recheck`), and a second copy of its facts was a sixth of the store. `extras` is `NULL`
//!   then; they follow this version's cleaner, as `recheck` would make the row's columns. Only
//!   an offer written without a readable answer keeps them in `extras`: one compact JSON row
//!   ([`ExtrasRow`]) compressed as raw answers are. Picture addresses on 1688's image host are
//!   kept there without the host's prefix. Rows moved here by the migration hold the JSON
//!   uncompressed with their SKUs still in `skus`, which reads the same. Rows of either kind
//!   are read from their answer once the offer is next written (a fetch, or `recheck` for all).
//! - `skus` (rows from before `extras` held them): compact JSON, compressed or not; `NULL` for
//!   none.

use chrono::DateTime;
use serde::{Deserialize, Serialize};

use super::raw_answers::{unpack, PackedAnswer};
use crate::offer::{
    clean_answer_text, clean_search_item, CleanWarning, Dimensions, MixedBatch, Offer, Percent,
    Shipping, Sku, Spec, Tier,
};
use crate::Money;

#[derive(Serialize, Deserialize)]
struct TierRow(u32, i64);

/// `[sku_id, spec_id, [[name, value], …], price units, stock, available (0/1), picture,
/// weight g, [length, width, height] mm]`; rows written before SKUs had a weight end at the
/// picture.
#[derive(Serialize, Deserialize)]
struct SkuRow(
    String,
    Option<String>,
    Vec<(String, String)>,
    Option<i64>,
    Option<u32>,
    u8,
    Option<String>,
    #[serde(default)] Option<u32>,
    #[serde(default)] Option<(Option<u32>, Option<u32>, Option<u32>)>,
);

/// `[pictures, [length, width, height] mm, dispatch hours, perfect fulfilment, 24h pickup,
/// quality returns, delayed shipping (basis points), [mixing allowed (0/1), minimum yuan,
/// minimum pieces], warnings, SKUs]`. The migration writes it in SQL: it changes only with a
/// migration of its own. SKUs are `null` in rows it moved (they are in `skus`).
#[derive(Serialize, Deserialize)]
struct ExtrasRow(
    Vec<String>,
    Option<(Option<u32>, Option<u32>, Option<u32>)>,
    Option<u32>,
    Option<u32>,
    Option<u32>,
    Option<u32>,
    Option<u32>,
    Option<(u8, Option<u32>, Option<u32>)>,
    #[serde(deserialize_with = "warnings_read_leniently")] Vec<CleanWarning>,
    Option<Vec<SkuRow>>,
);

/// Warnings moved from rows of older versions: one that cannot be read is left out alone,
/// rather than the row's pictures and shipping facts with it.
fn warnings_read_leniently<'de, D>(reader: D) -> Result<Vec<CleanWarning>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let values = Vec::<serde_json::Value>::deserialize(reader)?;
    Ok(values
        .into_iter()
        .filter_map(|value| serde_json::from_value(value).ok())
        .collect())
}

/// Where 1688 keeps its pictures: addresses under it are kept without it.
const IMAGE_PREFIX: &str = "https://cbu01.alicdn.com/img/ibank/";

/// A picture's address as kept. The cleaner keeps only absolute addresses, so one without a
/// scheme is one shortened here.
fn short_url(url: &str) -> String {
    url.strip_prefix(IMAGE_PREFIX).unwrap_or(url).to_owned()
}

fn full_url(kept: String) -> String {
    if kept.contains("://") {
        kept
    } else {
        [IMAGE_PREFIX, &kept].concat()
    }
}

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

fn sku_rows(skus: &[Sku]) -> Vec<SkuRow> {
    skus.iter()
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
                s.image.as_deref().map(short_url),
                s.weight_grams,
                s.dimensions.map(|d| (d.length_mm, d.width_mm, d.height_mm)),
            )
        })
        .collect()
}

fn skus_of(rows: Vec<SkuRow>) -> Vec<Sku> {
    rows.into_iter()
        .map(
            |SkuRow(sku_id, spec_id, specs, price, stock, available, image, weight, size)| Sku {
                sku_id,
                spec_id,
                specs: specs
                    .into_iter()
                    .map(|(name, value)| Spec { name, value })
                    .collect(),
                price: price.map(Money::from_units),
                stock,
                available: available != 0,
                image: image.map(full_url),
                weight_grams: weight,
                dimensions: size.map(|(length_mm, width_mm, height_mm)| Dimensions {
                    length_mm,
                    width_mm,
                    height_mm,
                }),
            },
        )
        .collect()
}

/// What the `extras` column holds for `offer`, compressed.
pub(super) fn extras_packed(offer: &Offer) -> PackedAnswer {
    pack_row(
        &offer.images,
        &offer.shipping,
        offer.mixed_batch,
        &offer.warnings,
        &offer.skus,
    )
}

fn pack_row(
    images: &[String],
    s: &Shipping,
    mixed_batch: Option<MixedBatch>,
    warnings: &[CleanWarning],
    skus: &[Sku],
) -> PackedAnswer {
    let bp = |p: Option<Percent>| p.map(|p| p.basis_points);
    let row = ExtrasRow(
        images.iter().map(|url| short_url(url)).collect(),
        s.dimensions.map(|d| (d.length_mm, d.width_mm, d.height_mm)),
        s.dispatch_hours,
        bp(s.perfect_fulfilment_30d),
        bp(s.pickup_24h_30d),
        bp(s.quality_return_30d),
        bp(s.delayed_shipping_7d),
        mixed_batch.map(|m| (u8::from(m.allowed), m.min_amount_yuan, m.min_pieces)),
        warnings.to_vec(),
        (!skus.is_empty()).then(|| sku_rows(skus)),
    );
    PackedAnswer::pack(&serde_json::to_string(&row).expect("extras serialize"))
}

/// A column for queries that read an offer row as `o`: the answer that row was written from,
/// for rows whose display facts are read from it (`extras` is `NULL`).
macro_rules! source_answer {
    () => {
        "(SELECT r.body FROM raw_answers r
          WHERE r.offer_id = o.offer_id AND r.source = o.source AND o.extras IS NULL)
         AS source_answer"
    };
}
pub(super) use source_answer;

/// An offer's display-only facts as kept in `extras` (and `skus`, in rows from before), or as
/// its answer says them.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Extras {
    pub images: Vec<String>,
    /// Without origin and unit weight, which have columns.
    pub shipping: Shipping,
    pub mixed_batch: Option<MixedBatch>,
    pub warnings: Vec<CleanWarning>,
    pub skus: Vec<Sku>,
}

impl Extras {
    fn of(offer: Offer) -> Extras {
        Extras {
            images: offer.images,
            shipping: Shipping {
                origin: None,
                unit_weight_grams: None,
                ..offer.shipping
            },
            mixed_batch: offer.mixed_batch,
            warnings: offer.warnings,
            skus: offer.skus,
        }
    }
}

/// Reads an offer's display facts from its `source_answer` when the row has one, else from
/// `extras`, and `skus` for rows whose SKUs are still there. What cannot be read (only Pifa
/// writes these columns and stores answers that cleaned) reads as nothing.
pub(super) fn extras_from(
    extras: Option<&[u8]>,
    old_skus: Option<&[u8]>,
    answer: Option<&[u8]>,
) -> Extras {
    if let Some(answer) = answer {
        return answer_offer(answer).map(Extras::of).unwrap_or_default();
    }
    let Some(ExtrasRow(
        images,
        dimensions,
        dispatch,
        perfect,
        pickup,
        quality,
        delayed,
        mixed,
        warnings,
        skus,
    )) = extras.and_then(read_row)
    else {
        return Extras {
            skus: skus_from(old_skus),
            ..Extras::default()
        };
    };
    let percent = |bp: Option<u32>| bp.map(|basis_points| Percent { basis_points });
    Extras {
        images: images.into_iter().map(full_url).collect(),
        shipping: Shipping {
            dimensions: dimensions.map(|(length_mm, width_mm, height_mm)| Dimensions {
                length_mm,
                width_mm,
                height_mm,
            }),
            dispatch_hours: dispatch,
            perfect_fulfilment_30d: percent(perfect),
            pickup_24h_30d: percent(pickup),
            quality_return_30d: percent(quality),
            delayed_shipping_7d: percent(delayed),
            ..Shipping::default()
        },
        mixed_batch: mixed.map(|(allowed, min_amount_yuan, min_pieces)| MixedBatch {
            allowed: allowed != 0,
            min_amount_yuan,
            min_pieces,
        }),
        warnings,
        skus: match skus {
            Some(rows) => skus_of(rows),
            None => skus_from(old_skus),
        },
    }
}

/// An offer's main picture, from its `source_answer` or its `extras`.
pub(super) fn main_image(extras: Option<&[u8]>, answer: Option<&[u8]>) -> Option<String> {
    if let Some(answer) = answer {
        return answer_offer(answer)?.images.into_iter().next();
    }
    let ExtrasRow(images, ..) = extras.and_then(read_row)?;
    images.into_iter().next().map(full_url)
}

/// A stored answer cleaned again, for its display facts only (the time it was fetched is in
/// the row, not needed here). A search item is cleaned as the search page cleaned it: the
/// answer reader takes a bare item only when it has its price.
fn answer_offer(answer: &[u8]) -> Option<Offer> {
    let text = unpack(answer)?;
    clean_answer_text(&text, DateTime::UNIX_EPOCH)
        .ok()
        .or_else(|| {
            let item = serde_json::from_str(&text).ok()?;
            clean_search_item(&item, DateTime::UNIX_EPOCH).ok()
        })
}

fn read_row(blob: &[u8]) -> Option<ExtrasRow> {
    serde_json::from_str(&unpack(blob)?).ok()
}

/// SKUs as rows from before `extras` keep them; a blob that cannot be read reads as none.
fn skus_from(blob: Option<&[u8]>) -> Vec<Sku> {
    let rows: Vec<SkuRow> = blob
        .and_then(unpack)
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    skus_of(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail() -> Offer {
        let answer: serde_json::Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/query_product_detail.json"
        ))
        .unwrap();
        crate::offer::clean_answer(&answer, chrono::Utc::now()).unwrap()
    }

    #[test]
    fn an_unreadable_warning_costs_only_itself() {
        let row = r#"[["a.jpg"],null,null,null,null,null,null,null,[{"field":"price"},{"field":"moq","problem":"missing"}],null]"#;
        let extras = extras_from(Some(PackedAnswer::pack(row).bytes()), None, None);
        assert_eq!(extras.images, [full_url("a.jpg".into())]);
        assert_eq!(extras.warnings.len(), 1);
        assert_eq!(extras.warnings[0].field, "moq");
    }

    #[test]
    fn tiers_and_extras_read_back_as_written() {
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

        let mut offer = detail();
        offer
            .images
            .push("https://img.alicdn.com/imgextra/i1/x.jpg".into());
        offer.shipping.dimensions = Some(Dimensions {
            length_mm: Some(300),
            width_mm: None,
            height_mm: Some(20),
        });
        offer.shipping.pickup_24h_30d = Some(Percent {
            basis_points: 9_150,
        });
        offer.mixed_batch = Some(MixedBatch {
            allowed: true,
            min_amount_yuan: Some(200),
            min_pieces: None,
        });
        offer.warnings.push(CleanWarning {
            field: "moq".into(),
            problem: "not a number".into(),
            code: "not_a_number".into(),
            params: [("value".to_owned(), "许多".to_owned())].into(),
        });
        offer.skus = vec![
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
                weight_grams: Some(120),
                dimensions: Some(Dimensions {
                    length_mm: Some(200),
                    width_mm: None,
                    height_mm: Some(35),
                }),
            },
            Sku {
                sku_id: "4883012345002".into(),
                spec_id: None,
                specs: Vec::new(),
                price: None,
                stock: None,
                available: true,
                image: None,
                weight_grams: None,
                dimensions: None,
            },
        ];
        assert!(
            offer.images[0].starts_with(IMAGE_PREFIX),
            "{:?}",
            offer.images
        );
        let packed = extras_packed(&offer);
        let text = unpack(packed.bytes()).unwrap();
        assert!(!text.contains(IMAGE_PREFIX), "{text}");
        let read = extras_from(Some(packed.bytes()), None, None);
        assert_eq!(read.images, offer.images);
        assert_eq!(
            read.shipping,
            Shipping {
                origin: None,
                unit_weight_grams: None,
                ..offer.shipping.clone()
            }
        );
        assert_eq!(read.mixed_batch, offer.mixed_batch);
        assert_eq!(read.warnings, offer.warnings);
        assert_eq!(read.skus, offer.skus);
        assert_eq!(
            main_image(Some(packed.bytes()), None),
            offer.images.first().cloned()
        );

        // No SKUs, no pictures: nothing comes back.
        offer.skus.clear();
        offer.images.clear();
        let packed = extras_packed(&offer);
        assert_eq!(
            extras_from(Some(packed.bytes()), None, None).skus,
            Vec::new()
        );
        assert_eq!(main_image(Some(packed.bytes()), None), None);
        assert_eq!(extras_from(None, None, None), Extras::default());
    }

    /// An offer written with its answer keeps no second copy of its display facts: they are
    /// read from the answer, in the offer, the search page and the supplier's list alike. One
    /// written without its answer keeps them in `extras`.
    #[test]
    fn display_facts_are_read_from_the_stored_answer() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = super::super::Store::open(tmp.path().join("pifa.db")).unwrap();
        let text = include_str!("../../tests/fixtures/query_product_detail.json");
        let (cleaned, _) = store
            .import_answers(&[text], chrono::Utc::now())
            .unwrap()
            .remove(0)
            .unwrap();
        assert!(!cleaned.images.is_empty() && !cleaned.skus.is_empty());
        let kept = |store: &super::super::Store| -> Option<Vec<u8>> {
            store
                .conn
                .query_row(
                    "SELECT extras FROM offers WHERE offer_id = ?1",
                    [cleaned.offer_id.as_str()],
                    |r| r.get(0),
                )
                .unwrap()
        };
        assert_eq!(kept(&store), None);
        let read = store.offer(&cleaned.offer_id).unwrap();
        assert_eq!(
            (&read.images, &read.skus, &read.warnings, read.mixed_batch),
            (
                &cleaned.images,
                &cleaned.skus,
                &cleaned.warnings,
                cleaned.mixed_batch
            )
        );
        assert_eq!(read.shipping, cleaned.shipping);
        let page = store
            .search_offers(&super::super::OfferQuery::default())
            .unwrap();
        assert_eq!(page.offers[0].image.as_ref(), cleaned.images.first());
        let supplier = store
            .supplier_id_of_offer(&cleaned.offer_id)
            .unwrap()
            .flatten()
            .unwrap();
        let listed = store.supplier_offers(&supplier).unwrap();
        assert_eq!(listed[0].image.as_ref(), cleaned.images.first());

        // A search item without its price is stored as the search page cleaned it, and reads
        // back the same way.
        let page: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/keyword_query.json")).unwrap();
        let mut item = page["result"]["result"]["data"][0].clone();
        item.as_object_mut().unwrap().remove("priceInfo");
        let item_offer = crate::offer::clean_search_item(&item, chrono::Utc::now()).unwrap();
        assert!(!item_offer.images.is_empty());
        store.save_offer(&item_offer, Some(&item), false).unwrap();
        let read = store.offer(&item_offer.offer_id).unwrap();
        assert_eq!(read.images, item_offer.images);

        // An answer larger than stored answers read back keeps its facts beside it.
        let mut huge: serde_json::Value = serde_json::from_str(text).unwrap();
        huge["padding"] = "x".repeat(crate::protocol::client::MAX_ANSWER_BYTES).into();
        let ready = super::super::ReadyAnswer::new(&huge.to_string(), chrono::Utc::now()).unwrap();
        let huge_id = ready.offer.offer_id.clone();
        store.import_ready(&[&ready]).unwrap().remove(0).unwrap();
        assert!(kept(&store).is_some());
        assert_eq!(store.offer(&huge_id).unwrap().images, ready.offer.images);

        let mut without_answer = cleaned.clone();
        without_answer.images = vec!["https://img.alicdn.com/imgextra/i1/x.jpg".into()];
        store.save_offer(&without_answer, None, false).unwrap();
        assert!(kept(&store).is_some());
        let read = store.offer(&cleaned.offer_id).unwrap();
        assert_eq!(read.images, without_answer.images);
        assert_eq!(read.skus, cleaned.skus);
    }

    #[test]
    fn rows_the_migration_moved_read_the_same() {
        // As the migration writes them: the JSON uncompressed, the SKUs still in `skus`.
        let extras = r#"[["https://cbu01.alicdn.com/img/ibank/a.jpg"],[300,null,20],48,null,9150,null,null,[1,200,null],[],null]"#;
        let skus =
            r#"[["1",null,[["尺码","XL"]],10000,5,1,"https://cbu01.alicdn.com/img/ibank/s.jpg"]]"#;
        let read = extras_from(Some(extras.as_bytes()), Some(skus.as_bytes()), None);
        assert_eq!(read.images, ["https://cbu01.alicdn.com/img/ibank/a.jpg"]);
        assert_eq!(read.shipping.dispatch_hours, Some(48));
        assert_eq!(
            read.shipping.dimensions.map(|d| (d.length_mm, d.width_mm)),
            Some((Some(300), None))
        );
        assert_eq!(
            read.shipping.pickup_24h_30d,
            Some(Percent { basis_points: 9150 })
        );
        assert_eq!(read.mixed_batch.map(|m| m.allowed), Some(true));
        assert_eq!(read.skus[0].specs[0].value, "XL");
        assert_eq!(
            read.skus[0].image.as_deref(),
            Some("https://cbu01.alicdn.com/img/ibank/s.jpg")
        );
        // A compressed `skus` from before reads too.
        let packed = PackedAnswer::pack(skus);
        assert_eq!(extras_from(None, Some(packed.bytes()), None).skus.len(), 1);
    }

    /// A store of the version before `extras`, with offers whose every packed fact is set,
    /// reads back the same offers once upgraded, and its raw answers still recheck.
    #[test]
    fn the_migration_keeps_every_fact_of_stored_offers() {
        use super::super::{create_at_version, Store, USER_MIGRATIONS};
        let tmp = tempfile::tempdir().unwrap();
        let new_path = tmp.path().join("new.db");
        let mut new = Store::open(&new_path).unwrap();
        let fixtures = [
            include_str!("../../tests/fixtures/query_product_detail.json"),
            include_str!("../../tests/fixtures/simple_get.json"),
        ];
        for text in fixtures {
            new.import_answers(&[text], chrono::Utc::now()).unwrap()[0]
                .as_ref()
                .unwrap();
        }
        let ids: Vec<String> = new
            .conn
            .prepare("SELECT offer_id FROM offers ORDER BY offer_id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(ids.len(), 2);
        // What each offer is to read back as: every packed fact set on the first.
        let mut expected = Vec::new();
        for (n, id) in ids.iter().enumerate() {
            let mut offer = new.offer(&crate::OfferId::parse(id).unwrap()).unwrap();
            if n == 0 {
                offer.shipping.dimensions = Some(Dimensions {
                    length_mm: Some(300),
                    width_mm: None,
                    height_mm: Some(20),
                });
                offer.shipping.dispatch_hours = Some(48);
                offer.shipping.perfect_fulfilment_30d = Some(Percent {
                    basis_points: 9_900,
                });
                offer.shipping.pickup_24h_30d = Some(Percent {
                    basis_points: 9_150,
                });
                offer.shipping.quality_return_30d = Some(Percent { basis_points: 12 });
                offer.shipping.delayed_shipping_7d = Some(Percent { basis_points: 0 });
                offer.mixed_batch = Some(MixedBatch {
                    allowed: false,
                    min_amount_yuan: Some(200),
                    min_pieces: None,
                });
                offer.warnings.push(CleanWarning {
                    field: "moq".into(),
                    problem: "not a number".into(),
                    code: "not_a_number".into(),
                    params: [("value".to_owned(), "许多".to_owned())].into(),
                });
            }
            expected.push(offer);
        }
        assert!(expected
            .iter()
            .any(|o| !o.skus.is_empty() && !o.images.is_empty()));
        drop(new);

        let old_path = tmp.path().join("old.db");
        let before_extras = USER_MIGRATIONS
            .iter()
            .position(|sql| sql.contains("ADD COLUMN extras"))
            .unwrap();
        create_at_version(&old_path, before_extras).unwrap();
        let old = rusqlite::Connection::open(&old_path).unwrap();
        old.execute("ATTACH DATABASE ?1 AS new", [new_path.to_str().unwrap()])
            .unwrap();
        let columns: Vec<String> = old
            .prepare(
                "SELECT name FROM pragma_table_info('offers')
                 WHERE name IN (SELECT name FROM pragma_table_info('offers', 'new'))",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let columns = columns.join(", ");
        old.execute_batch(&format!(
            "INSERT INTO suppliers SELECT * FROM new.suppliers;
             INSERT INTO offers ({columns}) SELECT {columns} FROM new.offers ORDER BY rowid;
             INSERT INTO offer_keys SELECT * FROM new.offer_keys;
             INSERT INTO raw_answers SELECT offer_id, source, body, fetched_at FROM new.raw_answers;"
        ))
        .unwrap();
        // The packed facts as that version kept them: JSON columns, and the SKUs' JSON in
        // `skus` (uncompressed, as its migration wrote them).
        for offer in &expected {
            let skus = (!offer.skus.is_empty()).then(|| {
                serde_json::to_string(&skus_of_full(&offer.skus))
                    .unwrap()
                    .into_bytes()
            });
            old.execute(
                "UPDATE offers SET images = ?2, shipping = ?3, warnings = ?4, mixed_batch = ?5,
                     skus = ?6 WHERE offer_id = ?1",
                rusqlite::params![
                    offer.offer_id.as_str(),
                    serde_json::to_string(&offer.images).unwrap(),
                    serde_json::to_string(&offer.shipping).unwrap(),
                    serde_json::to_string(&offer.warnings).unwrap(),
                    offer
                        .mixed_batch
                        .map(|m| serde_json::to_string(&m).unwrap()),
                    skus,
                ],
            )
            .unwrap();
        }
        old.execute_batch("DETACH DATABASE new").unwrap();
        drop(old);

        let mut upgraded = Store::open(&old_path).unwrap();
        upgraded.check_integrity().unwrap();
        for offer in &expected {
            assert_eq!(&upgraded.offer(&offer.offer_id).unwrap(), offer);
        }
        let report = upgraded.recheck(|_| {}).unwrap();
        assert_eq!((report.checked, report.failed), (2, 0));
        // Rechecking rewrites the offers from their answers: the facts the answers carry.
        let first = upgraded.offer(&expected[1].offer_id).unwrap();
        assert_eq!(first.images, expected[1].images);
        assert_eq!(first.skus, expected[1].skus);
    }

    /// SKU rows with full picture addresses, as versions before `extras` kept them.
    fn skus_of_full(skus: &[Sku]) -> Vec<SkuRow> {
        let mut rows = sku_rows(skus);
        for (row, sku) in rows.iter_mut().zip(skus) {
            row.6 = sku.image.clone();
        }
        rows
    }
}
