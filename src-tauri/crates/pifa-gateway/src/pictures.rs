//! The double's image CDN: the pictures its answers name (`https://cbu01.alicdn.com/img/ibank/
//! O1CN01<offer>_<n>.jpg`), drawn on demand so demo mode shows pictures, not broken icons.
//!
//! A picture is simple and deterministic: a background tinted by the top category, a flat
//! silhouette of the leaf category's product in a colour drawn per offer (a SKU's picture takes
//! its colour spec), placed differently on each gallery picture. Answers keep 1688's host; the
//! double serves the path on its own loopback address (`GET /img/ibank/<name>`), also with
//! alicdn's size suffixes (`<name>.jpg_220x220.jpg`, `<name>.220x220.jpg`). The bytes are PNG
//! whatever the name says, as a CDN may serve another format than the extension.

use crate::catalog::{Catalog, CatalogOffer, Rng};

/// What a picture name asks for when it names no size.
pub const DEFAULT_SIDE: u32 = 400;
/// The sizes the double draws: a size suffix outside them is not found.
pub const MIN_SIDE: u32 = 16;
pub const MAX_SIDE: u32 = 800;
/// The prefix 1688 image names start with.
const NAME_PREFIX: &str = "O1CN01";

/// Which of an offer's pictures a name asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `_<n>`: the gallery, the main picture first.
    Gallery(u64),
    /// `_w`: the white-background picture.
    White,
    /// `_s<n>`: the picture of SKU `n`.
    Sku(usize),
    /// `_d0`: the picture in the description HTML.
    Description,
}

/// A parsed picture name: the offer, which picture, and its side in pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Wanted {
    offer_id: String,
    kind: Kind,
    side: u32,
}

fn side_of(suffix: &str) -> Option<u32> {
    let (w, h) = suffix.split_once('x')?;
    let (w, h): (u32, u32) = (w.parse().ok()?, h.parse().ok()?);
    let side = w.max(h);
    (MIN_SIDE..=MAX_SIDE).contains(&side).then_some(side)
}

fn parse(name: &str) -> Option<Wanted> {
    let stem = name.strip_suffix(".jpg")?;
    // `a.jpg_220x220.jpg` or `a.220x220.jpg`; the bare `a.jpg` has neither.
    let (stem, side) = match stem.split_once(".jpg_") {
        Some((stem, size)) => (stem, side_of(size)?),
        None => match stem.rsplit_once('.') {
            Some((stem, size)) => (stem, side_of(size)?),
            None => (stem, DEFAULT_SIDE),
        },
    };
    let (offer_id, variant) = stem.strip_prefix(NAME_PREFIX)?.split_once('_')?;
    let number = |digits: &str| {
        (!digits.is_empty() && digits.len() <= 4 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse::<u64>().ok())
            .flatten()
    };
    let kind = match variant {
        "w" => Kind::White,
        "d0" => Kind::Description,
        _ => match variant.strip_prefix('s') {
            Some(n) => Kind::Sku(number(n)? as usize),
            None => Kind::Gallery(number(variant)?),
        },
    };
    Some(Wanted {
        offer_id: offer_id.to_owned(),
        kind,
        side,
    })
}

/// The PNG for an `img/ibank/` name, if it is a picture the catalog's answers name.
pub fn picture(catalog: &Catalog, name: &str) -> Option<Vec<u8>> {
    let wanted = parse(name)?;
    let offer = catalog.offer(catalog.index_of(&wanted.offer_id)?);
    let exists = match wanted.kind {
        Kind::Gallery(n) => n < offer.images.len() as u64,
        Kind::White => offer.white_image().is_some(),
        Kind::Sku(n) => n < offer.skus.len(),
        Kind::Description => true,
    };
    exists.then(|| encode(&draw(&offer, wanted.kind, wanted.side), wanted.side))
}

type Rgb = [u8; 3];

/// Background tints per top category, in the order of `catalog::categories()`.
const TINTS: [(u64, Rgb); 5] = [
    (127_380_009, [250, 228, 232]), // 服装: blush
    (1_036_610, [222, 240, 228]),   // 家居日用: mint
    (1_043_351, [222, 232, 248]),   // 数码配件: sky
    (1_813, [252, 242, 210]),       // 玩具: butter
    (1_031_919, [232, 232, 236]),   // 五金工具: steel
];

