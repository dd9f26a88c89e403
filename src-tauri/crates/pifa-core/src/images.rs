//! Offer pictures, kept on disk so lists scroll without fetching them again.
//!
//! Only pictures on 1688's image hosts are fetched (https, `*.alicdn.com`, `*.1688.com`: the
//! cleaner's own rule), with no redirects followed, at most [`MAX_IMAGE_BYTES`] each, and only
//! when the bytes are a JPEG, PNG, WebP or GIF picture; a failure is never kept. In demo mode the
//! same path is fetched from the gateway double instead, which serves the pictures its answers
//! name. Each picture is one file named by the SHA-256 of its URL, written whole (temporary file,
//! then rename); past [`MAX_CACHE_BYTES`] the least recently used go. The folder is disposable:
//! deleting it loses nothing.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use url::Url;

use crate::offer::is_image_host;
use crate::protocol::check_gateway;

/// Real offer pictures are 50–500 KB; anything past this is not one.
pub const MAX_IMAGE_BYTES: u64 = 4 << 20;
/// The folder's size; the least recently used pictures go beyond it.
pub const MAX_CACHE_BYTES: u64 = 256 << 20;
/// The longest URL taken, as the cleaner's.
const MAX_URL: usize = 2_048;
/// Pictures fetched at once; more wait, so a long list does not open dozens of connections.
const FETCHES_AT_ONCE: usize = 8;
/// Temporary files older than this are left by a crash and removed.
const STALE_PART: Duration = Duration::from_secs(3600);

/// A picture and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub bytes: Vec<u8>,
    /// `image/jpeg`, `image/png`, `image/webp` or `image/gif`, from the bytes themselves.
    pub content_type: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("not an https picture on 1688's image hosts: {0}")]
    Refused(String),
    #[error("the picture is larger than {0} bytes")]
    TooLarge(u64),
    #[error("the answer is not a JPEG, PNG, WebP or GIF picture")]
    NotAnImage,
    #[error("the picture host answered HTTP {0}")]
    Status(u16),
    #[error("the picture could not be fetched: {0}")]
    Fetch(String),
    #[error("the picture cache could not be used: {0}")]
    Disk(#[from] io::Error),
}

/// Where pictures come from.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    /// 1688's CDN, at the picture's own URL.
    Live,
    /// A gateway double on loopback (its base URL), serving the same paths.
    Double(&'a str),
}

/// The content type `bytes` begin as, if a picture.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// `url` if it is an https picture on 1688's image hosts, parsed as a browser would (so
/// `https://evil.example\@x.alicdn.com/` is evil.example's, and refused).
pub fn checked_url(url: &str) -> Result<Url, ImageError> {
    let refused = || ImageError::Refused(url.chars().take(200).collect());
    if url.len() > MAX_URL {
        return Err(refused());
    }
    let parsed = Url::parse(url).map_err(|_| refused())?;
    let host_ok = parsed.host_str().is_some_and(is_image_host)
        && matches!(parsed.host(), Some(url::Host::Domain(_)));
    if parsed.scheme() != "https"
        || !host_ok
        || parsed.port().is_some()
        || !parsed.username().is_empty()
        || parsed.password().is_some()
    {
        return Err(refused());
    }
    Ok(parsed)
}

/// The pictures fetched so far: size and last use by file name, read from the folder once.
#[derive(Default)]
struct Index {
    files: HashMap<String, (u64, SystemTime)>,
    total: u64,
}

pub struct ImageCache {
    dir: PathBuf,
    max_image: u64,
    max_total: u64,
    /// 1688's CDN: https only; the system proxy may apply. Made at the first fetch: loading
    /// the system's trusted roots would slow every start, and most starts fetch no picture.
    live: OnceLock<reqwest::Client>,
    /// The double on loopback: never through a proxy. Made at the first fetch too.
    local: OnceLock<reqwest::Client>,
    index: Mutex<Option<Index>>,
    /// One fetch per URL at a time: a second request for it waits and reads the first's file.
    fetching: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    slots: tokio::sync::Semaphore,
}

