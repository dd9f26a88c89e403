// The words of each language Pifa ships, kept in `ui/src/locales/*.json`: the Rust side reads the
// same files (pifa-core's `words`) for CSV headers and notifications, so every sentence a user
// reads has one home per language. The Rust side decides which language applies (the user's
// choice or the OS locale); this module only looks words up.
import type { Language } from '../bindings/Language';
import en from '../locales/en.json';
import zhCN from '../locales/zh-CN.json';

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;

// zh-CN must have every English key: the assignment fails the type check otherwise.
export const messages: Record<Language, Messages> = { en, 'zh-CN': zhCN satisfies Messages };

export const languages: readonly Language[] = ['zh-CN', 'en'];

/** The text for `key` in `language`, with `{name}` placeholders filled from `params`. */
export function translate(
  language: Language,
  key: MessageKey,
  params: Record<string, string> = {},
): string {
  return messages[language][key].replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}

/** The words for each notice code the Rust side sends (see `Notice`). */
const noticeKeys: Partial<Record<string, MessageKey>> = {
  'settings.reset': 'notice.settingsReset',
  'cache.rebuilt': 'notice.cacheRebuilt',
  'store.no_wal': 'notice.noWal',
};

/** A notice in `language`; one this UI has no words for shows the Rust side's English. */
export function noticeText(language: Language, notice: { code: string; message: string; path: string }): string {
  const key = noticeKeys[notice.code];
  return key ? translate(language, key, { path: notice.path }) : notice.message;
}

/** What a failure code means in `language`, or null for a code this UI has no words for. */
export function failureHint(language: Language, code: string): string | null {
  const key = `error.${code}`;
  return key in messages[language] ? messages[language][key as MessageKey] : null;
}

/** A failure as the user reads it: what its code means in their language, then what it names
 * (the files, offers and names in `params`). English readers get the Rust side's detailed message
 * instead, which names the same things in a sentence; an unknown code shows only that message. */
export function failureText(
  language: Language,
  failure: { code: string; message: string; params?: Record<string, string> },
): string {
  const explanation = failureHint(language, failure.code);
  if (!explanation) return failure.message;
  const detail =
    language === 'en'
      ? failure.message
      : Object.entries(failure.params ?? {})
          .filter(([, value]) => value.trim() !== '')
          .map(([name, value]) => paramText(language, name, value))
          .join(translate(language, 'list.separator'));
  return detail ? translate(language, 'error.withDetail', { explanation, detail }) : explanation;
}

/** A value a failure names: a path, ID or name as it is; a bare number with its words
 * (`error.param.line`: "第 4 行"), so "（4）" never stands alone. */
function paramText(language: Language, name: string, value: string): string {
  const key = `error.param.${name}`;
  return key in messages[language] ? translate(language, key as MessageKey, { value }) : value;
}

/** A phrase the Rust side sends as data (`{code, params}`, see bindings/Phrase) in `language`;
 * a code this UI has no words for shows `fallback` (the Rust side's English), else the code. */
export function phraseText(
  language: Language,
  phrase: { code: string; params: Record<string, string> },
  fallback?: string,
): string {
  if (phrase.code in messages[language]) return translate(language, phrase.code as MessageKey, phrase.params);
  return fallback?.trim() ? fallback : phrase.code;
}
