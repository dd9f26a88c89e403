//! Request signatures, exactly as Alibaba's official SDKs compute them.
//!
//! `_aop_signature`: HMAC-SHA1 keyed with the app secret over the URL path
//! (`param2/{version}/{namespace}/{api}/{appKey}`) followed by every parameter's `key + value`,
//! with those *concatenated strings* sorted (not the keys), values raw UTF-8 (never URL-encoded),
//! empty parameters left out; uppercase hex.
//!
//! TOP (Taobao Open Platform) signatures, used by some aggregator gateways, sort by key instead.

use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use sha1::Sha1;
use sha2::Sha256;

/// The parameter that carries the signature, never itself signed.
pub const AOP_SIGNATURE: &str = "_aop_signature";

/// The part of an API URL that is signed: no host, no `/openapi/`, no query string.
pub fn url_path(version: &str, namespace: &str, api: &str, app_key: &str) -> String {
    format!("param2/{version}/{namespace}/{api}/{app_key}")
}

fn aop_message<K: AsRef<str>, V: AsRef<str>>(url_path: &str, params: &[(K, V)]) -> Vec<u8> {
    let mut items: Vec<String> = params
        .iter()
        .filter(|(k, v)| k.as_ref() != AOP_SIGNATURE && !v.as_ref().is_empty())
        .map(|(k, v)| format!("{}{}", k.as_ref(), v.as_ref()))
        .collect();
    items.sort_unstable();
    let mut message = url_path.as_bytes().to_vec();
    for item in items {
        message.extend_from_slice(item.as_bytes());
    }
    message
}

fn aop_mac<K: AsRef<str>, V: AsRef<str>>(
    url_path: &str,
    params: &[(K, V)],
    secret: &str,
) -> Hmac<Sha1> {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(&aop_message(url_path, params));
    mac
}

/// The `_aop_signature` of a request.
pub fn aop_signature<K: AsRef<str>, V: AsRef<str>>(
    url_path: &str,
    params: &[(K, V)],
    secret: &str,
) -> String {
    hex::encode_upper(aop_mac(url_path, params, secret).finalize().into_bytes())
}

/// Whether `given` is the right `_aop_signature`, compared in constant time.
pub fn verify_aop_signature<K: AsRef<str>, V: AsRef<str>>(
    url_path: &str,
    params: &[(K, V)],
    secret: &str,
    given: &str,
) -> bool {
    match hex::decode(given) {
        Ok(bytes) => aop_mac(url_path, params, secret)
            .verify_slice(&bytes)
            .is_ok(),
        Err(_) => false,
    }
}

/// TOP's `sign_method` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopSignMethod {
    Md5,
    Hmac,
    HmacSha256,
}

/// A TOP `sign`: parameters sorted by key, `sign`, empty values skipped, `key + value` joined.
pub fn top_signature<K: AsRef<str>, V: AsRef<str>>(
    params: &[(K, V)],
    secret: &str,
    method: TopSignMethod,
) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .filter(|(k, v)| *k != "sign" && !v.is_empty())
        .collect();
    pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let joined: String = pairs.iter().map(|(k, v)| format!("{k}{v}")).collect();
    match method {
        TopSignMethod::Md5 => {
            let digest = Md5::new()
                .chain_update(secret.as_bytes())
                .chain_update(joined.as_bytes())
                .chain_update(secret.as_bytes())
                .finalize();
            hex::encode_upper(digest)
        }
        TopSignMethod::Hmac => {
            let mut mac =
                <Hmac<Md5> as KeyInit>::new_from_slice(secret.as_bytes()).expect("any key length");
            mac.update(joined.as_bytes());
            hex::encode_upper(mac.finalize().into_bytes())
        }
        TopSignMethod::HmacSha256 => {
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
                .expect("any key length");
            mac.update(joined.as_bytes());
            hex::encode_upper(mac.finalize().into_bytes())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_official_aop_vector() {
        // open.1688.com/api/sysSignature.htm
        let path = "param2/1/system/currentTime/1000000";
        let signature = aop_signature(path, &[("b", "2"), ("a", "1")], "test123");
        assert_eq!(signature, "33E54F4F7B989E3E0E912D3FBD2F1A03CA7CCE88");
        assert!(verify_aop_signature(
            path,
            &[("a", "1"), ("b", "2")],
            "test123",
            &signature
        ));
        assert!(verify_aop_signature(
            path,
            &[("a", "1"), ("b", "2")],
            "test123",
            &signature.to_lowercase()
        ));
        assert!(!verify_aop_signature(
            path,
            &[("a", "1"), ("b", "3")],
            "test123",
            &signature
        ));
        assert!(!verify_aop_signature(
            path,
            &[("a", "1"), ("b", "2")],
            "test124",
            &signature
        ));
        assert!(!verify_aop_signature(
            path,
            &[("a", "1"), ("b", "2")],
            "test123",
            "not hex"
        ));
    }

    #[test]
    fn chinese_and_json_values_are_signed_raw() {
        // Checked against an independent implementation (Python's hmac over the SDKs' recipe).
        let path = url_path(
            "1",
            "com.alibaba.fenxiao.crossborder",
            "product.search.keywordQuery",
            "8888",
        );
        let params = [
            (
                "offerQueryParam",
                r#"{"keyword":"纯棉T恤","beginPage":1,"pageSize":20,"country":"en"}"#,
            ),
            ("access_token", "tok-1"),
            ("_aop_timestamp", "1764316800000"),
            ("_aop_signature", "ignored"),
            ("empty", ""),
        ];
        assert_eq!(
            aop_signature(&path, &params, "s3cr3t"),
            "123DA88D0D1367883455650FC2BD837BEFEEE469"
        );
    }

    #[test]
    fn sorting_concatenated_strings_is_not_sorting_keys() {
        // Keys sort a < ab, but the strings sort "ab1" < "ac": the SDKs sort the strings.
        let params = [("ab", "1"), ("a", "c")];
        assert_eq!(
            aop_signature("param2/1/x/y/1", &params, "k"),
            "44F2EE8DEA0AA92D7EBBD3B20AFD7843C46DC0EF"
        );
        assert_ne!(
            aop_signature("param2/1/x/y/1", &params, "k"),
            "9732A6431452ABF93184A21C26E911C03B127AE7"
        );
    }

    #[test]
    fn the_official_top_vector_and_the_hmac_methods() {
        let params = [
            ("app_key", "12345678"),
            ("fields", "num_iid,title,nick,price,num"),
            ("format", "json"),
            ("method", "taobao.item.seller.get"),
            ("num_iid", "11223344"),
            ("session", "test"),
            ("sign_method", "md5"),
            ("timestamp", "2016-01-01 12:00:00"),
            ("v", "2.0"),
            ("sign", "ignored"),
        ];
        assert_eq!(
            top_signature(&params, "helloworld", TopSignMethod::Md5),
            "66987CB115214E59E6EC978214934FB8"
        );
        // The HMAC methods, checked against Python's hmac over the same recipe.
        assert_eq!(
            top_signature(&params, "helloworld", TopSignMethod::Hmac),
            "B4DDA503460D60A86B16E950E5D303E9"
        );
        assert_eq!(
            top_signature(&params, "helloworld", TopSignMethod::HmacSha256),
            "6B7EB7E1C35D068D69538D80282A37DFBF29B4DB11B451881AF51890626138B3"
        );
    }
}
