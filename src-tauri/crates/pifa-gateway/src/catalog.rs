//! A deterministic generated catalog: the same seed always gives the same offers, in realistic
//! Chinese categories, with titles (and English `subjectTrans`), images, 1–4 tiers, SKUs over one
//! or two spec dimensions, MOQs, units, batch sizes, quoteType 0/1/2, stock, shipping data and
//! suppliers with their signals.
//!
//! Answers take the shapes documented in `shared/docs/1688-answers.md` (§2.3–2.4 for search items,
//! §3 for details), with the irregularities of §1 drawn per answer from the seed: prices written
//! `"1.70"`, `"14.9"` or `"10"`; `message` left out on success; Java `class` keys on every object;
//! `onePsale` for `isOnePsale`; URL-encoded `traceInfo`; string `skuId`s where the doc declares
//! strings. Null fields are left out, as 1688 does. A supplier is generated once, so its badges
//! and scores agree between its search items and its details.

use std::sync::OnceLock;

use serde_json::{json, Map, Value};

use crate::clock::{beijing_time, DAY_MS};

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
        low + self.next_u64() % high.saturating_sub(low).max(1)
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
    /// Second- and third-level category: id and name.
    second: (u64, &'static str),
    third: (u64, &'static str),
}

const fn product(
    zh: &'static str,
    en: &'static str,
    fen: (u64, u64),
    unit: &'static str,
    second: (u64, &'static str),
    third: (u64, &'static str),
) -> Product {
    Product {
        zh,
        en,
        fen,
        unit,
        second,
        third,
    }
}

struct CategoryDef {
    top: (u64, &'static str),
    products: &'static [Product],
    adjectives: &'static [(&'static str, &'static str)],
    /// Spec dimensions: name and values.
    specs: &'static [(&'static str, &'static [&'static str])],
    materials: &'static [&'static str],
}

/// The catalog's five top-level categories, `(id, 一级类目)`, as `topCategoryId` carries them
/// and keywordQuery's `categoryId` / `categoryIdList` take them:
///
/// | id | top | second-level (id) → third-level (id) |
/// |---|---|---|
/// | 127380009 | 服装 | 男装 (10165) → T恤 (127380010), 休闲裤 (127380012); 女装 (10166) → 连衣裙 (127380011); 童装 (311) → 卫衣 (127380013); 袜子 (1042954) → 运动袜 (127380014) |
/// | 1036610 | 家居日用 | 餐饮具 (1036611) → 保温杯 (1036612), 保鲜盖 (1036613); 收纳整理 (1036620) → 收纳盒 (1036621); 家纺 (1036630) → 毛巾 (1036631) |
/// | 1043351 | 数码配件 | 手机配件 (1043352) → 数据线 (1043353), 手机壳 (1043354), 充电器 (1043355); 影音配件 (1043360) → 蓝牙耳机 (1043361) |
/// | 1813 | 玩具 | 益智玩具 (181301) → 积木 (181302); 毛绒布艺 (181310) → 毛绒玩具 (181311); 解压玩具 (181320) → 捏捏乐 (181321) |
/// | 1031919 | 五金工具 | 紧固件 (1031920) → 螺丝 (1031921); 手动工具 (1031930) → 扳手 (1031931); 电工用品 (1031940) → 绝缘胶带 (1031941) |
///
/// A detail's `categoryId`/`categoryName` is the third-level (leaf) category. The ids are the
/// double's own: stable across seeds and versions, but not 1688's.
pub fn categories() -> &'static [(u64, &'static str)] {
    &TOP_CATEGORIES
}

/// Every second- and third-level category of [`categories`]: `(id, parent id, name)`.
pub fn subcategories() -> &'static [(u64, u64, &'static str)] {
    static TABLE: OnceLock<Vec<(u64, u64, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: Vec<(u64, u64, &'static str)> = Vec::new();
        for category in CATEGORIES {
            for p in category.products {
                for row in [
                    (p.second.0, category.top.0, p.second.1),
                    (p.third.0, p.second.0, p.third.1),
                ] {
                    if !table.iter().any(|known| known.0 == row.0) {
                        table.push(row);
                    }
                }
            }
        }
        table
    })
}

const TOP_CATEGORIES: [(u64, &str); 5] = [
    (127_380_009, "服装"),
    (1_036_610, "家居日用"),
    (1_043_351, "数码配件"),
    (1_813, "玩具"),
    (1_031_919, "五金工具"),
];

const COLORS: &[&str] = &[
    "白色", "黑色", "红色", "藏青", "灰色", "卡其", "粉色", "天蓝",
];
const SIZES: &[&str] = &["S", "M", "L", "XL", "2XL", "3XL"];

const MENSWEAR: (u64, &str) = (10165, "男装");
const DINING: (u64, &str) = (1_036_611, "餐饮具");
const PHONE_PARTS: (u64, &str) = (1_043_352, "手机配件");

