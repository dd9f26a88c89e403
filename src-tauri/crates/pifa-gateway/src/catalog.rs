//! A deterministic generated catalog: the same seed always gives the same offers, in realistic
//! Chinese categories, with titles (and English `subjectTrans`), images, 1–4 tiers, SKUs over one
//! or two spec dimensions, MOQs, units, batch sizes, quoteType 0/1/2, stock and suppliers with
//! their signals. Answers come in the documented shapes with their quirks: string prices in
//! queryProductDetail and keywordQuery, number prices in simple.get.

use serde_json::{json, Value};

/// splitmix64: tiny, fast and stable across versions, which a seeded catalog needs.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `low..high` (`high` exclusive).
    pub fn below(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low).max(1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(0, 100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(0, items.len() as u64) as usize]
    }
}

struct Product {
    zh: &'static str,
    en: &'static str,
    /// Typical wholesale price range in fen.
    fen: (u64, u64),
    unit: &'static str,
}

struct CategoryDef {
    id: u64,
    zh: &'static str,
    products: &'static [Product],
    adjectives: &'static [(&'static str, &'static str)],
    /// Spec dimensions: name and values.
    specs: &'static [(&'static str, &'static [&'static str])],
}

const COLORS: &[&str] = &[
    "白色", "黑色", "红色", "藏青", "灰色", "卡其", "粉色", "天蓝",
];
const SIZES: &[&str] = &["S", "M", "L", "XL", "2XL", "3XL"];

const CATEGORIES: &[CategoryDef] = &[
    CategoryDef {
        id: 127380009,
        zh: "服装",
        products: &[
            Product {
                zh: "纯棉短袖T恤男士",
                en: "men's cotton short-sleeve T-shirt",
                fen: (850, 2800),
                unit: "件",
            },
            Product {
                zh: "女士连衣裙",
                en: "women's dress",
                fen: (2500, 8900),
                unit: "件",
            },
            Product {
                zh: "男士休闲短裤",
                en: "men's casual shorts",
                fen: (1200, 3500),
                unit: "条",
            },
            Product {
                zh: "儿童卫衣",
                en: "kids' hoodie",
                fen: (1800, 4500),
                unit: "件",
            },
            Product {
                zh: "运动袜",
                en: "sports socks",
                fen: (120, 600),
                unit: "双",
            },
        ],
        adjectives: &[
            ("夏季宽松", "summer loose"),
            ("新款韩版", "new Korean style"),
            ("纯色百搭", "plain versatile"),
            ("加厚保暖", "thick warm"),
        ],
        specs: &[("颜色", COLORS), ("尺码", SIZES)],
    },
    CategoryDef {
        id: 1036610,
        zh: "家居日用",
        products: &[
            Product {
                zh: "不锈钢保温杯",
                en: "stainless steel vacuum cup",
                fen: (900, 3900),
                unit: "个",
            },
            Product {
                zh: "桌面收纳盒",
                en: "desktop storage box",
                fen: (350, 1800),
                unit: "个",
            },
            Product {
                zh: "纯棉毛巾",
                en: "cotton towel",
                fen: (280, 1200),
                unit: "条",
            },
            Product {
                zh: "硅胶保鲜盖",
                en: "silicone stretch lids",
                fen: (150, 700),
                unit: "套",
            },
        ],
        adjectives: &[
            ("家用", "household"),
            ("便携", "portable"),
            ("大容量", "large capacity"),
            ("北欧风", "Nordic style"),
        ],
        specs: &[
            ("颜色", COLORS),
            ("规格", &["小号", "中号", "大号", "500ml", "750ml"]),
        ],
    },
    CategoryDef {
        id: 1043351,
        zh: "数码配件",
        products: &[
            Product {
                zh: "Type-C快充数据线",
                en: "USB-C fast charging cable",
                fen: (180, 1500),
                unit: "条",
            },
            Product {
                zh: "手机壳",
                en: "phone case",
                fen: (150, 1200),
                unit: "个",
            },
            Product {
                zh: "氮化镓充电器",
                en: "GaN charger",
                fen: (1900, 6800),
                unit: "个",
            },
            Product {
                zh: "蓝牙耳机",
                en: "Bluetooth earbuds",
                fen: (2500, 9900),
                unit: "副",
            },
        ],
        adjectives: &[
            ("工厂直销", "factory direct"),
            ("跨境专供", "cross-border"),
            ("爆款", "best-selling"),
            ("耐用", "durable"),
        ],
        specs: &[
            ("颜色", &["黑色", "白色", "蓝色"]),
            (
                "型号",
                &["1米", "2米", "iPhone 15", "iPhone 16", "20W", "65W"],
            ),
        ],
    },
    CategoryDef {
        id: 1813,
        zh: "玩具",
        products: &[
            Product {
                zh: "拼装积木",
                en: "building blocks",
                fen: (600, 5900),
                unit: "盒",
            },
            Product {
                zh: "毛绒玩具",
                en: "plush toy",
                fen: (450, 3800),
                unit: "个",
            },
            Product {
                zh: "解压捏捏乐",
                en: "stress relief squishy",
                fen: (60, 450),
                unit: "个",
            },
        ],
        adjectives: &[
            ("益智", "educational"),
            ("卡通", "cartoon"),
            ("网红", "trending"),
        ],
        specs: &[("颜色", COLORS)],
    },
    CategoryDef {
        id: 1031919,
        zh: "五金工具",
        products: &[
            Product {
                zh: "不锈钢自攻螺丝",
                en: "stainless self-tapping screws",
                fen: (3, 40),
                unit: "个",
            },
            Product {
                zh: "活动扳手",
                en: "adjustable wrench",
                fen: (650, 2900),
                unit: "把",
            },
            Product {
                zh: "电工胶带",
                en: "electrical tape",
                fen: (90, 450),
                unit: "卷",
            },
        ],
        adjectives: &[
            ("加硬", "hardened"),
            ("工业级", "industrial"),
            ("国标", "GB standard"),
        ],
        specs: &[("规格", &["M3", "M4", "M5", "M6", "8寸", "10寸", "12寸"])],
    },
];

