import { describe, expect, it } from 'vitest';
import en from '../locales/en.json';
import zhCN from '../locales/zh-CN.json';
import { phraseText } from './i18n';

// The catalogs are plain JSON so Rust can read them too; these checks stand in for what a typed
// catalog would catch: a call that forgets a placeholder, and English left in the Chinese one.

const placeholders = (text: string): string[] => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))].sort();

/** The top-level property names of an object literal's body, or null when they cannot be known
 * (a spread). */
function propertyNames(body: string): string[] | null {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = '';
  for (const c of body) {
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"' || c === '`') {
      quote = c;
    } else if ('([{'.includes(c)) {
      depth++;
    } else if (')]}'.includes(c)) {
      depth--;
    } else if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  parts.push(current);
  const names: string[] = [];
  for (const part of parts.map((p) => p.trim()).filter(Boolean)) {
    if (part.startsWith('...')) return null;
    const name = part.match(/^['"]?(\w+)['"]?\s*(?::|$)/)?.[1];
    if (!name) return null;
    names.push(name);
  }
  return names.sort();
}

/** The object literal starting at `text[open]` (a `{`), without its braces. */
function objectAt(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

interface Call {
  file: string;
  key: string;
  /** The names passed, [] for no params, null when they cannot be read. */
  params: string[] | null;
}

/** Every `t('key', …)` and `translate(language, 'key', …)` with a literal key in the UI's source. */
function calls(): Call[] {
  const sources = import.meta.glob(['../**/*.ts', '../**/*.svelte', '!../**/*.test.ts'], {
    query: '?raw',
    import: 'default',
    eager: true,
  }) as Record<string, string>;
  const found: Call[] = [];
  const pattern = /(?:\bt\(|\btranslate\([^,()]+,)\s*'([\w.-]+)'\s*(\)|,\s*)/g;
  for (const [file, text] of Object.entries(sources)) {
    for (const match of text.matchAll(pattern)) {
      const key = match[1]!;
      const after = match.index! + match[0].length;
      let params: string[] | null = [];
      if (match[2] !== ')') {
        params = text[after] === '{' ? propertyNames(objectAt(text, after)) : null;
      }
      found.push({ file, key, params });
    }
  }
  return found;
}

describe('the catalog', () => {
  it('has the same keys and placeholders in zh-CN and en', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
    const differ = Object.entries(en)
      .filter(([key, text]) => placeholders(text).join() !== placeholders((zhCN as Record<string, string>)[key] ?? '').join())
      .map(([key]) => key);
    expect(differ).toEqual([]);
  });

  it('is given every placeholder of a message wherever the UI uses it', () => {
    const found = calls();
    expect(found.length).toBeGreaterThan(200);
    const messages = en as Record<string, string>;
    const wrong = found
      .filter((call) => call.params !== null)
      .filter((call) => !(call.key in messages) || placeholders(messages[call.key]!).join() !== call.params!.join())
      .map((call) => `${call.file}: ${call.key} given {${call.params!.join(', ')}}, needs {${placeholders(messages[call.key] ?? '').join(', ')}}`);
    expect(wrong).toEqual([]);
  });

  it('has no English prose in the Chinese catalog', () => {
    // Names and codes a Chinese buyer reads as they are.
    const allowed = /\b(?:Pifa|AppKey|App|Secret|Key|SKU|MOQ|CSV|Excel|English|ID|URL|https?)\b/g;
    const prose = Object.entries(zhCN as Record<string, string>)
      .filter(([, text]) => !/[\u3400-\u9fff]/.test(text))
      .filter(([, text]) => {
        const words = text.replace(/\{\w+\}/g, '').replace(/https?:\/\/\S+/g, '').replace(allowed, '');
        return (words.match(/[A-Za-z]{2,}/g) ?? []).length >= 3;
      })
      .map(([key, text]) => `${key}: ${text}`);
    expect(prose).toEqual([]);
  });
});

describe('the placeholder check', () => {
  it('reads the names of an object literal, and gives up on a spread', () => {
    expect(propertyNames(" qty: String(q.billedQty), unit: yuan(f(a, b)), total ")).toEqual(['qty', 'total', 'unit']);
    expect(propertyNames('...rest, qty: 1')).toBeNull();
    expect(objectAt("x{ a: { b: 1 }, c }y", 1)).toBe(' a: { b: 1 }, c ');
  });
});

describe('phrases from the Rust side', () => {
  it('read in the reader\'s language with their params', () => {
    const problem = { code: 'quote.skuWithoutPrice', params: { sku: '蓝色 XL' } };
    expect(phraseText('zh-CN', problem)).toBe('SKU 蓝色 XL 没有单独的价格。');
    expect(phraseText('en', problem)).toBe('SKU 蓝色 XL has no price of its own.');
    const warning = { code: 'clean.priceRange', params: { value: '"5-8"' }, problem: '"5-8" is a price range' };
    expect(phraseText('zh-CN', warning, warning.problem)).toBe('"5-8" 是价格区间而不是单一价格，已留空');
  });

  it('fall back to the Rust side\'s English for a code this UI has no words for, or none', () => {
    expect(phraseText('zh-CN', { code: '', params: {} }, 'stored before codes')).toBe('stored before codes');
    expect(phraseText('zh-CN', { code: 'future.thing', params: {} })).toBe('future.thing');
  });
});
