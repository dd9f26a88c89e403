import { convertFileSrc } from '@tauri-apps/api/core';

// Pictures from 1688's CDN: one that fails to load is hidden rather than shown broken.
export function hideBroken(event: Event): void {
  (event.currentTarget as HTMLImageElement).style.display = 'none';
}

/** The app's protocol for offer pictures (`src-tauri/src/images.rs`). */
export const IMAGE_PROTOCOL = 'pifa-image';

/**
 * Where the window loads an offer picture from: the `pifa-image` protocol, which answers from
 * the disk cache and decides in Rust what may be fetched (1688's image hosts, or the demo
 * double). `pifa-image://localhost/<url>` on Linux and macOS, `http://pifa-image.localhost/<url>`
 * on Windows, the URL percent-encoded.
 */
export function imageSrc(url: string): string {
  return convertFileSrc(url, IMAGE_PROTOCOL);
}
