import { describe, expect, it } from 'vitest';
import { failureHint, languages, messages, translate, type MessageKey } from './i18n';

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

describe('failure hints', () => {
  it('explain stable codes in Chinese and leave English to the Rust message', () => {
    expect(failureHint('zh-CN', 'store.disk_full')).toContain('磁盘已满');
    expect(failureHint('zh-CN', 'keyring.unavailable')).toContain('gnome-keyring');
    expect(failureHint('en', 'store.disk_full')).toBeNull();
    expect(failureHint('zh-CN', 'no.such_code')).toBeNull();
  });
});
