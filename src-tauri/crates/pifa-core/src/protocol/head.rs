//! The fields by which an answer reports a business failure (`errMsg`, `success`, `code`,
//! `message`, and the same one level down under `result`), read while the rest of the answer
//! is only checked to be JSON: a detail answer is parsed once more by the cleaner, so building
//! all of it here would be a second full parse for four fields.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

/// What an answer says of its own success.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Head {
    pub err_msg: Option<String>,
    /// Only a JSON `false` is a failure here; `"false"` is the cleaner's to read.
    pub failed: bool,
    pub code: Option<String>,
    pub message: Option<String>,
    /// `result`'s own head (an empty one when `result` is no object).
    pub result: Option<Box<Head>>,
}

impl Head {
    /// The head of an answer's text; an error when the text is not JSON.
    pub fn of_text(text: &str) -> serde_json::Result<Head> {
        let mut reader = serde_json::Deserializer::from_str(text);
        let head = Levels(1).deserialize(&mut reader)?;
        reader.end()?;
        Ok(head)
    }
}

/// A string, or a number as its text; anything else (an empty string too) is nothing.
fn text(value: Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum Key {
    ErrMsg,
    Success,
    Code,
    Message,
    Result,
    #[serde(other)]
    Other,
}

/// A head that reads `result` as a head this many levels further down.
#[derive(Clone, Copy)]
struct Levels(u8);

impl<'de> DeserializeSeed<'de> for Levels {
    type Value = Head;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Head, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Levels {
    type Value = Head;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Head, A::Error> {
        let mut head = Head::default();
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::ErrMsg => head.err_msg = text(map.next_value()?),
                Key::Success => head.failed = map.next_value::<Value>()? == Value::Bool(false),
                Key::Code => head.code = text(map.next_value()?),
                Key::Message => head.message = text(map.next_value()?),
                Key::Result if self.0 > 0 => {
                    let result = map.next_value_seed(Levels(self.0 - 1))?;
                    head.result = Some(Box::new(result));
                }
                Key::Result | Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(head)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Head, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Head::default())
    }

    fn visit_bool<E>(self, _: bool) -> Result<Head, E> {
        Ok(Head::default())
    }

    fn visit_i64<E>(self, _: i64) -> Result<Head, E> {
        Ok(Head::default())
    }

    fn visit_u64<E>(self, _: u64) -> Result<Head, E> {
        Ok(Head::default())
    }

    fn visit_f64<E>(self, _: f64) -> Result<Head, E> {
        Ok(Head::default())
    }

    fn visit_str<E>(self, _: &str) -> Result<Head, E> {
        Ok(Head::default())
    }

    fn visit_unit<E>(self) -> Result<Head, E> {
        Ok(Head::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The head as a plain reading of the parsed answer, `levels` deep: what reading the text
    /// must agree with.
    fn head_of(answer: &Value, levels: u8) -> Head {
        let Some(map) = answer.as_object() else {
            return Head::default();
        };
        let text_at = |key| map.get(key).cloned().and_then(text);
        Head {
            err_msg: text_at("errMsg"),
            failed: map.get("success") == Some(&Value::Bool(false)),
            code: text_at("code"),
            message: text_at("message"),
            result: map
                .get("result")
                .filter(|_| levels > 0)
                .map(|result| Box::new(head_of(result, levels - 1))),
        }
    }

    #[test]
    fn the_text_and_the_parsed_answer_give_the_same_head() {
        for answer in [
            json!({"result": {"success": false, "code": 500, "message": "商品不存在", "result": {"success": false}}}),
            json!({"productInfo": null, "errMsg": "商品[1]不存在", "success": "false"}),
            json!({"success": false, "code": "", "message": ["not", "text"]}),
            json!({"result": "not an object", "errMsg": null}),
            json!([1, {"success": false}]),
            json!("text"),
            json!(null),
        ] {
            let head = Head::of_text(&answer.to_string()).unwrap();
            assert_eq!(head, head_of(&answer, 1), "{answer}");
        }
        let nested = Head::of_text(r#"{"result":{"success":false,"code":"500_004"}}"#).unwrap();
        let result = nested.result.unwrap();
        assert!(result.failed);
        assert_eq!(result.code.as_deref(), Some("500_004"));
        assert_eq!(result.result, None, "only one level down");
    }

    #[test]
    fn text_that_is_not_json_is_refused() {
        for text in [
            "",
            "{",
            r#"{"result":{"success":false}"#,
            "{} trailing",
            "{\"a\":tru}",
        ] {
            assert!(Head::of_text(text).is_err(), "{text}");
        }
    }

    fn any_answer() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            "\\PC{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("errMsg".to_owned()),
                        Just("success".to_owned()),
                        Just("code".to_owned()),
                        Just("message".to_owned()),
                        Just("result".to_owned()),
                        "[a-z]{1,6}",
                    ],
                    inner,
                    0..6,
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn any_answer_reads_alike_as_text_and_as_value(answer in any_answer()) {
            proptest::prop_assert_eq!(Head::of_text(&answer.to_string()).unwrap(), head_of(&answer, 1));
        }

        #[test]
        fn any_text_is_read_or_refused_without_a_panic(text in "\\PC{0,64}") {
            let _ = Head::of_text(&text);
        }
    }
}
