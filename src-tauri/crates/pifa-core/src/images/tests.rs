//! The picture cache over real HTTP: a small loopback server stands in for 1688's CDN (the
//! workbench's tests fetch from the gateway double itself).

use std::collections::HashMap;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\nnot really a png but it starts as one";

/// A loopback server answering each path with a status, a body and whether to send its length;
/// it counts the requests per path.
struct Server {
    base: String,
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

impl Server {
    async fn start(routes: Vec<(&'static str, u16, Vec<u8>)>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let counted = Arc::clone(&hits);
        let routes = Arc::new(routes);
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let (routes, counted) = (Arc::clone(&routes), Arc::clone(&counted));
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        if stream.read(&mut byte).await.unwrap_or(0) == 0 {
                            return;
                        }
                        head.push(byte[0]);
                    }
                    let head = String::from_utf8_lossy(&head).into_owned();
                    let path = head.split(' ').nth(1).unwrap_or_default().to_owned();
                    *lock(&counted).entry(path.clone()).or_default() += 1;
                    // Slow enough that two requests for one picture overlap.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    let (status, body) = routes
                        .iter()
                        .find(|(p, _, _)| *p == path)
                        .map_or((404, Vec::new()), |(_, s, b)| (*s, b.clone()));
                    let mut answer = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: image/jpeg\r\nConnection: close\r\n"
                    );
                    if status == 302 {
                        answer.push_str("Location: /img/ibank/a.jpg\r\n");
                    }
                    answer.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
                    let _ = stream.write_all(answer.as_bytes()).await;
                    let _ = stream.write_all(&body).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Server { base, hits }
    }

    fn hits(&self, path: &str) -> usize {
        lock(&self.hits).get(path).copied().unwrap_or(0)
    }
}

fn url(path: &str) -> String {
    format!("https://cbu01.alicdn.com{path}")
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn a_picture_is_fetched_once_then_read_from_disk() {
    let server = Server::start(vec![("/img/ibank/a.jpg", 200, PNG.to_vec())]).await;
    let tmp = tempfile::tempdir().unwrap();
    let cache = ImageCache::new(tmp.path().join("image-cache")).unwrap();
    let origin = Origin::Double(&server.base);
    let a_url = url("/img/ibank/a.jpg");
    let (a, b) = tokio::join!(cache.get(&a_url, origin), cache.get(&a_url, origin));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.bytes, PNG);
    assert_eq!(
        a.content_type, "image/png",
        "from the bytes, not the header"
    );
    assert_eq!(a, b);
    assert_eq!(server.hits("/img/ibank/a.jpg"), 1, "two at once fetch once");
    let again = cache.get(&url("/img/ibank/a.jpg"), origin).await.unwrap();
    assert_eq!(again, a);
    assert_eq!(server.hits("/img/ibank/a.jpg"), 1);
    // One file, named by the URL's hash; no temporary file left.
    let kept = files(cache.dir());
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(is_entry(&kept[0]));
    // A new cache on the same folder (the next start) reads it too.
    let next = ImageCache::new(cache.dir()).unwrap();
    assert_eq!(next.get(&url("/img/ibank/a.jpg"), origin).await.unwrap(), a);
    assert_eq!(server.hits("/img/ibank/a.jpg"), 1);
}

#[test]
fn only_https_pictures_on_1688s_hosts_are_taken() {
    for good in [
        "https://cbu01.alicdn.com/img/ibank/O1CN01a_!!0-0-cib.jpg",
        "https://global-img-cdn.1688.com/img/ibank/a.jpg",
        "https://CBU01.ALICDN.COM/img/a.jpg",
    ] {
        assert!(checked_url(good).is_ok(), "{good}");
    }
    for bad in [
        "http://cbu01.alicdn.com/img/ibank/a.jpg",
        "https://alicdn.com.evil.example/a.jpg",
        "https://evilalicdn.com/a.jpg",
        "https://evil.example\\@cbu01.alicdn.com/a.jpg",
        "https://cbu01.alicdn.com@evil.example/a.jpg",
        "https://user@cbu01.alicdn.com/a.jpg",
        "https://cbu01.alicdn.com:8443/a.jpg",
        "https://127.0.0.1/a.jpg",
        "file:///etc/passwd",
        "//cbu01.alicdn.com/a.jpg",
        "img/ibank/a.jpg",
        "",
    ] {
        assert!(
            matches!(checked_url(bad), Err(ImageError::Refused(_))),
            "{bad}"
        );
    }
    let long = url(&format!("/{}", "a".repeat(MAX_URL)));
    assert!(checked_url(&long).is_err());
}