const PLACES: &[(&str, &[&str])] = &[
    ("浙江", &["义乌", "杭州", "温州", "宁波", "金华"]),
    ("广东", &["广州", "深圳", "东莞", "汕头", "佛山"]),
    ("福建", &["泉州", "晋江", "莆田", "厦门"]),
    ("江苏", &["苏州", "常州", "南通"]),
    ("山东", &["临沂", "青岛"]),
    ("河北", &["保定", "白沟"]),
];

const COMPANY_SUFFIXES: &[&str] = &[
    "服饰有限公司",
    "日用品厂",
    "电子科技有限公司",
    "玩具厂",
    "五金制品有限公司",
    "贸易商行",
];

/// One generated offer, with everything each answer shape needs.
#[derive(Debug, Clone)]
pub struct CatalogOffer {
    pub offer_id: String,
    pub title: String,
    pub title_en: String,
    pub category_id: u64,
    pub category_name: &'static str,
    pub unit: &'static str,
    pub images: Vec<String>,
    pub moq: u64,
    pub batch: u64,
    pub quote_type: u64,
    /// `(start quantity, price in fen)`, rising quantities, falling prices.
    pub tiers: Vec<(u64, u64)>,
    pub retail_fen: Option<u64>,
    pub skus: Vec<CatalogSku>,
    pub supplier: CatalogSupplier,
    pub month_sold: u64,
    pub weight_g: u64,
}

#[derive(Debug, Clone)]
pub struct CatalogSku {
    pub sku_id: String,
    pub spec_id: String,
    pub specs: Vec<(&'static str, &'static str)>,
    pub price_fen: Option<u64>,
    pub stock: u64,
}

#[derive(Debug, Clone)]
pub struct CatalogSupplier {
    pub company: String,
    pub login_id: String,
    pub open_id: String,
    pub province: &'static str,
    pub city: &'static str,
    pub tp_years: u64,
    pub trust_tenths: u64,
    pub power_merchant: bool,
    pub super_factory: bool,
    pub manufacturer: bool,
    pub repurchase_percent: u64,
    pub order_count: u64,
    pub response_percent: u64,
}

#[derive(Debug, Clone)]
pub struct Catalog {
    seed: u64,
    len: u64,
}

fn yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

