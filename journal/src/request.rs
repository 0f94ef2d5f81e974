//! What makes two requests the same: their hub, model, endpoint and input, the input's
//! object keys in sorted order (JSON objects keep the order their fields were written in).

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::job::NewJob;

/// The compact JSON text of the object `input` with the keys of every object in sorted
/// order: a line's key (and a request's digest) does not depend on the order its fields
/// were written in.
pub(crate) fn canonical_input(input: &Map<String, Value>) -> String {
    let mut text = Vec::with_capacity(256);
    write_object(input, &mut text);
    // Only JSON text was written.
    String::from_utf8(text).unwrap_or_default()
}

/// [`canonical_input`] of any JSON value.
fn canonical_text(value: &Value) -> String {
    let mut text = Vec::new();
    write_value(value, &mut text);
    String::from_utf8(text).unwrap_or_default()
}

/// Writes `map` as [`canonical_input`] does.
fn write_object(map: &Map<String, Value>, text: &mut Vec<u8>) {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by_key(|(k, _)| *k);
    text.push(b'{');
    for (i, (key, value)) in entries.into_iter().enumerate() {
        if i > 0 {
            text.push(b',');
        }
        write_scalar(key, text);
        text.push(b':');
        write_value(value, text);
    }
    text.push(b'}');
}

/// Writes `value` as [`canonical_input`] does.
fn write_value(value: &Value, text: &mut Vec<u8>) {
    match value {
        Value::Object(map) => write_object(map, text),
        Value::Array(list) => {
            text.push(b'[');
            for (i, item) in list.iter().enumerate() {
                if i > 0 {
                    text.push(b',');
                }
                write_value(item, text);
            }
            text.push(b']');
        }
        scalar => write_scalar(scalar, text),
    }
}

/// Writes a string, number, boolean or null as compact JSON.
fn write_scalar(scalar: &(impl serde::Serialize + ?Sized), text: &mut Vec<u8>) {
    // Writing to memory cannot fail, nor can serializing a string or a JSON value.
    let _ = serde_json::to_writer(text, scalar);
}

/// The hex SHA-256 of a request: its hub, model, endpoint and canonical input, each
/// preceded by its length so that no two requests run together into the same bytes. Jobs
/// with the same digest asked for the same generation (the column `request_digest`).
pub(crate) fn request_digest(
    hub: &str,
    model: &str,
    endpoint: &str,
    input: &Map<String, Value>,
) -> String {
    digest_of_parts(hub, model, endpoint, &canonical_input(input))
}

/// The hex SHA-256 of a request's parts, its input's canonical text last.
fn digest_of_parts(hub: &str, model: &str, endpoint: &str, input: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"request-digest-1");
    for part in [hub, model, endpoint, input] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    hex::encode(hash.finalize())
}

/// [`request_digest`] of a job's stored columns; an input that is not JSON (a damaged row)
/// is hashed as the text it is, which no request's input matches.
pub(crate) fn stored_digest(hub: &str, model: &str, endpoint: &str, input: &str) -> String {
    let input = serde_json::from_str::<Value>(input).unwrap_or_else(|_| Value::from(input));
    digest_of_parts(hub, model, endpoint, &canonical_text(&input))
}

/// [`request_digest`] of a new job's request.
pub(crate) fn digest_of(new: &NewJob) -> String {
    request_digest(&new.hub, &new.model, &new.endpoint, &new.input)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// `value` with the keys of every object sorted, as a JSON value.
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by_key(|(k, _)| *k);
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), sorted(v)))
                        .collect(),
                )
            }
            Value::Array(list) => Value::Array(list.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }

    #[test]
    fn the_canonical_text_is_serde_jsons_of_the_sorted_value() {
        // The text line keys and digests were made from before it was written directly.
        let value = json!({
            "z": [3, {"b": null, "a": -1.5e300}, "é\"\\\n\u{1}"],
            "a": {"y": true, "x": 18446744073709551615u64, "": ""},
            "m": 0.1,
        });
        let Value::Object(input) = &value else {
            unreachable!()
        };
        assert_eq!(canonical_input(input), sorted(&value).to_string());
        assert_eq!(canonical_text(&value), sorted(&value).to_string());
        assert_eq!(canonical_text(&json!([1, "x"])), "[1,\"x\"]");
    }

    #[test]
    fn the_digest_ignores_key_order_and_keeps_fields_apart() {
        let a = json!({"prompt": "fox", "seed": 1});
        let b = json!({"seed": 1, "prompt": "fox"});
        let (Value::Object(a), Value::Object(b)) = (a, b) else {
            unreachable!()
        };
        assert_eq!(
            request_digest("h", "m", "/e", &a),
            request_digest("h", "m", "/e", &b)
        );
        assert_ne!(
            request_digest("h", "m", "/e", &a),
            request_digest("h", "m", "/f", &a)
        );
        assert_ne!(
            request_digest("ab", "c", "/e", &a),
            request_digest("a", "bc", "/e", &a)
        );
        assert_eq!(
            stored_digest("h", "m", "/e", &Value::Object(b).to_string()),
            request_digest("h", "m", "/e", &a)
        );
        assert_ne!(
            stored_digest("h", "m", "/e", "{not json"),
            request_digest("h", "m", "/e", &a)
        );
    }
}