#[tokio::test]
async fn refusals_and_failures_are_never_kept() {
    let big = [PNG, &vec![0u8; 2_000]].concat();
    let server = Server::start(vec![
        ("/img/ibank/big.jpg", 200, big),
        ("/img/ibank/page.jpg", 200, b"<html>login</html>".to_vec()),
        ("/img/ibank/moved.jpg", 302, Vec::new()),
        ("/img/ibank/broken.jpg", 500, PNG.to_vec()),
    ])
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let cache = ImageCache::with_caps(tmp.path().join("c"), 1_000, 1 << 20).unwrap();
    let origin = Origin::Double(&server.base);
    let get = |path: &'static str| {
        let cache = &cache;
        async move { cache.get(&url(path), origin).await }
    };
    assert!(matches!(
        get("/img/ibank/big.jpg").await,
        Err(ImageError::TooLarge(1_000))
    ));
    assert!(matches!(
        get("/img/ibank/page.jpg").await,
        Err(ImageError::NotAnImage)
    ));
    // A redirect is not followed.
    assert!(matches!(
        get("/img/ibank/moved.jpg").await,
        Err(ImageError::Status(302))
    ));
    assert_eq!(server.hits("/img/ibank/a.jpg"), 0);
    assert!(matches!(
        get("/img/ibank/broken.jpg").await,
        Err(ImageError::Status(500))
    ));
    assert!(matches!(
        get("/img/ibank/missing.jpg").await,
        Err(ImageError::Status(404))
    ));
    // Another host is refused before anything is sent.
    assert!(matches!(
        cache
            .get("https://evil.example/img/ibank/big.jpg", origin)
            .await,
        Err(ImageError::Refused(_))
    ));
    // Nor is a double anywhere but on this computer asked.
    assert!(matches!(
        cache
            .get(
                &url("/img/ibank/big.jpg"),
                Origin::Double("https://evil.example")
            )
            .await,
        Err(ImageError::Refused(_))
    ));
    assert!(files(cache.dir()).is_empty(), "{:?}", files(cache.dir()));
    // A failure is asked again next time, not remembered.
    let _ = get("/img/ibank/page.jpg").await;
    assert_eq!(server.hits("/img/ibank/page.jpg"), 2);
}

#[tokio::test]
async fn past_the_folders_cap_the_least_recently_used_go() {
    let picture = |n: u8| [PNG, &[n; 300]].concat();
    let server = Server::start(vec![
        ("/img/ibank/1.jpg", 200, picture(1)),
        ("/img/ibank/2.jpg", 200, picture(2)),
        ("/img/ibank/3.jpg", 200, picture(3)),
        ("/img/ibank/4.jpg", 200, picture(4)),
    ])
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let size = picture(1).len() as u64;
    // Room for three and a half pictures: eviction goes down to nine tenths, three.
    let cap = size * 7 / 2;
    let cache = ImageCache::with_caps(tmp.path().join("c"), 4_096, cap).unwrap();
    let origin = Origin::Double(&server.base);
    for n in ["1", "2", "3"] {
        cache
            .get(&url(&format!("/img/ibank/{n}.jpg")), origin)
            .await
            .unwrap();
        // File times are coarse on some systems: keep the uses apart.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // 1 is used again, so 2 is now the least recently used.
    cache.get(&url("/img/ibank/1.jpg"), origin).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    cache.get(&url("/img/ibank/4.jpg"), origin).await.unwrap();
    assert_eq!(files(cache.dir()).len(), 3);
    let total: u64 = files(cache.dir())
        .iter()
        .map(|n| fs::metadata(cache.dir().join(n)).unwrap().len())
        .sum();
    assert!(total <= cap);
    for (n, fetches) in [("1", 1), ("3", 1), ("4", 1), ("2", 2)] {
        cache
            .get(&url(&format!("/img/ibank/{n}.jpg")), origin)
            .await
            .unwrap();
        assert_eq!(server.hits(&format!("/img/ibank/{n}.jpg")), fetches, "{n}");
    }
}

#[tokio::test]
async fn a_damaged_file_is_fetched_again() {
    let server = Server::start(vec![("/img/ibank/a.jpg", 200, PNG.to_vec())]).await;
    let tmp = tempfile::tempdir().unwrap();
    let cache = ImageCache::new(tmp.path().join("c")).unwrap();
    let origin = Origin::Double(&server.base);
    cache.get(&url("/img/ibank/a.jpg"), origin).await.unwrap();
    let name = files(cache.dir()).remove(0);
    fs::write(cache.dir().join(&name), b"garbage").unwrap();
    let image = cache.get(&url("/img/ibank/a.jpg"), origin).await.unwrap();
    assert_eq!(image.bytes, PNG);
    assert_eq!(server.hits("/img/ibank/a.jpg"), 2);
}

#[test]
fn pictures_are_told_by_their_bytes() {
    assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Some("image/jpeg"));
    assert_eq!(sniff(PNG), Some("image/png"));
    assert_eq!(sniff(b"GIF89a..."), Some("image/gif"));
    assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
    for not in [
        &b"RIFF\x10\0\0\0WAVEfmt "[..],
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"\xFF\xD8",
        b"",
    ] {
        assert_eq!(sniff(not), None);
    }
}
