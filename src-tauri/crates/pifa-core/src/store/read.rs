//! Turning stored rows back into the model.

use rusqlite::Row;

use super::codec::Stamp;
use crate::offer::tiers::PriceBasis;
use crate::offer::{Badges, Category, Offer, OfferId, QuoteType, SourceApi, Supplier};

pub(crate) fn parse_source(text: &str) -> SourceApi {
    SourceApi::parse(text).unwrap_or(SourceApi::KeywordQuery)
}

pub(crate) fn basis_name(basis: PriceBasis) -> &'static str {
    match basis {
        PriceBasis::Tier => "tier",
        PriceBasis::Sku => "sku",
        PriceBasis::LowestSku => "lowestSku",
        PriceBasis::Listed => "listed",
    }
}

pub(crate) fn parse_basis(text: &str) -> Option<PriceBasis> {
    [
        PriceBasis::Tier,
        PriceBasis::Sku,
        PriceBasis::LowestSku,
        PriceBasis::Listed,
    ]
    .into_iter()
    .find(|b| basis_name(*b) == text)
}

fn bad_text(e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
}

/// A supplier row (read from a join with its offer, or alone).
pub(crate) fn supplier_from_row(row: &Row<'_>) -> rusqlite::Result<Supplier> {
    let badges = row
        .get::<_, Option<bool>>("badges_known")?
        .unwrap_or(false)
        .then(|| -> rusqlite::Result<Badges> {
            Ok(Badges {
                power_merchant: row.get("power_merchant")?,
                super_factory: row.get("super_factory")?,
                tp_member: row.get("tp_member")?,
            })
        })
        .transpose()?;
    let scores: Option<String> = row.get("scores")?;
    Ok(Supplier {
        name: row.get("name")?,
        login_id: row.get("login_id")?,
        open_id: row.get("open_id")?,
        province: row.get("province")?,
        city: row.get("city")?,
        tp_years: row.get("tp_years")?,
        badges,
        trade_medal_level: row.get("trade_medal")?,
        scores: scores
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default(),
        repurchase_rate: row.get("repurchase_bp")?,
        pickup_48h_rate: row.get("pickup_48h_bp")?,
        quality_refund_rate: row.get("quality_refund_bp")?,
    })
}

/// An offer row joined with its supplier row, whole: what is kept packed in the row or read
/// from its answer (tiers, SKUs, pictures and the rest, see `store/parts.rs`) included.
pub(crate) fn whole_offer_from_row(row: &Row<'_>) -> rusqlite::Result<Offer> {
    let supplier = match row.get::<_, Option<String>>("supplier_key")? {
        None => None,
        Some(_) => Some(supplier_from_row(row)?),
    };
    let category_id: Option<String> = row.get("category_id")?;
    let category_name: Option<String> = row.get("category_name")?;
    let extras = super::parts::extras_from(
        blob(row, "extras")?,
        blob(row, "skus")?,
        blob(row, "source_answer")?,
    );
    let mut shipping = extras.shipping;
    shipping.origin = row.get("origin")?;
    shipping.unit_weight_grams = row.get("unit_weight_g")?;
    Ok(Offer {
        offer_id: OfferId::parse(&row.get::<_, String>("offer_id")?).map_err(bad_text)?,
        title: row.get("title")?,
        title_en: row.get("title_en")?,
        category: (category_id.is_some() || category_name.is_some()).then_some(Category {
            id: category_id,
            name: category_name,
        }),
        images: extras.images,
        unit: row.get("unit")?,
        moq: row.get("moq")?,
        batch_size: row.get("batch_size")?,
        quote_type: row
            .get::<_, Option<i64>>("quote_type")?
            .and_then(QuoteType::from_code),
        tiers: super::parts::tiers_from(&row.get::<_, String>("tiers")?),
        retail_price: row.get("retail_price")?,
        listed_price: row.get("listed_price")?,
        consign_price: row.get("consign_price")?,
        skus: extras.skus,
        supplier,
        shipping,
        month_sold: row.get("month_sold")?,
        sold_count: row.get("sold_count")?,
        repurchase_rate: row.get("offer_repurchase_bp")?,
        trade_score_tenths: row.get("trade_score_tenths")?,
        mixed_batch: extras.mixed_batch,
        one_piece_dropship: row.get("one_piece_dropship")?,
        status: row.get("status")?,
        listed_at: row.get::<_, Option<Stamp>>("listed_at")?.map(|at| at.0),
        fetched_at: row.get::<_, Stamp>("fetched_at")?.0,
        source: parse_source(&row.get::<_, String>("source")?),
        warnings: extras.warnings,
    })
}

/// A blob column (or `NULL`); the migration that made one wrote text, read as its bytes.
pub(crate) fn blob<'r>(row: &'r Row<'_>, column: &str) -> rusqlite::Result<Option<&'r [u8]>> {
    match row.get_ref(column)? {
        rusqlite::types::ValueRef::Text(bytes) => Ok(Some(bytes)),
        value => value.as_blob_or_null().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Blob, Box::new(e))
        }),
    }
}
