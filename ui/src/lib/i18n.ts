// The UI's words in each language Pifa ships. The Rust side decides which language applies
// (the user's choice or the OS locale); this module only looks words up.
import type { Language } from '../bindings/Language';

const en = {
  'app.name': 'Pifa',
  'app.tagline': 'Wholesale sourcing on 1688',
  'nav.settings': 'Settings',
  'mode.demo': 'Demo data',
  'mode.live': 'Live 1688',
  'settings.title': 'Settings',
  'settings.about': 'About',
  'settings.version': 'Version',
  'settings.dataDir': 'Data directory',
  'settings.dataDirMissing': 'No usable data directory',
  'settings.mode': 'Mode',
  'settings.modeDemo': 'Demo: a built-in 1688 gateway with generated offers, no 1688 account needed',
  'settings.modeLive': 'Live: the 1688 Open Platform with your own app key',
  'settings.appearance': 'Language and appearance',
  'settings.language': 'Language',
  'settings.languageSystem': 'Follow the system ({language})',
  'settings.theme': 'Light and dark mode follow the system setting.',
  'language.en': 'English',
  'language.zh-CN': '简体中文',
  'error.title': 'Something went wrong',
  'error.dismiss': 'Dismiss',
  'loading': 'Loading…',
} as const;

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;

const zhCN: Messages = {
  'app.name': '批发 Pifa',
  'app.tagline': '1688 批发采购助手',
  'nav.settings': '设置',
  'mode.demo': '演示数据',
  'mode.live': '1688 正式环境',
  'settings.title': '设置',
  'settings.about': '关于',
  'settings.version': '版本',
  'settings.dataDir': '数据目录',
  'settings.dataDirMissing': '没有可用的数据目录',
  'settings.mode': '模式',
  'settings.modeDemo': '演示：内置的 1688 网关与生成的商品，无需 1688 账号',
  'settings.modeLive': '正式：使用您自己的 AppKey 连接 1688 开放平台',
  'settings.appearance': '语言与外观',
  'settings.language': '界面语言',
  'settings.languageSystem': '跟随系统（{language}）',
  'settings.theme': '浅色与深色模式跟随系统设置。',
  'language.en': 'English',
  'language.zh-CN': '简体中文',
  'error.title': '出现问题',
  'error.dismiss': '关闭',
  'loading': '加载中…',
};

export const messages: Record<Language, Messages> = { en, 'zh-CN': zhCN };

export const languages: readonly Language[] = ['zh-CN', 'en'];

/** The text for `key` in `language`, with `{name}` placeholders filled from `params`. */
export function translate(
  language: Language,
  key: MessageKey,
  params: Record<string, string> = {},
): string {
  return messages[language][key].replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}