const CATEGORIES: &[CategoryDef] = &[
    CategoryDef {
        top: TOP_CATEGORIES[0],
        products: &[
            product(
                "纯棉短袖T恤男士",
                "men's cotton short-sleeve T-shirt",
                (850, 2800),
                "件",
                MENSWEAR,
                (127_380_010, "T恤"),
            ),
            product(
                "女士连衣裙",
                "women's dress",
                (2500, 8900),
                "件",
                (10166, "女装"),
                (127_380_011, "连衣裙"),
            ),
            product(
                "男士休闲短裤",
                "men's casual shorts",
                (1200, 3500),
                "条",
                MENSWEAR,
                (127_380_012, "休闲裤"),
            ),
            product(
                "儿童卫衣",
                "kids' hoodie",
                (1800, 4500),
                "件",
                (311, "童装"),
                (127_380_013, "卫衣"),
            ),
            product(
                "运动袜",
                "sports socks",
                (120, 600),
                "双",
                (1_042_954, "袜子"),
                (127_380_014, "运动袜"),
            ),
        ],
        adjectives: &[
            ("夏季宽松", "summer loose"),
            ("新款韩版", "new Korean style"),
            ("纯色百搭", "plain versatile"),
            ("加厚保暖", "thick warm"),
        ],
        specs: &[("颜色", COLORS), ("尺码", SIZES)],
        materials: &["纯棉", "涤纶", "莫代尔"],
    },
    CategoryDef {
        top: TOP_CATEGORIES[1],
        products: &[
            product(
                "不锈钢保温杯",
                "stainless steel vacuum cup",
                (900, 3900),
                "个",
                DINING,
                (1_036_612, "保温杯"),
            ),
            product(
                "桌面收纳盒",
                "desktop storage box",
                (350, 1800),
                "个",
                (1_036_620, "收纳整理"),
                (1_036_621, "收纳盒"),
            ),
            product(
                "纯棉毛巾",
                "cotton towel",
                (280, 1200),
                "条",
                (1_036_630, "家纺"),
                (1_036_631, "毛巾"),
            ),
            product(
                "硅胶保鲜盖",
                "silicone stretch lids",
                (150, 700),
                "套",
                DINING,
                (1_036_613, "保鲜盖"),
            ),
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
        materials: &["304不锈钢", "PP", "硅胶", "纯棉"],
    },
    CategoryDef {
        top: TOP_CATEGORIES[2],
        products: &[
            product(
                "Type-C快充数据线",
                "USB-C fast charging cable",
                (180, 1500),
                "条",
                PHONE_PARTS,
                (1_043_353, "数据线"),
            ),
            product(
                "手机壳",
                "phone case",
                (150, 1200),
                "个",
                PHONE_PARTS,
                (1_043_354, "手机壳"),
            ),
            product(
                "氮化镓充电器",
                "GaN charger",
                (1900, 6800),
                "个",
                PHONE_PARTS,
                (1_043_355, "充电器"),
            ),
            product(
                "蓝牙耳机",
                "Bluetooth earbuds",
                (2500, 9900),
                "副",
                (1_043_360, "影音配件"),
                (1_043_361, "蓝牙耳机"),
            ),
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
        materials: &["TPU", "ABS", "铝合金"],
    },
    CategoryDef {
        top: TOP_CATEGORIES[3],
        products: &[
            product(
                "拼装积木",
                "building blocks",
                (600, 5900),
                "盒",
                (181_301, "益智玩具"),
                (181_302, "积木"),
            ),
            product(
                "毛绒玩具",
                "plush toy",
                (450, 3800),
                "个",
                (181_310, "毛绒布艺"),
                (181_311, "毛绒玩具"),
            ),
            product(
                "解压捏捏乐",
                "stress relief squishy",
                (60, 450),
                "个",
                (181_320, "解压玩具"),
                (181_321, "捏捏乐"),
            ),
        ],
        adjectives: &[
            ("益智", "educational"),
            ("卡通", "cartoon"),
            ("网红", "trending"),
        ],
        specs: &[("颜色", COLORS)],
        materials: &["ABS", "PP棉", "TPR"],
    },
    CategoryDef {
        top: TOP_CATEGORIES[4],
        products: &[
            product(
                "不锈钢自攻螺丝",
                "stainless self-tapping screws",
                (3, 40),
                "个",
                (1_031_920, "紧固件"),
                (1_031_921, "螺丝"),
            ),
            product(
                "活动扳手",
                "adjustable wrench",
                (650, 2900),
                "把",
                (1_031_930, "手动工具"),
                (1_031_931, "扳手"),
            ),
            product(
                "电工胶带",
                "electrical tape",
                (90, 450),
                "卷",
                (1_031_940, "电工用品"),
                (1_031_941, "绝缘胶带"),
            ),
        ],
        adjectives: &[
            ("加硬", "hardened"),
            ("工业级", "industrial"),
            ("国标", "GB standard"),
        ],
        specs: &[("规格", &["M3", "M4", "M5", "M6", "8寸", "10寸", "12寸"])],
        materials: &["碳钢", "不锈钢", "PVC"],
    },
];

/// The double's English for the Chinese words it generates; anything else reads the same.
const ENGLISH: &[(&str, &str)] = &[
    ("白色", "White"),
    ("黑色", "Black"),
    ("红色", "Red"),
    ("藏青", "Navy"),
    ("灰色", "Grey"),
    ("卡其", "Khaki"),
    ("粉色", "Pink"),
    ("天蓝", "Sky blue"),
    ("蓝色", "Blue"),
    ("小号", "Small"),
    ("中号", "Medium"),
    ("大号", "Large"),
    ("1米", "1 m"),
    ("2米", "2 m"),
    ("8寸", "8 inch"),
    ("10寸", "10 inch"),
    ("12寸", "12 inch"),
    ("颜色", "Color"),
    ("尺码", "Size"),
    ("规格", "Specification"),
    ("型号", "Model"),
    ("件", "Piece"),
    ("条", "Piece"),
    ("双", "Pair"),
    ("个", "Piece"),
    ("套", "Set"),
    ("副", "Pair"),
    ("盒", "Box"),
    ("把", "Piece"),
    ("卷", "Roll"),
    ("品牌", "Brand"),
    ("其他", "Other"),
    ("材质", "Material"),
    ("产地", "Place of origin"),
    ("货号", "Item number"),
    ("纯棉", "Cotton"),
    ("涤纶", "Polyester"),
    ("莫代尔", "Modal"),
    ("304不锈钢", "304 stainless steel"),
    ("硅胶", "Silicone"),
    ("铝合金", "Aluminium alloy"),
    ("PP棉", "PP cotton"),
    ("碳钢", "Carbon steel"),
    ("不锈钢", "Stainless steel"),
];

fn english(zh: &'static str) -> &'static str {
    ENGLISH
        .iter()
        .find(|(z, _)| *z == zh)
        .map_or(zh, |(_, en)| en)
}

/// `skuAttributes[].attributeId` per spec dimension (a number there; `productAttribute` ids
/// are strings).
fn spec_attribute_id(name: &str) -> u64 {
    match name {
        "颜色" => 3216,
        "尺码" => 450,
        "型号" => 100_019_517,
        _ => 1_627_207,
    }
}

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

/// The statuses of offers that are no longer buyable (§3.3; the spaces are 1688's).
pub const DELISTED_STATUSES: &[&str] = &["expired", "member expired", "auto expired", "deleted"];

/// The largest catalog: enough for any test or demo, and offer IDs stay 12 digits.
pub const MAX_OFFERS: u64 = 1_000_000;

/// 2026-09-01, the day a catalog's listing dates count back from unless it is anchored to a
/// running double's clock.
const DEFAULT_ANCHOR_DAY: i64 = 20_697;

/// One generated offer, with everything each answer shape needs.
#[derive(Debug, Clone)]
pub struct CatalogOffer {
    pub offer_id: String,
    pub title: String,
    pub title_en: String,
    pub top_category_id: u64,
    pub second_category_id: u64,
    /// The leaf (third-level) category, as a detail's `categoryId`/`categoryName` give it.
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
    /// Pieces sold in the last 30 days (search `monthSold`) and in all (detail `soldOut`).
    pub month_sold: u64,
    pub sold_out: u64,
    pub sales_7d: u64,
    pub weight_g: u64,
    /// Package length, width and height in millimetres.
    pub size_mm: (u64, u64, u64),
    /// `published`, or one of [`DELISTED_STATUSES`].
    pub status: &'static str,
    pub one_psale: bool,
    pub jxhy: bool,
    pub select: bool,
    /// 严选 (`yx` among search `offerIdentities`).
    pub yx: bool,
    pub patent: bool,
    pub plus_promotion: bool,
    pub no_reason_return_7d: bool,
    /// The dispatch promise in hours: 24 or 48, if any.
    pub ship_within_hours: Option<u32>,
    /// Ships the same day (some of the 24-hour offers; no answer field says so).
    pub ships_today: bool,
    /// Dropship from one piece with free shipping.
    pub one_piece_free_postage: bool,
    pub shipping: ShippingRates,
    /// The offer's repeat-purchase rate in whole percent (search `repurchaseRate`).
    pub repurchase_percent: u64,
    /// Product trade score, 0–5 in tenths.
    pub trade_score_tenths: u64,
    /// Days since 1970-01-01 of listing and of the last change.
    pub created_day: i64,
    pub modified_day: i64,
    pub cargo_number: String,
    pub material: &'static str,
    /// Seeds the way this offer's answers are dressed (notations, irregularities).
    pub quirks: u64,
}

/// 30- and 7-day fulfilment rates of one offer, in hundredths of a percent.
#[derive(Debug, Clone)]
pub struct ShippingRates {
    pub perfect_30d: u64,
    pub pickup_24h_30d: u64,
    pub quality_return_30d: u64,
    pub perfect_7d: u64,
    pub pickup_24h_7d: u64,
    pub delayed_7d: u64,
}

#[derive(Debug, Clone)]
pub struct CatalogSku {
    pub sku_id: String,
    /// 32 hex digits, as 1688's are.
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
    /// Years as 诚信通 member (search `tpYear`).
    pub tp_years: u64,
    pub manufacturer: bool,
    /// The badges: 超级工厂 `super_factory`, 实力商家 `powerful_merchants`, 诚信通 `tp_member`.
    pub super_factory: bool,
    pub powerful_merchant: bool,
    pub tp_member: bool,
    pub trade_medal: u64,
    /// 0–5 scores in tenths: composite, logistics, dispute, offer, consulting, after-sales.
    pub scores: [u64; 6],
    /// The seller's repeat-purchase rate in hundredths of a percent.
    pub repeat_purchase_bp: u64,
    /// The 30-day 48-hour pickup rate in hundredths of a percent.
    pub pickup_48h_bp: u64,
    /// The 30-day quality refund rate in tenths of a percent.
    pub quality_refund_tenths: u64,
    /// Mixed batches (混批): the minimum amount in yuan and pieces, if the seller allows them.
    pub mix: Option<(u64, u64)>,
}

impl CatalogSupplier {
    /// The badges as search items carry them (`sellerIdentities`).
    pub fn identity_codes(&self) -> Vec<&'static str> {
        [
            (self.super_factory, "super_factory"),
            (self.powerful_merchant, "powerful_merchants"),
            (self.tp_member, "tp_member"),
        ]
        .into_iter()
        .filter_map(|(has, code)| has.then_some(code))
        .collect()
    }

    /// The badges as details carry them (`offerIdentities`): Chinese words.
    pub fn identity_words(&self) -> Vec<&'static str> {
        [
            (self.super_factory, "超级工厂"),
            (self.powerful_merchant, "实力商家"),
            (self.tp_member, "诚信通"),
        ]
        .into_iter()
        .filter_map(|(has, word)| has.then_some(word))
        .collect()
    }
}

#[derive(Debug, Clone)]
pub struct Catalog {
    seed: u64,
    len: u64,
    anchor_day: i64,
}

impl Catalog {
    pub fn new(seed: u64, len: u64) -> Catalog {
        Catalog::anchored(seed, len, DEFAULT_ANCHOR_DAY)
    }

    /// A catalog whose offers were listed up to `day` (days since 1970-01-01): a running double
    /// anchors it to its start, so "listed in the last 7 days" means something.
    pub fn anchored(seed: u64, len: u64, day: i64) -> Catalog {
        Catalog {
            seed,
            len: len.min(MAX_OFFERS),
            anchor_day: day,
        }
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
            (600_000_000_000u64 + (self.seed % 1000) * 100_000_000).saturating_add(index)
        )
    }

    /// The supplier behind an offer: about one supplier per eight offers.
    fn supplier(&self, index: u64) -> CatalogSupplier {
        let number = index / 8;
        let mut rng = Rng::new(self.seed ^ 0x5u64.wrapping_mul(number + 1).rotate_left(17));
        let (province, cities) = rng.pick(PLACES);
        let city = *rng.pick(cities);
        let manufacturer = rng.chance(45);
        let company = format!(
            "{city}市{}{}",
            ["鑫", "恒", "盛", "华", "利", "达", "源", "美"][number as usize % 8],
            rng.pick(COMPANY_SUFFIXES)
        );
        let open_id = format!("BBB{:012x}", rng.next_u64() & 0xFFFF_FFFF_FFFF);
        let tp_years = rng.below(1, 19);
        let super_factory = manufacturer && rng.chance(20);
        // Most super factories are also 实力商家.
        let powerful_merchant = rng.chance(if super_factory { 80 } else { 12 });
        let tp_member = rng.chance(8);
        let composite = rng.below(30, 51);
        // The other scores sit around the composite one.
        let around = |rng: &mut Rng| (composite + rng.below(0, 7)).saturating_sub(3).min(50);
        let scores = [
            composite,
            around(&mut rng),
            around(&mut rng),
            around(&mut rng),
            around(&mut rng),
            around(&mut rng),
        ];
        CatalogSupplier {
            company,
            login_id: format!("seller{number:06}"),
            open_id,
            province,
            city,
            tp_years,
            manufacturer,
            super_factory,
            powerful_merchant,
            tp_member,
            trade_medal: rng.below(1, 6),
            scores,
            repeat_purchase_bp: rng.below(500, 7_500),
            pickup_48h_bp: if rng.chance(40) {
                10_000
            } else {
                rng.below(8_500, 10_000)
            },
            quality_refund_tenths: if rng.chance(30) { 0 } else { rng.below(1, 60) },
            mix: rng
                .chance(60)
                .then(|| (*rng.pick(&[50, 100, 200, 500]), *rng.pick(&[2, 3, 5, 10]))),
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
        let first_values: Vec<&str> = dims.first().map_or(vec![], |(_, values)| {
            let n = rng.below(2, values.len().min(5) as u64 + 1) as usize;
            values[..n.min(values.len())].to_vec()
        });
        let second_values: Vec<&str> = dims.get(1).map_or(vec![], |(_, values)| {
            let n = rng.below(2, values.len().min(4) as u64 + 1) as usize;
            values[..n.min(values.len())].to_vec()
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
                let spec = rng.next_u64();
                skus.push(CatalogSku {
                    sku_id: format!("{}{:03}", &offer_id[3..], n),
                    spec_id: format!("{spec:016x}{:016x}", Rng::new(spec).next_u64()),
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
        let title = format!(
            "{adj_zh}{}{}{suffix}",
            product.zh,
            if rng.chance(30) { " 2026新款 " } else { " " }
        )
        .trim()
        .to_owned();
        let images = (0..rng.below(1, 6))
            .map(|i| format!("https://cbu01.alicdn.com/img/ibank/O1CN01{offer_id}_{i}.jpg"))
            .collect();
        let batch = if rng.chance(15) {
            *rng.pick(&[2, 5, 10, 12])
        } else {
            1
        };
        let retail_fen = rng.chance(60).then(|| base * rng.below(130, 200) / 100);
        let month_sold = rng.below(0, 20_000);
        let weight_g = rng.below(5, 2_000);

        // Drawn from a generator of their own, so the fields above stay what they were.
        let mut more = Rng::new(rng.next_u64() ^ 0x0FFE_5EED);
        let status = if more.chance(2) {
            *more.pick(DELISTED_STATUSES)
        } else {
            "published"
        };
        let age = match more.below(0, 100) {
            0..=4 => more.below(0, 7),
            5..=14 => more.below(7, 30),
            _ => more.below(30, 900),
        };
        let created_day = self.anchor_day - age as i64;
        let modified_day = created_day + more.below(0, age + 1) as i64;
        let ship_within_hours = match more.below(0, 10) {
            0..=3 => Some(24),
            4..=6 => Some(48),
            _ => None,
        };
        let rate = |more: &mut Rng, low: u64, zero_percent: u64| {
            if more.chance(zero_percent) {
                0
            } else {
                more.below(low, 10_001)
            }
        };
        let shipping = ShippingRates {
            perfect_30d: rate(&mut more, 9_000, 3),
            pickup_24h_30d: rate(&mut more, 8_500, 3),
            quality_return_30d: if more.chance(35) {
                0
            } else {
                more.below(1, 600)
            },
            perfect_7d: rate(&mut more, 9_000, 8),
            pickup_24h_7d: rate(&mut more, 8_500, 8),
            delayed_7d: if more.chance(50) {
                0
            } else {
                more.below(1, 1_500)
            },
        };
        let side = |more: &mut Rng| more.below(50, 400);
        let size_mm = (side(&mut more), side(&mut more), side(&mut more));
        let material = *more.pick(category.materials);
        let one_psale = more.chance(55);
        let one_piece_free_postage = one_psale && more.chance(50);
        let ships_today = ship_within_hours == Some(24) && more.chance(40);
        CatalogOffer {
            title,
            title_en: format!("{adj_en} {}", product.en),
            top_category_id: category.top.0,
            second_category_id: product.second.0,
            category_id: product.third.0,
            category_name: product.third.1,
            unit: product.unit,
            images,
            moq,
            batch,
            quote_type,
            tiers: if quote_type == 1 { Vec::new() } else { tiers },
            retail_fen,
            skus,
            supplier,
            month_sold,
            sold_out: month_sold * more.below(3, 40) + more.below(0, 1_000),
            sales_7d: month_sold * more.below(15, 35) / 100,
            weight_g,
            size_mm,
            status,
            one_psale,
            one_piece_free_postage,
            ships_today,
            jxhy: more.chance(10),
            select: more.chance(15),
            yx: more.chance(10),
            patent: more.chance(5),
            plus_promotion: more.chance(10),
            no_reason_return_7d: more.chance(70),
            ship_within_hours,
            shipping,
            repurchase_percent: more.below(0, 60),
            trade_score_tenths: more.below(35, 51),
            created_day,
            modified_day,
            cargo_number: format!("{}-{}", product.third.0 % 1000, more.below(100, 10_000)),
            material,
            quirks: more.next_u64(),
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

    /// A detail answer of either shape, one in three `simple.get`: what benchmarks store to
    /// have both shapes as 1688 sends them.
    pub fn detail_of_either_shape(&self, index: u64) -> Value {
        if index % 3 == 0 {
            self.simple_get(index)
        } else {
            self.query_product_detail(index)
        }
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

/// `fen` moved by `percent`, rounded to the fen, never below one fen.
pub fn drift_fen(fen: u64, percent: i64) -> u64 {
    let scaled = (i128::from(fen) * i128::from(100 + percent) + 50) / 100;
    u64::try_from(scaled.max(1)).unwrap_or(u64::MAX)
}

impl CatalogOffer {
    /// This offer with every price moved by `percent`, rounded to the fen.
    pub fn drifted(mut self, percent: i64) -> CatalogOffer {
        for tier in &mut self.tiers {
            tier.1 = drift_fen(tier.1, percent);
        }
        for sku in &mut self.skus {
            sku.price_fen = sku.price_fen.map(|fen| drift_fen(fen, percent));
        }
        self.retail_fen = self.retail_fen.map(|fen| drift_fen(fen, percent));
        self
    }

    /// The lowest wholesale price, in fen: what search lists as `priceInfo.price`.
    pub fn lowest_fen(&self) -> Option<u64> {
        self.tiers
            .iter()
            .map(|t| t.1)
            .chain(self.skus.iter().filter_map(|k| k.price_fen))
            .min()
    }

    pub fn is_published(&self) -> bool {
        self.status == "published"
    }

    fn id_number(&self) -> u64 {
        self.offer_id.parse().unwrap_or_default()
    }

    pub(crate) fn white_image(&self) -> Option<String> {
        (self.quirks % 3 != 0).then(|| {
            format!(
                "https://cbu01.alicdn.com/img/ibank/O1CN01{}_w.jpg",
                self.offer_id
            )
        })
    }

    fn promotion_url(&self) -> String {
        format!(
            "https://detail.1688.com/offer/{}.html?fromkv=refer:{:X}",
            self.offer_id, self.quirks
        )
    }

    fn trace_info(&self, out_member: Option<&str>, encoded: bool) -> String {
        let mut plain = format!(
            "object_id@{}^object_type@offer^trace@{:x}",
            self.offer_id, self.quirks
        );
        if let Some(member) = out_member.filter(|m| !m.is_empty()) {
            plain.push_str("^outMemberId@");
            plain.push_str(member);
        }
        if encoded {
            form_urlencoded::byte_serialize(plain.as_bytes()).collect()
        } else {
            plain
        }
    }

    fn date(&self, day: i64) -> String {
        // A time of day of its own, fixed per offer.
        let seconds = (self.quirks % 86_400) as i64;
        beijing_time(day.saturating_mul(DAY_MS).saturating_add(seconds * 1000))
    }
}

/// A yuan amount as 1688 writes it, the notation drawn per value: `"1.70"`, `"14.9"` or `"10"`.
fn yuan(fen: u64, dress: &mut Rng) -> String {
    let fixed = format!("{}.{:02}", fen / 100, fen % 100);
    if dress.chance(50) {
        fixed
    } else {
        fixed.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// A 0–5 score from tenths: `"4.5"`, `"5.0"`.
fn score(tenths: u64) -> String {
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// `units / 10^scale` with no trailing zeros: `(9800, 4)` → `"0.98"`, `(10000, 4)` → `"1"`.
fn decimal(units: u64, scale: u32) -> String {
    let unit = 10u64.pow(scale);
    let fixed = format!(
        "{}.{:0width$}",
        units / unit,
        units % unit,
        width = scale as usize
    );
    fixed.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A rate in hundredths of a percent as `"99.12%"`; keywordQuery sends 0 as `""` at times
/// ("空值代表0").
fn percent(hundredths: u64, dress: &mut Rng) -> String {
    if hundredths == 0 && dress.chance(50) {
        String::new()
    } else {
        format!("{}.{:02}%", hundredths / 100, hundredths % 100)
    }
}

fn kg(grams: u64) -> f64 {
    grams as f64 / 1000.0
}

fn cm(millimetres: u64) -> f64 {
    millimetres as f64 / 10.0
}

/// The badge words of a detail's `offerIdentities`, joined by `,` or `，` or split over
/// elements, as the doc example mixes them.
fn identity_words(words: &[&str], dress: &mut Rng) -> Vec<String> {
    let mut elements: Vec<String> = Vec::new();
    for word in words {
        match (elements.last_mut(), dress.below(0, 3)) {
            (Some(last), 1) => {
                last.push(',');
                last.push_str(word);
            }
            (Some(last), 2) => {
                last.push('，');
                last.push_str(word);
            }
            _ => elements.push((*word).to_owned()),
        }
    }
    elements
}

/// Drops the null fields: 1688 leaves unset fields out (§1.4).
fn omit_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(omit_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(omit_nulls),
        _ => {}
    }
}

/// The Java class of the objects under `key`, as the real capture names them (§2.6).
fn class_for(key: &str) -> String {
    let name = match key {
        "data" => "ProductInfoModel".to_owned(),
        _ => {
            let singular = key
                .strip_suffix("List")
                .or_else(|| key.strip_suffix('s'))
                .unwrap_or(key);
            let mut chars = singular.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        }
    };
    format!("com.alibaba.cbu.offer.model.{name}")
}

/// Adds a `class` key to every object below `value`, named after the key that holds it.
fn add_class_keys(value: &mut Value, class: &str) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                add_class_keys(child, &class_for(key));
            }
            map.insert("class".into(), json!(class));
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| add_class_keys(item, class)),
        _ => {}
    }
}

/// A successful answer `{"result": {success, code, message, result}}`, dressed per §1: null
/// fields left out, `message` omitted on half of them and `class` keys (the payload's named
/// `payload_class`) on one in ten.
pub(crate) fn success_envelope(
    mut payload: Value,
    message: &str,
    payload_class: &str,
    dress: &mut Rng,
) -> Value {
    omit_nulls(&mut payload);
    let mut envelope = Map::new();
    envelope.insert("success".into(), json!(true));
    envelope.insert("code".into(), json!("200"));
    if dress.chance(50) {
        envelope.insert("message".into(), json!(message));
    }
    if dress.chance(10) {
        add_class_keys(
            &mut payload,
            &format!("com.alibaba.cbu.offer.model.{payload_class}"),
        );
        envelope.insert(
            "class".into(),
            json!("com.alibaba.openapi.shared.common.ResultModel"),
        );
    }
    envelope.insert("result".into(), payload);
    json!({ "result": envelope })
}

/// How a detail or search answer reads: translated (a supported `country`) or not (§1.12).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reading<'a> {
    pub translated: bool,
    pub out_member: Option<&'a str>,
}

impl Default for Reading<'_> {
    fn default() -> Self {
        Reading {
            translated: true,
            out_member: None,
        }
    }
}

/// A `queryProductDetail` answer (string prices).
pub fn detail_answer(o: &CatalogOffer) -> Value {
    detail_answer_in(o, Reading::default())
}

pub(crate) fn detail_answer_in(o: &CatalogOffer, reading: Reading<'_>) -> Value {
    let mut dress = Rng::new(o.quirks);
    let payload = detail_payload(o, reading, &mut dress);
    success_envelope(payload, "成功", "ProductDetailModel", &mut dress)
}

fn detail_payload(o: &CatalogOffer, reading: Reading<'_>, dress: &mut Rng) -> Value {
    let s = &o.supplier;
    let tr = |zh: &'static str| if reading.translated { english(zh) } else { zh };
    let lowest = o.lowest_fen().unwrap_or(1);
    let skus: Vec<Value> = o
        .skus
        .iter()
        .enumerate()
        .map(|(n, k)| {
            let price = k.price_fen.map(|fen| yuan(fen, dress));
            let retail = o.retail_fen.map(|fen| yuan(fen, dress));
            let fenxiao = o.one_psale.then(|| {
                let offer_price = k.price_fen.unwrap_or(lowest);
                json!({"onePiecePrice": yuan(offer_price + 300, dress), "offerPrice": yuan(offer_price, dress)})
            });
            json!({
                "skuId": k.sku_id.parse::<u64>().unwrap_or_default(),
                "specId": k.spec_id,
                "amountOnSale": k.stock,
                "price": price,
                "retailPrice": retail,
                "cargoNumber": format!("{}-{}", o.cargo_number, n + 1),
                "fenxiaoPriceInfo": fenxiao,
                "skuAttributes": k.specs.iter().enumerate().map(|(d, (name, value))| json!({
                    "attributeId": spec_attribute_id(name),
                    "attributeName": name,
                    "attributeNameTrans": tr(name),
                    "value": value,
                    "valueTrans": tr(value),
                    "skuImageUrl": (d == 0).then(|| format!("https://cbu01.alicdn.com/img/ibank/O1CN01{}_s{n}.jpg", o.offer_id)),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    // quoteType 1 is priced per SKU, yet real answers still carry the MOQ and lowest price as
    // one tier at times (§3.5).
    let tiers: Vec<(u64, u64)> = if o.tiers.is_empty() && dress.chance(50) {
        vec![(o.moq, lowest)]
    } else {
        o.tiers.clone()
    };
    let price_ranges: Vec<Value> = tiers
        .iter()
        .map(|(q, p)| json!({"startQuantity": q, "price": yuan(*p, dress)}))
        .collect();
    let retail = o.retail_fen.map(|fen| yuan(fen, dress));
    let fenxiao_sale = o.one_psale.then(|| {
        json!({"onePieceFreePostage": o.one_piece_free_postage, "startQuantity": 1,
            "onePiecePrice": yuan(lowest + 300, dress), "offerPrice": yuan(lowest, dress)})
    });
    let pkg_source = ["商家自填", "官方测量", "预测-同款放大"][((o.quirks >> 8) % 3) as usize];
    let sku_weight = |n: usize| o.weight_g + n as u64 * o.weight_g / 20;
    let per_sku_shipping = (o.quirks >> 16) % 5 != 0;
    let (length, width, height) = o.size_mm;
    let shipping = json!({
        "sendGoodsAddressText": format!("{}省 {}市", s.province, s.city),
        "weight": kg(o.weight_g),
        "length": cm(length),
        "width": cm(width),
        "height": cm(height),
        "shippingTimeGuarantee": o.ship_within_hours.map(|h| format!("shipIn{h}Hours")),
        "skuShippingInfoList": per_sku_shipping.then(|| o.skus.iter().enumerate().map(|(n, k)| json!({
            "specId": k.spec_id,
            "skuId": k.sku_id.parse::<u64>().unwrap_or_default(),
            "length": cm(length), "width": cm(width), "height": cm(height),
            // Grams here, kilograms in skuShippingDetails (§3.6).
            "weight": sku_weight(n),
        })).collect::<Vec<_>>()),
        "skuShippingDetails": per_sku_shipping.then(|| o.skus.iter().enumerate().map(|(n, k)| json!({
            // A string here, a number in skuShippingInfoList.
            "skuId": k.sku_id,
            "length": cm(length), "width": cm(width), "height": cm(height),
            "weight": kg(sku_weight(n)),
            "pkgSizeSource": pkg_source,
        })).collect::<Vec<_>>()),
        "pkgSizeSource": pkg_source,
        "officialWeight": (pkg_source == "官方测量").then(|| kg(o.weight_g)),
    });
    let seller_data = json!({
        "tradeMedalLevel": s.trade_medal.to_string(),
        "compositeServiceScore": score(s.scores[0]),
        "logisticsExperienceScore": score(s.scores[1]),
        "disputeComplaintScore": score(s.scores[2]),
        "offerExperienceScore": score(s.scores[3]),
        "consultingExperienceScore": score(s.scores[4]),
        "afterSalesExperienceScore": score(s.scores[5]),
        // A fraction here; the search variant writes a percent (§7).
        "repeatPurchasePercent": format!("0.{:04}", s.repeat_purchase_bp.min(9_999)),
        "collect30DayWithin48HPercent": decimal(s.pickup_48h_bp, 4),
        "qualityRefundWithin30Day": decimal(s.quality_refund_tenths, 1),
    });
    let words = s.identity_words();
    let title_trans = if reading.translated {
        &o.title_en
    } else {
        &o.title
    };
    let mix = json!({
        "generalHunpi": s.mix.is_some(),
        "mixAmount": s.mix.map(|(amount, _)| amount),
        "mixNumber": s.mix.map(|(_, number)| number),
    });
    json!({
        "offerId": o.id_number(),
        "categoryId": o.category_id,
        "categoryName": o.category_name,
        "topCategoryId": o.top_category_id,
        "secondCategoryId": o.second_category_id,
        "thirdCategoryId": o.category_id,
        "subject": o.title,
        "subjectTrans": title_trans,
        "description": format!(
            "<div id=\"offer-template-0\"></div><p><img src=\"https://cbu01.alicdn.com/img/ibank/O1CN01{}_d0.jpg\"/></p>",
            o.offer_id
        ),
        "productImage": {"images": o.images, "whiteImage": o.white_image()},
        "productAttribute": [
            {"attributeId": "2176", "attributeName": "品牌", "value": "其他", "attributeNameTrans": tr("品牌"), "valueTrans": tr("其他")},
            {"attributeId": "287", "attributeName": "材质", "value": o.material, "attributeNameTrans": tr("材质"), "valueTrans": tr(o.material)},
            {"attributeId": "1398", "attributeName": "货号", "value": o.cargo_number, "attributeNameTrans": tr("货号"), "valueTrans": o.cargo_number},
        ],
        "productSkuInfos": skus,
        "productSaleInfo": {
            "amountOnSale": o.skus.iter().map(|k| k.stock).sum::<u64>(),
            "priceRangeList": price_ranges,
            "quoteType": o.quote_type,
            "unitInfo": {"unit": o.unit, "transUnit": tr(o.unit)},
            "retailPrice": retail,
            "fenxiaoSaleInfo": fenxiao_sale,
        },
        "productShippingInfo": shipping,
        "isJxhy": o.jxhy,
        "sellerOpenId": s.open_id,
        "companyName": s.company,
        "minOrderQuantity": o.moq,
        "batchNumber": (o.batch > 1).then_some(o.batch),
        "status": o.status,
        "tagInfoList": [{"key": "isOnePsale", "value": o.one_psale}, {"key": "select", "value": o.select},
            {"key": "isOnePsaleFreePost", "value": o.one_piece_free_postage}],
        "traceInfo": o.trace_info(reading.out_member, dress.chance(50)),
        "sellerMixSetting": mix,
        "productCargoNumber": o.cargo_number,
        "sellerDataInfo": seller_data,
        "soldOut": o.sold_out.to_string(),
        "promotionModel": o.plus_promotion.then(|| json!({"hasPromotion": true, "promotionType": "plus"})),
        "tradeScore": score(o.trade_score_tenths),
        "offerIdentities": (!words.is_empty()).then(|| identity_words(&words, dress)),
        "createDate": o.date(o.created_day),
        // A string here, a boolean on search items.
        "isSelect": o.select.to_string(),
        "promotionUrl": o.promotion_url(),
    })
}

/// An `alibaba.product.simple.get` answer (number prices, relative image paths).
pub fn simple_get_answer(o: &CatalogOffer) -> Value {
    let number = |fen: u64| json!(fen as f64 / 100.0);
    json!({"productInfo": {
            "productID": o.id_number(),
            "subject": o.title,
            "categoryID": o.category_id,
            "categoryName": o.category_name,
            "status": o.status,
            "image": {"images": o.images.iter().map(|u| u.trim_start_matches("https://cbu01.alicdn.com/").to_owned()).collect::<Vec<_>>()},
            "skuInfos": o.skus.iter().map(|k| json!({
                "attributes": k.specs.iter().map(|(name, value)| json!({"attributeDisplayName": name, "attributeValue": value})).collect::<Vec<_>>(),
                "amountOnSale": k.stock, "price": k.price_fen.map(number), "skuId": k.sku_id.parse::<u64>().unwrap_or_default(), "specId": k.spec_id,
            })).collect::<Vec<_>>(),
            "saleInfo": {"priceRanges": o.tiers.iter().map(|(q, p)| json!({"startQuantity": q, "price": number(*p)})).collect::<Vec<_>>(),
                "minOrderQuantity": o.moq, "unit": o.unit, "batchNumber": o.batch, "quoteType": o.quote_type,
                "retailprice": o.retail_fen.map(number)},
            "shippingInfo": {"unitWeight": kg(o.weight_g), "sendGoodsAddressText": format!("{}省 {}市", o.supplier.province, o.supplier.city)},
            "supplierLoginId": o.supplier.login_id,
        }, "errMsg": null})
}

/// How one keywordQuery page writes its items.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ItemStyle<'a> {
    pub reading: Reading<'a>,
    /// `onePsale`, as the real capture spells it, instead of the doc's `isOnePsale`.
    pub bare_one_psale: bool,
}

/// One `keywordQuery` result item.
pub fn search_item(o: &CatalogOffer) -> Value {
    search_item_in(o, ItemStyle::default())
}

pub(crate) fn search_item_in(o: &CatalogOffer, style: ItemStyle<'_>) -> Value {
    let s = &o.supplier;
    let mut dress = Rng::new(o.quirks ^ 0x5EA_4C11);
    let lowest = o.lowest_fen().unwrap_or(1);
    let price = yuan(lowest, &mut dress);
    // The other prices appear on some offers only, as on real pages.
    let consign = (o.one_psale && dress.chance(50)).then(|| yuan(lowest + 300, &mut dress));
    let jxhy = o.jxhy.then(|| yuan(lowest * 95 / 100, &mut dress));
    let promotion = o
        .plus_promotion
        .then(|| yuan(lowest * 97 / 100, &mut dress));
    let r = &o.shipping;
    let shipping = json!({
        "shippingTimeGuarantee": o.ship_within_hours.map(|h| format!("shipIn{h}Hours")),
        "perfectFulfillmentRate30d": percent(r.perfect_30d, &mut dress),
        "pickupWithin24hRate30d": percent(r.pickup_24h_30d, &mut dress),
        "qualityReturnRate30d": percent(r.quality_return_30d, &mut dress),
        "perfectFulfillmentRate7d": percent(r.perfect_7d, &mut dress),
        "pickupWithin24hRate7d": percent(r.pickup_24h_7d, &mut dress),
        "delayedShippingRate7d": percent(r.delayed_7d, &mut dress),
    });
    let product_tags: Vec<&str> = [(o.yx, "yx"), (o.select, "select")]
        .into_iter()
        .filter_map(|(has, tag)| has.then_some(tag))
        .collect();
    let title_trans = if style.reading.translated {
        &o.title_en
    } else {
        &o.title
    };
    let mut item = json!({
        "offerId": o.id_number(),
        "subject": o.title,
        "subjectTrans": title_trans,
        "imageUrl": o.images.first(),
        "whiteImage": o.white_image(),
        "isJxhy": o.jxhy,
        "priceInfo": {"price": price, "consignPrice": consign, "jxhyPrice": jxhy, "pfJxhyPrice": jxhy,
            "promotionPrice": promotion},
        // An integer percent with `%` (§7).
        "repurchaseRate": format!("{}%", o.repurchase_percent),
        "monthSold": o.month_sold,
        "traceInfo": o.trace_info(style.reading.out_member, !dress.chance(20)),
        "sellerIdentities": s.identity_codes(),
        "offerIdentities": product_tags,
        "tradeScore": score(o.trade_score_tenths),
        "promotionModel": o.plus_promotion.then(|| json!({"hasPromotion": true, "promotionType": "plus"})),
        "topCategoryId": o.top_category_id,
        "secondCategoryId": o.second_category_id,
        "thirdCategoryId": o.category_id,
        "isPatentProduct": o.patent,
        "createDate": o.date(o.created_day),
        "modifyDate": o.date(o.modified_day),
        "isSelect": o.select,
        "minOrderQuantity": o.moq,
        "sellerDataInfo": {
            "tradeMedalLevel": s.trade_medal.to_string(),
            "compositeServiceScore": score(s.scores[0]),
            "logisticsExperienceScore": score(s.scores[1]),
            "disputeComplaintScore": score(s.scores[2]),
            "offerExperienceScore": score(s.scores[3]),
            "consultingExperienceScore": score(s.scores[4]),
            "afterSalesExperienceScore": score(s.scores[5]),
            // A percent without its sign here, a fraction on details (§7).
            "repeatPurchasePercent": ((s.repeat_purchase_bp + 50) / 100).to_string(),
            "tpYear": s.tp_years,
        },
        "productSimpleShippingInfo": shipping,
        "promotionURL": o.promotion_url(),
        "sales7d": o.sales_7d.to_string(),
    });
    if let Value::Object(map) = &mut item {
        let key = if style.bare_one_psale {
            "onePsale"
        } else {
            "isOnePsale"
        };
        map.insert(key.into(), json!(o.one_psale));
    }
    omit_nulls(&mut item);
    item
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
            assert_eq!(a.search_item(i), b.search_item(i));
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
            assert!(
                o.skus
                    .iter()
                    .all(|k| k.spec_id.len() == 32
                        && k.spec_id.bytes().all(|b| b.is_ascii_hexdigit()))
            );
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

    #[test]
    fn prices_come_in_every_notation() {
        let mut dress = Rng::new(3);
        let written: Vec<String> = (0..200).map(|_| yuan(1490, &mut dress)).collect();
        assert!(written.iter().any(|w| w == "14.90") && written.iter().any(|w| w == "14.9"));
        let whole: Vec<String> = (0..200).map(|_| yuan(1000, &mut dress)).collect();
        assert!(whole.iter().any(|w| w == "10") && whole.iter().any(|w| w == "10.00"));
        assert_eq!(yuan(170, &mut Rng::new(0)).trim_end_matches('0'), "1.7");
        assert_eq!(
            (decimal(9_800, 4), decimal(10_000, 4), decimal(0, 1)),
            ("0.98".into(), "1".into(), "0".into())
        );
    }

    #[test]
    fn the_category_table_covers_the_catalog() {
        assert_eq!(categories().len(), 5);
        let catalog = Catalog::new(1688, 300);
        for i in 0..300 {
            let o = catalog.offer(i);
            assert!(categories().iter().any(|(id, _)| *id == o.top_category_id));
            let second = subcategories()
                .iter()
                .find(|r| r.0 == o.second_category_id)
                .unwrap();
            let third = subcategories()
                .iter()
                .find(|r| r.0 == o.category_id)
                .unwrap();
            assert_eq!(
                (second.1, third.1, third.2),
                (o.top_category_id, o.second_category_id, o.category_name)
            );
        }
    }
}
