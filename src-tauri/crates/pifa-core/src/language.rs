//! The UI languages Pifa speaks and how the default is chosen from the OS locale.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum Language {
    #[serde(rename = "en")]
    English,
    #[serde(rename = "zh-CN")]
    SimplifiedChinese,
}

impl Language {
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::SimplifiedChinese => "zh-CN",
        }
    }

    /// The language for a BCP 47 or POSIX locale such as `zh-CN`, `zh_TW.UTF-8` or `en-US`.
    /// Every Chinese locale gets Simplified Chinese (the only Chinese we ship); anything else,
    /// including an empty or unparsable locale, gets English.
    pub fn for_locale(locale: &str) -> Language {
        let primary = locale
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or_default();
        if primary.eq_ignore_ascii_case("zh") {
            Language::SimplifiedChinese
        } else {
            Language::English
        }
    }

    /// The language the OS asks for, English when it says nothing.
    pub fn from_os() -> Language {
        sys_locale::get_locale()
            .map(|locale| Language::for_locale(&locale))
            .unwrap_or(Language::English)
    }
}

impl std::str::FromStr for Language {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "en" => Ok(Language::English),
            "zh-CN" => Ok(Language::SimplifiedChinese),
            other => Err(Error::UnknownLanguage(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_locales_choose_simplified_chinese() {
        for locale in ["zh-CN", "zh_CN.UTF-8", "zh-Hans-CN", "zh_TW", "ZH"] {
            assert_eq!(
                Language::for_locale(locale),
                Language::SimplifiedChinese,
                "{locale}"
            );
        }
    }

    #[test]
    fn other_locales_choose_english() {
        for locale in ["en-US", "en_GB.UTF-8", "de-DE", "C", "POSIX", "", "zhx"] {
            assert_eq!(Language::for_locale(locale), Language::English, "{locale}");
        }
    }

    #[test]
    fn tags_round_trip_through_serde_and_from_str() {
        for language in [Language::English, Language::SimplifiedChinese] {
            let json = serde_json::to_string(&language).unwrap();
            assert_eq!(json, format!("\"{}\"", language.tag()));
            assert_eq!(language.tag().parse::<Language>().unwrap(), language);
        }
        let err = "fr".parse::<Language>().unwrap_err();
        assert_eq!(err.code(), "settings.unknown_language");
        assert!(err.to_string().contains("\"fr\""));
    }
}