/// Silhouette colours an offer draws from; a SKU's colour spec names its own.
const PALETTE: [Rgb; 8] = [
    [214, 69, 65],
    [38, 110, 180],
    [46, 139, 87],
    [240, 160, 40],
    [120, 80, 160],
    [30, 150, 160],
    [200, 90, 140],
    [90, 90, 100],
];

fn named_colour(name: &str) -> Option<Rgb> {
    Some(match name {
        "白色" => [245, 245, 245],
        "黑色" => [40, 40, 44],
        "红色" => [210, 45, 50],
        "藏青" => [30, 45, 90],
        "灰色" => [140, 140, 146],
        "卡其" => [190, 165, 120],
        "粉色" => [240, 150, 175],
        "天蓝" => [110, 180, 235],
        "蓝色" => [40, 100, 200],
        _ => return None,
    })
}

fn darker([r, g, b]: Rgb) -> Rgb {
    [r / 4 * 3, g / 4 * 3, b / 4 * 3]
}

/// A region of the picture, in the unit square's coordinates (y down): a test for points and
/// a box around them, so drawing looks only where the region can be.
struct Shape {
    bounds: [f32; 4],
    inside: Box<dyn Fn(f32, f32) -> bool>,
}

impl Shape {
    fn new(bounds: [f32; 4], inside: impl Fn(f32, f32) -> bool + 'static) -> Shape {
        Shape {
            bounds,
            inside: Box::new(inside),
        }
    }

    /// This shape drawn at `scale` from `(dx, dy)`.
    fn placed(self, scale: f32, dx: f32, dy: f32) -> Shape {
        let [x0, y0, x1, y1] = self.bounds;
        let inside = self.inside;
        Shape::new(
            [
                x0 * scale + dx,
                y0 * scale + dy,
                x1 * scale + dx,
                y1 * scale + dy,
            ],
            move |x, y| inside((x - dx) / scale, (y - dy) / scale),
        )
    }
}

/// An RGB image; each pixel is covered by the share of its four corners inside a shape, so
/// edges come out smooth for one test per pixel.
struct Canvas {
    side: u32,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(side: u32, background: Rgb) -> Canvas {
        Canvas {
            side,
            pixels: background.repeat((side * side) as usize),
        }
    }

    fn fill(&mut self, shape: &Shape, colour: Rgb) {
        let side = self.side as f32;
        let span = |low: f32, high: f32| {
            let low = (low * side).floor().clamp(0.0, side) as u32;
            let high = (high * side).ceil().clamp(0.0, side) as u32;
            (low, high)
        };
        let [x0, y0, x1, y1] = shape.bounds;
        let ((left, right), (top, bottom)) = (span(x0, x1), span(y0, y1));
        if left >= right || top >= bottom {
            return;
        }
        // The corners of the pixels in the box, one row at a time.
        let corners = |y: u32| -> Vec<bool> {
            (left..=right)
                .map(|x| (shape.inside)(x as f32 / side, y as f32 / side))
                .collect()
        };
        let mut above = corners(top);
        for y in top..bottom {
            let below = corners(y + 1);
            for x in left..right {
                let i = (x - left) as usize;
                let covered = [above[i], above[i + 1], below[i], below[i + 1]]
                    .iter()
                    .filter(|c| **c)
                    .count() as u16;
                if covered == 0 {
                    continue;
                }
                let at = ((y * self.side + x) * 3) as usize;
                for (channel, value) in self.pixels[at..at + 3].iter_mut().zip(colour) {
                    *channel = ((u16::from(*channel) * (4 - covered) + u16::from(value) * covered)
                        / 4) as u8;
                }
            }
            above = below;
        }
    }
}

fn rect(x0: f32, y0: f32, x1: f32, y1: f32) -> Shape {
    Shape::new([x0, y0, x1, y1], move |x, y| {
        x >= x0 && x <= x1 && y >= y0 && y <= y1
    })
}

fn rounded(x0: f32, y0: f32, x1: f32, y1: f32, r: f32) -> Shape {
    Shape::new([x0, y0, x1, y1], move |x, y| {
        let dx = (x0 + r - x).max(x - (x1 - r)).max(0.0);
        let dy = (y0 + r - y).max(y - (y1 - r)).max(0.0);
        x >= x0 && x <= x1 && y >= y0 && y <= y1 && dx * dx + dy * dy <= r * r
    })
}

