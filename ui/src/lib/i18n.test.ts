import { describe, expect, it } from 'vitest';
import { errorCodes } from '../bindings/ErrorCode';
import { failureHint, failureText, languages, messages, noticeText, translate, type MessageKey } from './i18n';

/** The `{name}` placeholders of a message, sorted. */
const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

describe('i18n', () => {
  it('has every key in every language, none empty', () => {
    const keys = Object.keys(messages.en).sort();
    for (const language of languages) {
      expect(Object.keys(messages[language]).sort()).toEqual(keys);
      for (const key of keys) {
        expect(messages[language][key as MessageKey].trim()).not.toBe('');
      }
    }
  });

  it('has the same placeholders for a key in every language', () => {
    for (const key of Object.keys(messages.en) as MessageKey[]) {
      const expected = placeholders(messages.en[key]);
      for (const language of languages) {
        expect(placeholders(messages[language][key]), `${language} ${key}`).toEqual(expected);
      }
    }
  });

  it('actually translates the visible words', () => {
    expect(translate('zh-CN', 'nav.settings')).toBe('设置');
    expect(translate('en', 'nav.settings')).toBe('Settings');
    expect(translate('zh-CN', 'mode.demo')).toBe('演示数据');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('zh-CN', 'settings.languageSystem', { language: 'English' })).toBe(
      '跟随系统（English）',
    );
    expect(translate('en', 'settings.languageSystem')).toBe('Follow the system ({language})');
  });
});

describe('failure explanations', () => {
  it('explain every code the Rust side can fail with, in every language', () => {
    expect(errorCodes.length).toBeGreaterThan(30);
    const unexplained = languages.flatMap((language) =>
      errorCodes.filter((code) => !failureHint(language, code)?.trim()).map((code) => `${language}: ${code}`),
    );
    expect(unexplained).toEqual([]);
  });

  it('put the explanation in the reader\'s language, then what the failure names', () => {
    expect(failureHint('zh-CN', 'store.disk_full')).toContain('磁盘已满');
    expect(failureHint('zh-CN', 'keyring.unavailable')).toContain('gnome-keyring');
    expect(failureHint('en', 'store.disk_full')).toContain('disk is full');
    const failure = {
      code: 'store.disk_full',
      message: 'the disk holding /数据/pifa.db is full',
      params: { path: '/数据/pifa.db' },
    };
    // No English sentence from Rust in the Chinese text: only the path it names.
    expect(failureText('zh-CN', failure)).toBe('磁盘已满：未做任何更改，请释放空间后重试。（/数据/pifa.db）');
    expect(failureText('zh-CN', { ...failure, params: {} })).toBe('磁盘已满：未做任何更改，请释放空间后重试。');
    expect(failureText('zh-CN', { code: 'internal', message: 'a task stopped' })).toBe('Pifa 内部出错，请报告此问题。');
    // A bare number comes with its words.
    expect(
      failureText('zh-CN', { code: 'import.not_json', message: 'line 4 is not JSON', params: { line: '4' } }),
    ).toBe('这一行不是 JSON：每行须是一个 1688 返回结果。（第 4 行）');
    expect(failureText('en', failure)).toBe(
      'The disk is full: nothing was changed. Free some space and try again. (the disk holding /数据/pifa.db is full)',
    );
  });

  it('fall back to the Rust side\'s words for an unknown code', () => {
    expect(failureHint('zh-CN', 'no.such_code')).toBeNull();
    expect(failureText('zh-CN', { code: 'no.such_code', message: 'what happened' })).toBe('what happened');
  });
});

describe('notices', () => {
  const reset = { code: 'settings.reset', message: 'the settings file … was reset', path: '/d/settings.json.unreadable' };

  it('say what was reset in the reader\'s language, naming the kept file', () => {
    expect(noticeText('zh-CN', reset)).toBe(
      '设置文件无法读取（可能由更新版本的 Pifa 写入），所有设置已恢复默认。原文件保留为 /d/settings.json.unreadable。',
    );
    expect(noticeText('en', reset)).toContain('/d/settings.json.unreadable');
    expect(noticeText('zh-CN', { ...reset, code: 'cache.rebuilt' })).toContain('缓存');
  });

  it('fall back to the Rust side\'s words for an unknown code', () => {
    expect(noticeText('zh-CN', { ...reset, code: 'future.thing' })).toBe(reset.message);
  });
});
