//! Offer pictures for the window: from the disk cache, else from 1688's CDN, or in demo mode
//! from the gateway double, which serves the pictures its answers name.

use pifa_core::images::{Image, ImageCache, ImageError, Origin};
use pifa_core::{DataDir, Mode};

use crate::Workbench;

pub(crate) fn open(data_dir: Option<&DataDir>) -> Option<ImageCache> {
    let dir = data_dir?.image_cache_dir();
    ImageCache::new(dir)
        .inspect_err(|e| tracing::error!("offer pictures cannot be fetched: {e}"))
        .ok()
}

impl Workbench {
    /// The picture at an offer's image URL (https on 1688's image hosts only), from the disk
    /// cache or fetched and kept.
    pub async fn offer_image(&self, url: &str) -> Result<Image, ImageError> {
        let cache =
            self.inner.images.as_ref().ok_or_else(|| {
                ImageError::Disk(std::io::Error::other("no usable data directory"))
            })?;
        match self.account().mode {
            Mode::Live => cache.get(url, Origin::Live).await,
            Mode::Demo => {
                // Checked before the double starts for it.
                pifa_core::images::checked_url(url)?;
                // Held while fetching: it keeps the in-process double serving.
                let online = self
                    .online()
                    .await
                    .map_err(|e| ImageError::Fetch(e.message))?;
                let base = online.client.config().gateway.clone();
                cache.get(url, Origin::Double(&base)).await
            }
        }
    }
}