fn disc(cx: f32, cy: f32, r: f32) -> Shape {
    ring(cx, cy, r, 0.0)
}

fn ring(cx: f32, cy: f32, outer: f32, inner: f32) -> Shape {
    Shape::new(
        [cx - outer, cy - outer, cx + outer, cy + outer],
        move |x, y| {
            let d = (x - cx).powi(2) + (y - cy).powi(2);
            d <= outer * outer && d >= inner * inner
        },
    )
}

/// A convex polygon, its corners in either winding order.
fn polygon(corners: Vec<(f32, f32)>) -> Shape {
    let bounds = corners.iter().fold(
        [f32::MAX, f32::MAX, f32::MIN, f32::MIN],
        |[x0, y0, x1, y1], &(x, y)| [x0.min(x), y0.min(y), x1.max(x), y1.max(y)],
    );
    Shape::new(bounds, move |x, y| {
        let mut sides = corners.iter().zip(corners.iter().cycle().skip(1));
        let side = |(a, b): (&(f32, f32), &(f32, f32))| {
            (b.0 - a.0) * (y - a.1) - (b.1 - a.1) * (x - a.0) >= 0.0
        };
        let first = sides.next().map(side);
        sides.all(|s| Some(side(s)) == first)
    })
}

/// The product's silhouette in a unit square, from its leaf category.
fn silhouette(category_name: &str) -> Vec<Shape> {
    match category_name {
        "T恤" | "卫衣" => vec![
            rect(0.3, 0.25, 0.7, 0.85),
            polygon(vec![(0.3, 0.25), (0.12, 0.4), (0.2, 0.5), (0.3, 0.42)]),
            polygon(vec![(0.7, 0.25), (0.88, 0.4), (0.8, 0.5), (0.7, 0.42)]),
        ],
        "连衣裙" => vec![
            rect(0.4, 0.15, 0.6, 0.4),
            polygon(vec![(0.4, 0.4), (0.6, 0.4), (0.8, 0.88), (0.2, 0.88)]),
        ],
        "休闲裤" => vec![
            rect(0.3, 0.15, 0.7, 0.3),
            polygon(vec![(0.3, 0.3), (0.5, 0.3), (0.47, 0.88), (0.3, 0.88)]),
            polygon(vec![(0.5, 0.3), (0.7, 0.3), (0.7, 0.88), (0.53, 0.88)]),
        ],
        "运动袜" => vec![
            rect(0.38, 0.12, 0.58, 0.65),
            rounded(0.38, 0.55, 0.82, 0.78, 0.1),
        ],
        "保温杯" => vec![
            rounded(0.34, 0.22, 0.66, 0.88, 0.06),
            rounded(0.36, 0.1, 0.64, 0.2, 0.03),
        ],
        "保鲜盖" => vec![disc(0.5, 0.5, 0.34), ring(0.5, 0.5, 0.42, 0.38)],
        "收纳盒" => vec![rect(0.16, 0.38, 0.84, 0.82), rect(0.12, 0.28, 0.88, 0.36)],
        "毛巾" => vec![
            rect(0.2, 0.22, 0.8, 0.8),
            rect(0.2, 0.3, 0.8, 0.34),
            rect(0.2, 0.68, 0.8, 0.72),
        ],
        "数据线" => vec![ring(0.45, 0.48, 0.3, 0.24), rect(0.68, 0.62, 0.82, 0.72)],
        "手机壳" => vec![rounded(0.3, 0.12, 0.7, 0.88, 0.08)],
        "充电器" => vec![
            rounded(0.28, 0.35, 0.72, 0.82, 0.06),
            rect(0.38, 0.14, 0.44, 0.35),
            rect(0.56, 0.14, 0.62, 0.35),
        ],
        "蓝牙耳机" => vec![
            disc(0.34, 0.42, 0.14),
            rect(0.3, 0.42, 0.38, 0.78),
            disc(0.66, 0.42, 0.14),
            rect(0.62, 0.42, 0.7, 0.78),
        ],
        "积木" => vec![
            rect(0.16, 0.56, 0.48, 0.86),
            rect(0.52, 0.56, 0.84, 0.86),
            rect(0.34, 0.22, 0.66, 0.52),
        ],
        "毛绒玩具" => vec![
            disc(0.5, 0.55, 0.3),
            disc(0.27, 0.28, 0.11),
            disc(0.73, 0.28, 0.11),
        ],
        "捏捏乐" => vec![disc(0.42, 0.55, 0.26), disc(0.62, 0.45, 0.22)],
        "螺丝" => vec![
            polygon(vec![
                (0.34, 0.14),
                (0.66, 0.14),
                (0.74, 0.24),
                (0.66, 0.34),
                (0.34, 0.34),
                (0.26, 0.24),
            ]),
            rect(0.44, 0.34, 0.56, 0.88),
        ],
        "扳手" => vec![
            ring(0.3, 0.3, 0.16, 0.08),
            polygon(vec![(0.38, 0.3), (0.3, 0.38), (0.76, 0.86), (0.86, 0.76)]),
        ],
        "绝缘胶带" => vec![ring(0.5, 0.5, 0.36, 0.16)],
        _ => vec![rounded(0.25, 0.25, 0.75, 0.75, 0.1)],
    }
}

