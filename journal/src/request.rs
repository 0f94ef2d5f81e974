//! What makes two requests the same: their hub, model, endpoint and input, the input's
//! object keys in sorted order (JSON objects keep the order their fields were written in).

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::job::NewJob;

/// `value` with the keys of every object in sorted order: a line's key (and a request's
/// digest) does not depend on the order its fields were written in.
pub(crate) fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by_key(|(k, _)| *k);
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), canonical(v)))
                    .collect(),
            )
        }
        Value::Array(list) => Value::Array(list.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// The hex SHA-256 of a request: its hub, model, endpoint and canonical input, each
/// preceded by its length so that no two requests run together into the same bytes. Jobs
/// with the same digest asked for the same generation (the column `request_digest`).
pub(crate) fn request_digest(hub: &str, model: &str, endpoint: &str, input: &Value) -> String {
    let input = canonical(input).to_string();
    let mut hash = Sha256::new();
    hash.update(b"request-digest-1");
    for part in [hub, model, endpoint, input.as_str()] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    hex::encode(hash.finalize())
}

/// [`request_digest`] of a job's stored columns; an input that is not JSON (a damaged row)
/// is hashed as the text it is, which no request's input matches.
pub(crate) fn stored_digest(hub: &str, model: &str, endpoint: &str, input: &str) -> String {
    let input = serde_json::from_str::<Value>(input).unwrap_or_else(|_| Value::from(input));
    request_digest(hub, model, endpoint, &input)
}

/// [`request_digest`] of a new job's request.
pub(crate) fn digest_of(new: &NewJob) -> String {
    let input = Value::Object(new.input.clone());
    request_digest(&new.hub, &new.model, &new.endpoint, &input)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_digest_ignores_key_order_and_keeps_fields_apart() {
        let a = json!({"prompt": "fox", "seed": 1});
        let b = json!({"seed": 1, "prompt": "fox"});
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
            stored_digest("h", "m", "/e", &b.to_string()),
            request_digest("h", "m", "/e", &a)
        );
        assert_ne!(
            stored_digest("h", "m", "/e", "{not json"),
            request_digest("h", "m", "/e", &a)
        );
    }
}
