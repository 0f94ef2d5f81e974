//! Secrets removed from what the hub sends back: some gateways repeat the `Authorization`
//! header they received in an error body, and that body becomes an error message, a log
//! line, a journal row, a page of the studio. Every body the transport reads goes through
//! [`Redactor::redact`] first.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::bytes::{Regex, RegexBuilder};

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// `Bearer <token>`, the form of an `Authorization` header.
static BEARER: LazyLock<Regex> = LazyLock::new(|| {
    RegexBuilder::new(r"\bbearer[ \t]+[A-Za-z0-9._~+/=-]+")
        .case_insensitive(true)
        .build()
        .expect("a valid pattern")
});

/// `sk-…`, the form of most API keys (a word of its own, at least 8 characters after `sk-`).
static SK_TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bsk-[A-Za-z0-9_-]{8,}").expect("a valid pattern"));

/// Removes `Bearer …` and `sk-…`-shaped tokens from `text`.
///
/// ```
/// use videohub_core::__private::redact_secrets;
///
/// assert_eq!(
///     redact_secrets("got Authorization: Bearer abc.DEF-123 and sk-0123456789abcdef"),
///     "got Authorization: Bearer [redacted] and [redacted]"
/// );
/// assert_eq!(redact_secrets("task-0123456789 is done"), "task-0123456789 is done");
/// ```
pub fn redact_secrets(text: &str) -> Cow<'_, str> {
    match redact_patterns(text.as_bytes()) {
        // Only ASCII was replaced by ASCII: still UTF-8.
        Cow::Owned(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
        Cow::Borrowed(_) => Cow::Borrowed(text),
    }
}

fn redact_patterns(bytes: &[u8]) -> Cow<'_, [u8]> {
    let bearer = BEARER.replace_all(bytes, format!("Bearer {REDACTED}").as_bytes());
    match SK_TOKEN.replace_all(&bearer, REDACTED.as_bytes()) {
        Cow::Owned(bytes) => Cow::Owned(bytes),
        Cow::Borrowed(_) => bearer,
    }
}

/// Removes one key, and every `Bearer …`/`sk-…`-shaped token, from bodies.
#[derive(Clone)]
pub(crate) struct Redactor {
    key: Regex,
}

impl Redactor {
    /// A redactor of `key` (not empty).
    pub(crate) fn new(key: &str) -> Redactor {
        Redactor {
            key: Regex::new(&regex::escape(key)).expect("an escaped literal is a valid pattern"),
        }
    }

    /// `body` without the key or anything shaped like a token.
    pub(crate) fn redact(&self, body: Vec<u8>) -> Vec<u8> {
        let without_key = match self.key.replace_all(&body, REDACTED.as_bytes()) {
            Cow::Owned(bytes) => bytes,
            Cow::Borrowed(_) => body,
        };
        match redact_patterns(&without_key) {
            Cow::Owned(bytes) => bytes,
            Cow::Borrowed(_) => without_key,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_and_token_shapes_go_the_rest_stays() {
        let redactor = Redactor::new("hub-secret.1");
        let body = br#"{"error":"key hub-secret.1 refused; header was authorization: BEARER hub-secret.1","id":"task-12345678"}"#;
        let clean = String::from_utf8(redactor.redact(body.to_vec())).unwrap();
        assert_eq!(
            clean,
            r#"{"error":"key [redacted] refused; header was authorization: BEARER [redacted]","id":"task-12345678"}"#
        );
        let json: serde_json::Value = serde_json::from_str(&clean).expect("still JSON");
        assert_eq!(json["id"], "task-12345678");
        // `.` in the key is a literal, not any character.
        assert_eq!(redactor.redact(b"hub-secretX1".to_vec()), b"hub-secretX1");
        assert_eq!(
            redactor.redact(b"Bearer sk-abcdefgh12345678\n".to_vec()),
            b"Bearer [redacted]\n"
        );
        assert_eq!(
            redactor.redact(b"token sk-abcdefgh12345678.".to_vec()),
            b"token [redacted]."
        );
    }
}