fn offer_rng(offer: &CatalogOffer, salt: u64) -> Rng {
    Rng::new(offer.offer_id.parse::<u64>().unwrap_or_default() ^ salt)
}

fn draw(offer: &CatalogOffer, kind: Kind, side: u32) -> Vec<u8> {
    let mut rng = offer_rng(offer, 0x1688_1A6E);
    let tint = TINTS
        .iter()
        .find(|(id, _)| *id == offer.top_category_id)
        .map_or([240, 240, 240], |(_, tint)| *tint);
    let mut colour = *rng.pick(&PALETTE);
    let background = match kind {
        Kind::White => [255, 255, 255],
        _ => tint,
    };
    let mut canvas = Canvas::new(side, background);
    // A faint pattern per offer: stripes at one of four angles, or dots.
    if kind != Kind::White {
        let pattern = darker(darker(tint)).map(|c| c.saturating_add(90));
        let (style, gap) = (rng.below(0, 5), rng.below(6, 12) as f32 / 100.0);
        let third = gap / 3.0;
        let stripes = match style {
            0 => Shape::new([0.0, 0.0, 1.0, 1.0], move |x, _| x % gap < third),
            1 => Shape::new([0.0, 0.0, 1.0, 1.0], move |_, y| y % gap < third),
            2 => Shape::new([0.0, 0.0, 1.0, 1.0], move |x, y| (x + y) % gap < third),
            3 => Shape::new([0.0, 0.0, 1.0, 1.0], move |x, y| {
                (x - y + 1.0) % gap < third
            }),
            _ => Shape::new([0.0, 0.0, 1.0, 1.0], move |x, y| {
                let (dx, dy) = (x % gap - gap / 2.0, y % gap - gap / 2.0);
                dx * dx + dy * dy < (gap / 5.0).powi(2)
            }),
        };
        canvas.fill(&stripes, pattern);
    }
    if let Kind::Sku(n) = kind {
        let spec = offer.skus.get(n).and_then(|sku| sku.specs.first());
        colour = spec
            .and_then(|(_, value)| named_colour(value))
            .unwrap_or(PALETTE[n % PALETTE.len()]);
    }
    // Each gallery picture shows the product at its own size and place.
    let (scale, dx, dy) = match kind {
        Kind::Gallery(n) if n > 0 => {
            let mut by_picture = offer_rng(offer, n.wrapping_mul(0x9E37));
            let scale = by_picture.below(55, 90) as f32 / 100.0;
            let room = 1.0 - scale;
            (
                scale,
                room * by_picture.below(0, 101) as f32 / 100.0,
                room * by_picture.below(0, 101) as f32 / 100.0,
            )
        }
        Kind::Description => (0.5, 0.25, 0.25),
        _ => (0.9, 0.05, 0.05),
    };
    // A soft shadow under the product, then the product itself.
    let shadow = Shape::new([0.15, 0.9, 0.85, 0.96], |x, y| {
        let (u, v) = (x - 0.5, y - 0.93);
        u * u / 0.12 + v * v / 0.002 <= 1.0
    });
    canvas.fill(&shadow.placed(scale, dx, dy), darker(background));
    for part in silhouette(offer.category_name) {
        canvas.fill(&part.placed(scale, dx, dy), colour);
    }
    canvas.pixels
}

