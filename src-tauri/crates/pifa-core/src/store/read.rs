//! Turning stored rows back into the model.

use chrono::{DateTime, Utc};
use rusqlite::Row;

use crate::offer::tiers::PriceBasis;
use crate::offer::{
    Category, CleanWarning, Offer, OfferId, Percent, QuoteType, Shipping, Sku, SourceApi, Spec,
    Supplier, Tier,
};
use crate::Money;

pub(crate) fn parse_time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

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

fn money(row: &Row<'_>, column: &str) -> rusqlite::Result<Option<Money>> {
    Ok(row.get::<_, Option<i64>>(column)?.map(Money::from_units))
}

fn json<T: serde::de::DeserializeOwned + Default>(
    row: &Row<'_>,
    column: &str,
) -> rusqlite::Result<T> {
    let text: String = row.get(column)?;
    Ok(serde_json::from_str(&text).unwrap_or_default())
}

fn bad_text(e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
}

/// An offer row joined with its supplier row; tiers and SKUs are read separately.
pub(crate) fn offer_from_row(row: &Row<'_>) -> rusqlite::Result<Offer> {
    let supplier = match row.get::<_, Option<String>>("supplier_key")? {
        None => None,
        Some(_) => Some(Supplier {
            name: row.get("name")?,
            login_id: row.get("login_id")?,
            open_id: row.get("open_id")?,
            province: row.get("province")?,
            city: row.get("city")?,
            tp_years: row.get("tp_years")?,
            trust_score_tenths: row.get("trust_score_tenths")?,
            power_merchant: row
                .get::<_, Option<bool>>("power_merchant")?
                .unwrap_or(false),
            super_factory: row
                .get::<_, Option<bool>>("super_factory")?
                .unwrap_or(false),
            manufacturer: row.get::<_, Option<bool>>("manufacturer")?.unwrap_or(false),
            repurchase_rate: row
                .get::<_, Option<u32>>("repurchase_bp")?
                .map(|bp| Percent { basis_points: bp }),
            order_count: row.get("order_count")?,
            response_rate: row
                .get::<_, Option<u32>>("response_bp")?
                .map(|bp| Percent { basis_points: bp }),
        }),
    };
    let category_id: Option<String> = row.get("category_id")?;
    let category_name: Option<String> = row.get("category_name")?;
    let warnings: Vec<CleanWarning> = json(row, "warnings")?;
    Ok(Offer {
        offer_id: OfferId::parse(&row.get::<_, String>("offer_id")?).map_err(bad_text)?,
        title: row.get("title")?,
        title_en: row.get("title_en")?,
        category: (category_id.is_some() || category_name.is_some()).then_some(Category {
            id: category_id,
            name: category_name,
        }),
        images: json(row, "images")?,
        unit: row.get("unit")?,
        moq: row.get("moq")?,
        batch_size: row.get("batch_size")?,
        quote_type: row
            .get::<_, Option<i64>>("quote_type")?
            .and_then(QuoteType::from_code),
        tiers: Vec::new(),
        retail_price: money(row, "retail_price")?,
        listed_price: money(row, "listed_price")?,
        consign_price: money(row, "consign_price")?,
        skus: Vec::new(),
        supplier,
        shipping: Shipping {
            origin: row.get("origin")?,
            unit_weight_grams: row.get("unit_weight_g")?,
        },
        month_sold: row.get("month_sold")?,
        status: row.get("status")?,
        fetched_at: parse_time(&row.get::<_, String>("fetched_at")?),
        source: parse_source(&row.get::<_, String>("source")?),
        warnings,
    })
}

pub(crate) fn tier_from_row(row: &Row<'_>) -> rusqlite::Result<Tier> {
    Ok(Tier {
        min_qty: row.get(0)?,
        price: Money::from_units(row.get(1)?),
    })
}

pub(crate) fn sku_from_row(row: &Row<'_>) -> rusqlite::Result<Sku> {
    let specs: String = row.get(2)?;
    let specs: Vec<Spec> = serde_json::from_str(&specs).unwrap_or_default();
    Ok(Sku {
        sku_id: row.get(0)?,
        spec_id: row.get(1)?,
        specs,
        price: row.get::<_, Option<i64>>(3)?.map(Money::from_units),
        stock: row.get(4)?,
        available: row.get(5)?,
    })
}
