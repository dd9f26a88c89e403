import { afterEach, describe, expect, it, vi } from 'vitest';

// `convertFileSrc` as Tauri's own mock builds it (`@tauri-apps/api/mocks`), per platform.
let platform: 'linux' | 'windows' = 'linux';
vi.mock('@tauri-apps/api/core', () => ({
  convertFileSrc: (path: string, protocol = 'asset') => {
    const encoded = encodeURIComponent(path);
    return platform === 'windows' ? `http://${protocol}.localhost/${encoded}` : `${protocol}://localhost/${encoded}`;
  },
}));

const { imageSrc } = await import('./images');

describe('offer pictures', () => {
  afterEach(() => {
    platform = 'linux';
  });

  const url = 'https://cbu01.alicdn.com/img/ibank/O1CN01abc_!!2209441141338-0-cib.jpg?x=1#y';

  it('load through the pifa-image protocol with the whole URL in one path segment', () => {
    const src = imageSrc(url);
    expect(src).toBe(
      'pifa-image://localhost/https%3A%2F%2Fcbu01.alicdn.com%2Fimg%2Fibank%2FO1CN01abc_!!2209441141338-0-cib.jpg%3Fx%3D1%23y',
    );
    // What the Rust side decodes back.
    expect(decodeURIComponent(src.slice('pifa-image://localhost/'.length))).toBe(url);
  });

  it('use the http form Windows webviews need', () => {
    platform = 'windows';
    expect(imageSrc(url).startsWith('http://pifa-image.localhost/https%3A%2F%2F')).toBe(true);
  });
});