fn encode(pixels: &[u8], side: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // Writing to memory cannot fail; the pixels always fill the header's size.
    let written = encoder
        .write_header()
        .and_then(|mut writer| writer.write_image_data(pixels));
    debug_assert!(written.is_ok(), "{written:?}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::new(1688, 200)
    }

    fn decoded(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        pixels.truncate(info.buffer_size());
        (info.width, info.height, pixels)
    }

    fn name(url: &str) -> &str {
        url.strip_prefix("https://cbu01.alicdn.com/img/ibank/")
            .unwrap()
    }

    #[test]
    fn every_picture_an_answer_names_is_drawn_the_same_each_time() {
        let catalog = catalog();
        for index in 0..6 {
            let offer = catalog.offer(index);
            let mut urls = offer.images.clone();
            urls.extend(offer.white_image());
            for url in &urls {
                let png = picture(&catalog, name(url)).unwrap_or_else(|| panic!("{url}"));
                assert_eq!(picture(&catalog, name(url)), Some(png.clone()));
                let (w, h, pixels) = decoded(&png);
                assert_eq!((w, h), (DEFAULT_SIDE, DEFAULT_SIDE));
                // Not a flat colour: something is drawn on it.
                assert!(pixels.chunks(3).any(|p| p != &pixels[..3]), "{url}");
            }
            let sku = format!("O1CN01{}_s0.jpg", offer.offer_id);
            assert_eq!(picture(&catalog, &sku).is_some(), !offer.skus.is_empty());
        }
    }

    #[test]
    fn offers_and_categories_look_different() {
        let catalog = catalog();
        let first = |index: u64| {
            let offer = catalog.offer(index);
            picture(&catalog, name(&offer.images[0])).unwrap()
        };
        let pictures: Vec<Vec<u8>> = (0..6).map(first).collect();
        for (i, a) in pictures.iter().enumerate() {
            for b in &pictures[i + 1..] {
                assert_ne!(a, b);
            }
        }
        // The background tint follows the top category.
        let corner = |index: u64| decoded(&first(index)).2[..3].to_vec();
        let mut by_category = std::collections::HashMap::new();
        for index in 0..30 {
            let top = catalog.offer(index).top_category_id;
            let tint = TINTS.iter().find(|(id, _)| *id == top).unwrap().1;
            by_category.entry(top).or_insert(tint);
            let pixel = corner(index);
            // The corner is the tint or the pattern drawn over it, never another category's tint.
            for (other, other_tint) in TINTS {
                if other != top {
                    assert_ne!(pixel, other_tint.to_vec(), "offer {index}");
                }
            }
        }
        assert!(by_category.len() >= 4, "the catalog spans the categories");
    }

    #[test]
    fn size_suffixes_are_served_within_bounds() {
        let catalog = catalog();
        let offer = catalog.offer(3);
        let base = name(&offer.images[0]).to_owned();
        for (suffixed, side) in [
            (format!("{base}_220x220.jpg"), 220),
            (
                format!("{}.120x120.jpg", base.trim_end_matches(".jpg")),
                120,
            ),
            (format!("{base}_16x16.jpg"), 16),
            (format!("{base}_800x800.jpg"), 800),
        ] {
            let png = picture(&catalog, &suffixed).unwrap_or_else(|| panic!("{suffixed}"));
            assert_eq!(decoded(&png).0, side, "{suffixed}");
        }
        for refused in [
            format!("{base}_801x801.jpg"),
            format!("{base}_8x8.jpg"),
            format!("{base}_99999999999x1.jpg"),
            format!("{base}_axb.jpg"),
        ] {
            assert!(picture(&catalog, &refused).is_none(), "{refused}");
        }
    }

    #[test]
    fn only_pictures_the_answers_name_exist() {
        let catalog = catalog();
        let offer = catalog.offer(5);
        let id = &offer.offer_id;
        let beyond = offer.images.len();
        for missing in [
            format!("O1CN01{id}_{beyond}.jpg"),
            format!("O1CN01{id}_s{}.jpg", offer.skus.len()),
            "O1CN01999999999999_0.jpg".to_owned(),
            format!("O1CN01{id}_0.png"),
            format!("X{id}_0.jpg"),
            format!("O1CN01{id}_.jpg"),
            format!("O1CN01{id}_0_0.jpg"),
            "../../etc/passwd".to_owned(),
            String::new(),
        ] {
            assert!(picture(&catalog, &missing).is_none(), "{missing}");
        }
        assert!(picture(&catalog, &format!("O1CN01{id}_d0.jpg")).is_some());
    }
}
