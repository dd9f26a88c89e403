// uPlot builds an `Intl.NumberFormat` for `navigator.language` when its module loads. Under a
// POSIX locale (LANG=C, as on servers and in the E2E run) WebKitGTK reports the language as
// "C", which Intl refuses with a RangeError, and the whole UI would fail to start. Imported
// before uPlot, this gives such a webview a language Intl accepts; a usable one is left alone.
export function usableLanguage(language: string | undefined): boolean {
  try {
    new Intl.NumberFormat(language);
    return true;
  } catch {
    return false;
  }
}

if (typeof navigator !== 'undefined' && !usableLanguage(navigator.language)) {
  Object.defineProperty(navigator, 'language', { configurable: true, get: () => 'en-US' });
}