impl Catalog {
    pub fn new(seed: u64, len: u64) -> Catalog {
        Catalog { seed, len }
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The offer ID at position `index`: 12 digits, like real ones.
    pub fn offer_id(&self, index: u64) -> String {
        format!(
            "{}",
            600_000_000_000u64 + (self.seed % 1000) * 100_000_000 + index
        )
    }

    /// The supplier behind an offer: about one supplier per eight offers.
    fn supplier(&self, index: u64) -> CatalogSupplier {
        let number = index / 8;
        let mut rng = Rng::new(self.seed ^ 0x5u64.wrapping_mul(number + 1).rotate_left(17));
        let (province, cities) = rng.pick(PLACES);
        let city = *rng.pick(cities);
        let manufacturer = rng.chance(45);
        CatalogSupplier {
            company: format!(
                "{city}市{}{}",
                ["鑫", "恒", "盛", "华", "利", "达", "源", "美"][number as usize % 8],
                rng.pick(COMPANY_SUFFIXES)
            ),
            login_id: format!("seller{number:06}"),
            open_id: format!("BBB{:012x}", rng.next_u64() & 0xFFFF_FFFF_FFFF),
            province,
            city,
            tp_years: rng.below(1, 19),
            trust_tenths: rng.below(30, 51),
            power_merchant: rng.chance(30),
            super_factory: manufacturer && rng.chance(20),
            manufacturer,
            repurchase_percent: rng.below(5, 75),
            order_count: if rng.chance(15) {
                rng.below(0, 30)
            } else {
                rng.below(30, 60_000)
            },
            response_percent: rng.below(60, 101),
        }
    }

    pub fn offer(&self, index: u64) -> CatalogOffer {
        let mut rng =
            Rng::new(self.seed.wrapping_mul(0x100_0000_01B3) ^ index.wrapping_mul(0x9E37_79B9));
        let category = rng.pick(CATEGORIES);
        let product = rng.pick(category.products);
        let (adj_zh, adj_en) = *rng.pick(category.adjectives);
        let base = rng.below(product.fen.0, product.fen.1 + 1);
        let moq = *rng.pick(&[1, 2, 3, 5, 10, 20, 50, 100]);
        let quote_type = match rng.below(0, 10) {
            0..=4 => 0,
            5..=6 => 1,
            _ => 2,
        };
        let tier_count = rng.below(1, 5);
        let mut tiers = Vec::new();
        let (mut qty, mut price) = (moq, base);
        for _ in 0..tier_count {
            tiers.push((qty, price.max(1)));
            qty *= *rng.pick(&[3, 5, 10]);
            price = price * rng.below(85, 97) / 100;
        }
        let dims: Vec<&(&str, &[&str])> = match category.specs {
            [one] => vec![one],
            [first, second, ..] if rng.chance(65) => vec![first, second],
            [first, ..] => vec![first],
            [] => vec![],
        };
        let first_values: Vec<&str> = {
            let (_, values) = dims[0];
            let n = rng.below(2, values.len().min(5) as u64 + 1) as usize;
            values[..n].to_vec()
        };
        let second_values: Vec<&str> = dims.get(1).map_or(vec![], |(_, values)| {
            let n = rng.below(2, values.len().min(4) as u64 + 1) as usize;
            values[..n].to_vec()
        });
        let mut skus = Vec::new();
        let offer_id = self.offer_id(index);
        for a in &first_values {
            let seconds: Vec<Option<&str>> = if second_values.is_empty() {
                vec![None]
            } else {
                second_values.iter().map(|v| Some(*v)).collect()
            };
            for b in seconds {
                let n = skus.len() as u64;
                let mut specs = vec![(dims[0].0, *a)];
                if let (Some(b), Some(dim)) = (b, dims.get(1)) {
                    specs.push((dim.0, b));
                }
                skus.push(CatalogSku {
                    sku_id: format!("{}{:03}", &offer_id[3..], n),
                    spec_id: format!("{:x}", rng.next_u64() & 0xFFFF_FFFF),
                    specs,
                    price_fen: (quote_type == 1).then(|| base + rng.below(0, base / 5 + 1)),
                    stock: if rng.chance(8) {
                        0
                    } else {
                        rng.below(10, 50_000)
                    },
                });
            }
        }
        let supplier = self.supplier(index);
        let suffix = ["批发", "厂家直销", "一件代发", "现货"][rng.below(0, 4) as usize];
        CatalogOffer {
            title: format!(
                "{adj_zh}{}{}{suffix}",
                product.zh,
                if rng.chance(30) { " 2026新款 " } else { " " }
            )
            .trim()
            .to_owned(),
            title_en: format!("{adj_en} {}", product.en),
            category_id: category.id,
            category_name: category.zh,
            unit: product.unit,
            images: (0..rng.below(1, 6))
                .map(|i| format!("https://cbu01.alicdn.com/img/ibank/O1CN01{offer_id}_{i}.jpg"))
                .collect(),
            moq,
            batch: if rng.chance(15) {
                *rng.pick(&[2, 5, 10, 12])
            } else {
                1
            },
            quote_type,
            tiers: if quote_type == 1 { Vec::new() } else { tiers },
            retail_fen: rng.chance(60).then(|| base * rng.below(130, 200) / 100),
            skus,
            supplier,
            month_sold: rng.below(0, 20_000),
            weight_g: rng.below(5, 2_000),
            offer_id,
        }
    }

    /// A `queryProductDetail` answer (string prices).
    pub fn query_product_detail(&self, index: u64) -> Value {
        detail_answer(&self.offer(index))
    }

    /// An `alibaba.product.simple.get` answer (number prices, relative image paths).
    pub fn simple_get(&self, index: u64) -> Value {
        simple_get_answer(&self.offer(index))
    }

    /// One `keywordQuery` result item.
    pub fn search_item(&self, index: u64) -> Value {
        search_item(&self.offer(index))
    }

    /// The position of an offer ID in this catalog, if it is one of its offers.
    pub fn index_of(&self, offer_id: &str) -> Option<u64> {
        let number: u64 = offer_id.parse().ok()?;
        let first: u64 = self.offer_id(0).parse().ok()?;
        number.checked_sub(first).filter(|&index| index < self.len)
    }
}

/// The percentage an offer's prices stand above (or below) its base on a given day: a fresh draw
/// in `-max..=max` each day, the same for everyone who asks.
pub fn drift_percent(seed: u64, index: u64, day: i64, max_percent: u32) -> i64 {
    if max_percent == 0 {
        return 0;
    }
    let mut rng = Rng::new(
        seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03)
            ^ (day as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    rng.below(0, 2 * u64::from(max_percent) + 1) as i64 - i64::from(max_percent)
}

impl CatalogOffer {
    /// This offer with every price moved by `percent`, rounded to the fen.
    pub fn drifted(mut self, percent: i64) -> CatalogOffer {
        let scale = |fen: u64| ((fen as i64 * (100 + percent) + 50) / 100).max(1) as u64;
        for tier in &mut self.tiers {
            tier.1 = scale(tier.1);
        }
        for sku in &mut self.skus {
            sku.price_fen = sku.price_fen.map(scale);
        }
        self.retail_fen = self.retail_fen.map(scale);
        self
    }

    /// The lowest wholesale price, in fen.
    pub fn lowest_fen(&self) -> Option<u64> {
        self.tiers
            .iter()
            .map(|t| t.1)
            .chain(self.skus.iter().filter_map(|k| k.price_fen))
            .min()
    }
}

/// A `queryProductDetail` answer (string prices).
pub fn detail_answer(o: &CatalogOffer) -> Value {
    let s = &o.supplier;
    json!({"result": {"success": true, "code": "200", "message": "", "result": {
        "offerId": o.offer_id.parse::<u64>().expect("generated IDs are digits"),
        "subject": o.title,
        "subjectTrans": o.title_en,
        "categoryId": o.category_id,
        "categoryName": o.category_name,
        "productImage": {"images": o.images},
        "productSkuInfos": o.skus.iter().map(|k| json!({
            "skuId": k.sku_id.parse::<u64>().expect("generated IDs are digits"),
            "specId": k.spec_id,
            "price": k.price_fen.map(yuan),
            "amountOnSale": k.stock,
            "skuAttributes": k.specs.iter().map(|(name, value)| json!({"attributeName": name, "value": value})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "productSaleInfo": {
            "priceRangeList": o.tiers.iter().map(|(q, p)| json!({"startQuantity": q, "price": yuan(*p)})).collect::<Vec<_>>(),
            "quoteType": o.quote_type,
            "unitInfo": {"unit": o.unit},
            "retailPrice": o.retail_fen.map(yuan),
        },
        "productShippingInfo": {"sendGoodsAddressText": format!("{}省 {}市", s.province, s.city), "weight": o.weight_g as f64 / 1000.0},
        "minOrderQuantity": o.moq,
        "batchNumber": o.batch,
        "monthSold": o.month_sold,
        "companyName": s.company,
        "sellerOpenId": s.open_id,
        "sellerInfo": {"loginId": s.login_id, "tpYear": s.tp_years, "isPm": s.power_merchant,
            "isSuperFactory": s.super_factory, "isManufacturer": s.manufacturer,
            "province": s.province, "city": s.city},
        "sellerDataInfo": {"compositeServiceScore": format!("{}.{}", s.trust_tenths / 10, s.trust_tenths % 10),
            "repeatPurchasePercent": format!("0.{:02}", s.repurchase_percent),
            "orderCount": s.order_count, "responseRate": format!("{}%", s.response_percent)},
        "status": "published",
    }}})
}

/// An `alibaba.product.simple.get` answer (number prices, relative image paths).
pub fn simple_get_answer(o: &CatalogOffer) -> Value {
    let number = |fen: u64| json!(fen as f64 / 100.0);
    json!({"productInfo": {
            "productID": o.offer_id.parse::<u64>().expect("generated IDs are digits"),
            "subject": o.title,
            "categoryID": o.category_id,
            "categoryName": o.category_name,
            "status": "published",
            "image": {"images": o.images.iter().map(|u| u.trim_start_matches("https://cbu01.alicdn.com/").to_owned()).collect::<Vec<_>>()},
            "skuInfos": o.skus.iter().map(|k| json!({
                "attributes": k.specs.iter().map(|(name, value)| json!({"attributeDisplayName": name, "attributeValue": value})).collect::<Vec<_>>(),
                "amountOnSale": k.stock, "price": k.price_fen.map(number), "skuId": k.sku_id.parse::<u64>().expect("digits"), "specId": k.spec_id,
            })).collect::<Vec<_>>(),
            "saleInfo": {"priceRanges": o.tiers.iter().map(|(q, p)| json!({"startQuantity": q, "price": number(*p)})).collect::<Vec<_>>(),
                "minOrderQuantity": o.moq, "unit": o.unit, "batchNumber": o.batch, "quoteType": o.quote_type,
                "retailprice": o.retail_fen.map(number)},
            "shippingInfo": {"unitWeight": o.weight_g as f64 / 1000.0, "sendGoodsAddressText": format!("{}省 {}市", o.supplier.province, o.supplier.city)},
            "supplierLoginId": o.supplier.login_id,
        }, "errMsg": null})
}

/// One `keywordQuery` result item.
pub fn search_item(o: &CatalogOffer) -> Value {
    json!({"offerId": o.offer_id.parse::<u64>().expect("digits"), "subject": o.title, "subjectTrans": o.title_en,
        "imageUrl": o.images.first(), "priceInfo": {"price": o.lowest_fen().map(yuan)}, "monthSold": o.month_sold,
        "repurchaseRate": format!("{}%", o.supplier.repurchase_percent), "minOrderQuantity": o.moq})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_catalog() {
        let a = Catalog::new(7, 100);
        let b = Catalog::new(7, 100);
        for i in [0, 1, 50, 99] {
            assert_eq!(a.query_product_detail(i), b.query_product_detail(i));
        }
        assert_ne!(
            Catalog::new(8, 100).query_product_detail(3),
            a.query_product_detail(3)
        );
    }

    #[test]
    fn offers_look_like_1688_offers() {
        let catalog = Catalog::new(1, 500);
        let mut quote_types = [0; 3];
        for i in 0..500 {
            let o = catalog.offer(i);
            assert_eq!(o.offer_id.len(), 12);
            assert!(!o.skus.is_empty());
            quote_types[o.quote_type as usize] += 1;
            if o.quote_type == 1 {
                assert!(o.tiers.is_empty() && o.skus.iter().all(|k| k.price_fen.is_some()));
            } else {
                assert!((1..=4).contains(&o.tiers.len()));
                assert!(o
                    .tiers
                    .windows(2)
                    .all(|w| w[0].0 < w[1].0 && w[0].1 >= w[1].1));
                assert_eq!(o.tiers[0].0, o.moq);
            }
        }
        assert!(quote_types.iter().all(|&n| n > 50), "{quote_types:?}");
    }
}