/// Takes a URL off the fetching list however its fetch ends (a dropped request included).
struct Fetching<'a> {
    cache: &'a ImageCache,
    name: &'a str,
}

impl Drop for Fetching<'_> {
    fn drop(&mut self) {
        lock(&self.cache.fetching).remove(self.name);
    }
}

fn client(local: bool) -> Result<reqwest::Client, ImageError> {
    crate::protocol::client::install_tls_provider();
    let builder = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("Pifa/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none());
    let builder = if local {
        builder.no_proxy()
    } else {
        builder.https_only(true)
    };
    builder
        .build()
        .map_err(|e| ImageError::Fetch(e.to_string()))
}

/// The client in `slot`, made first if need be.
fn made(slot: &OnceLock<reqwest::Client>, local: bool) -> Result<&reqwest::Client, ImageError> {
    if let Some(http) = slot.get() {
        return Ok(http);
    }
    let http = client(local)?;
    Ok(slot.get_or_init(|| http))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A cache file's name: 64 hex digits.
fn is_entry(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

impl ImageCache {
    /// A cache in `dir` (created on first write), with the default caps. Touches no file yet.
    pub fn new(dir: impl Into<PathBuf>) -> Result<ImageCache, ImageError> {
        ImageCache::with_caps(dir, MAX_IMAGE_BYTES, MAX_CACHE_BYTES)
    }

    /// A cache with its own caps per picture and for the folder.
    pub fn with_caps(
        dir: impl Into<PathBuf>,
        max_image: u64,
        max_total: u64,
    ) -> Result<ImageCache, ImageError> {
        Ok(ImageCache {
            dir: dir.into(),
            max_image,
            max_total,
            live: OnceLock::new(),
            local: OnceLock::new(),
            index: Mutex::new(None),
            fetching: Mutex::new(HashMap::new()),
            slots: tokio::sync::Semaphore::new(FETCHES_AT_ONCE),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The picture at `url`, from disk when kept, else fetched from `origin` and kept.
    pub async fn get(&self, url: &str, origin: Origin<'_>) -> Result<Image, ImageError> {
        let parsed = checked_url(url)?;
        let name = hex::encode(Sha256::digest(url.as_bytes()));
        if let Some(image) = self.read(&name) {
            return Ok(image);
        }
        let gate = Arc::clone(lock(&self.fetching).entry(name.clone()).or_default());
        let _listed = Fetching {
            cache: self,
            name: &name,
        };
        let _turn = gate.lock().await;
        // Whoever went first may have kept it meanwhile.
        if let Some(image) = self.read(&name) {
            return Ok(image);
        }
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|e| ImageError::Fetch(e.to_string()))?;
        self.fetch_and_keep(&parsed, origin, &name).await
    }

    async fn fetch_and_keep(
        &self,
        url: &Url,
        origin: Origin<'_>,
        name: &str,
    ) -> Result<Image, ImageError> {
        let (http, target) = match origin {
            Origin::Live => (made(&self.live, false)?, url.as_str().to_owned()),
            Origin::Double(base) => {
                let base = check_gateway(base)
                    .ok()
                    .filter(|g| g.is_loopback())
                    .ok_or_else(|| ImageError::Refused(base.to_owned()))?;
                (
                    made(&self.local, true)?,
                    format!("{}{}", base.as_str(), url.path()),
                )
            }
        };
        let bytes = self.fetch(http, &target).await?;
        let content_type = sniff(&bytes).ok_or(ImageError::NotAnImage)?;
        self.keep(name, &bytes)?;
        Ok(Image {
            bytes,
            content_type,
        })
    }

    /// The body at `target`, refused past the size cap before or while it arrives.
    async fn fetch(&self, http: &reqwest::Client, target: &str) -> Result<Vec<u8>, ImageError> {
        let failed = |e: reqwest::Error| ImageError::Fetch(e.without_url().to_string());
        let mut answer = http.get(target).send().await.map_err(failed)?;
        if !answer.status().is_success() {
            return Err(ImageError::Status(answer.status().as_u16()));
        }
        if answer.content_length().is_some_and(|n| n > self.max_image) {
            return Err(ImageError::TooLarge(self.max_image));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = answer.chunk().await.map_err(failed)? {
            if (bytes.len() + chunk.len()) as u64 > self.max_image {
                return Err(ImageError::TooLarge(self.max_image));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }

    /// A kept picture, marked as just used; a file that is not one is dropped.
    fn read(&self, name: &str) -> Option<Image> {
        let path = self.dir.join(name);
        let bytes = match fs::metadata(&path) {
            Ok(meta) if meta.is_file() && meta.len() <= self.max_image => fs::read(&path).ok()?,
            Ok(_) => {
                self.forget(name);
                return None;
            }
            Err(_) => return None,
        };
        let Some(content_type) = sniff(&bytes) else {
            self.forget(name);
            return None;
        };
        let now = SystemTime::now();
        // The file's time carries the order over restarts; failing to set it only makes
        // eviction less exact.
        let _ = fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(now));
        if let Some(index) = lock(&self.index).as_mut() {
            if let Some(entry) = index.files.get_mut(name) {
                entry.1 = now;
            }
        }
        Some(Image {
            bytes,
            content_type,
        })
    }

    fn forget(&self, name: &str) {
        let _ = fs::remove_file(self.dir.join(name));
        if let Some(index) = lock(&self.index).as_mut() {
            if let Some((size, _)) = index.files.remove(name) {
                index.total -= size;
            }
        }
    }

    /// Writes a picture whole, then evicts the least recently used past the folder's cap.
    fn keep(&self, name: &str, bytes: &[u8]) -> Result<(), ImageError> {
        crate::paths::create_private_dir(&self.dir)?;
        crate::files::replace(&self.dir.join(name), |file| file.write_all(bytes))?;
        let mut guard = lock(&self.index);
        let index = match guard.as_mut() {
            Some(index) => index,
            // First write since start: the folder as it is (this file included).
            None => guard.insert(self.scan()),
        };
        let size = bytes.len() as u64;
        if let Some((old, _)) = index
            .files
            .insert(name.to_owned(), (size, SystemTime::now()))
        {
            index.total -= old;
        }
        index.total += size;
        if index.total > self.max_total {
            // Down to nine tenths, so the next few pictures do not each evict again.
            let goal = self.max_total / 10 * 9;
            let mut by_age: Vec<(SystemTime, String, u64)> = index
                .files
                .iter()
                .filter(|(kept, _)| kept.as_str() != name)
                .map(|(kept, (size, used))| (*used, kept.clone(), *size))
                .collect();
            by_age.sort();
            for (_, old, size) in by_age {
                if index.total <= goal {
                    break;
                }
                if fs::remove_file(self.dir.join(&old)).is_ok() || !self.dir.join(&old).exists() {
                    index.files.remove(&old);
                    index.total -= size;
                }
            }
        }
        Ok(())
    }

    /// The pictures in the folder, by last use; temporary files a crash left are removed.
    fn scan(&self) -> Index {
        let mut index = Index::default();
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return index;
        };
        let now = SystemTime::now();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(meta) = entry.metadata() else { continue };
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            if is_entry(&name) && meta.is_file() {
                index.total += meta.len();
                index.files.insert(name, (meta.len(), modified));
            } else if name.ends_with(".part")
                && now.duration_since(modified).unwrap_or_default() > STALE_PART
            {
                let _ = fs::remove_file(entry.path());
            }
        }
        index
    }
}

#[cfg(test)]
mod tests;
