//! Secrets kept out of what is shown and stored. Some gateways repeat the `Authorization`
//! header they received in an error body, and the hub's text becomes an error message, a
//! log line, a journal row, a page of the studio. The hub's answers are read as they came;
//! what the client makes of them for people (error messages, the kept JSON of an answer,
//! its `Debug`) goes through [`Redactor`] first.
//!
//! The key is replaced as a whole token: the word it is part of (letters, digits, `-` and
//! `_` around it) goes with it, so no part of it is left beside the mark. A key shorter
//! than [`MIN_SEARCHED_KEY`] characters is never searched for: `k`, `task` or `test` cannot
//! be told from ordinary text, and replacing them, even as whole words, would rewrite the
//! hub's messages ("the [redacted] failed", "/files/[redacted]/v.mp4"). Such a key is only
//! removed where its form says it is a credential (`Bearer <token>`).

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};
use serde_json::Value;

use crate::error::Error;

/// What a secret is replaced with.
const REDACTED: &str = "[redacted]";

/// The shortest key searched for in the hub's text (see the module documentation).
const MIN_SEARCHED_KEY: usize = 8;

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

/// `text` without `Bearer …` and `sk-…`-shaped tokens.
fn redact_patterns(text: &str) -> Cow<'_, str> {
    let bearer = BEARER.replace_all(text, format!("Bearer {REDACTED}"));
    match SK_TOKEN.replace_all(&bearer, REDACTED) {
        Cow::Owned(text) => Cow::Owned(text),
        Cow::Borrowed(_) => bearer,
    }
}

/// Removes one key (of [`MIN_SEARCHED_KEY`] characters or more), and every
/// `Bearer …`/`sk-…`-shaped token, from what is shown. The default one knows no key and
/// removes the token shapes alone (for text already without the key, cut to be shown).
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    /// The key and the word around it; `None` for a key too short to search for.
    key: Option<Regex>,
}

impl Redactor {
    /// A redactor of `key`.
    pub(crate) fn new(key: &str) -> Redactor {
        let key = (key.chars().count() >= MIN_SEARCHED_KEY).then(|| {
            let word = "[A-Za-z0-9_-]*";
            Regex::new(&format!("{word}{}{word}", regex::escape(key)))
                .expect("an escaped literal is a valid pattern")
        });
        Redactor { key }
    }

    /// Whether `text` holds the key (always false for a key too short to search for).
    pub(crate) fn finds_key(&self, text: &str) -> bool {
        self.key.as_ref().is_some_and(|key| key.is_match(text))
    }

    /// `text` without the key or anything shaped like a token.
    pub(crate) fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let without_key = match &self.key {
            Some(key) => key.replace_all(text, REDACTED),
            None => Cow::Borrowed(text),
        };
        match redact_patterns(&without_key) {
            Cow::Owned(text) => Cow::Owned(text),
            Cow::Borrowed(_) => without_key,
        }
    }

    /// [`Redactor::text`] of an owned string, reusing it when nothing changes.
    pub(crate) fn string(&self, text: String) -> String {
        match self.text(&text) {
            Cow::Owned(clean) => clean,
            Cow::Borrowed(_) => text,
        }
    }

    /// `error` with [`Redactor::text`] applied to the hub's text in it.
    pub(crate) fn error(&self, error: Error) -> Error {
        error.map_text(&|text| self.string(text))
    }

    /// `value` with [`Redactor::text`] applied to every string in it (object keys, the
    /// hub's field names, are kept).
    pub(crate) fn value(&self, value: &mut Value) {
        match value {
            Value::String(text) => *text = self.string(std::mem::take(text)),
            Value::Array(items) => items.iter_mut().for_each(|v| self.value(v)),
            Value::Object(map) => map.values_mut().for_each(|v| self.value(v)),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_key_and_token_shapes_go_the_rest_stays() {
        let redactor = Redactor::new("hub-secret.1");
        let text = "key hub-secret.1 refused; header was authorization: BEARER hub-secret.1";
        assert_eq!(
            redactor.text(text),
            "key [redacted] refused; header was authorization: BEARER [redacted]"
        );
        // `.` in the key is a literal, not any character.
        assert_eq!(redactor.text("hub-secretX1"), "hub-secretX1");
        // The whole word goes, not the key alone: nothing of it is left beside the mark.
        assert_eq!(
            redactor.text("token xhub-secret.12, then"),
            "token [redacted], then"
        );
        assert_eq!(
            redactor.text("Bearer sk-abcdefgh12345678\n"),
            "Bearer [redacted]\n"
        );
        assert_eq!(
            redactor.text("token sk-abcdefgh12345678."),
            "token [redacted]."
        );
        assert_eq!(
            redactor.text("task-0123456789 is done"),
            "task-0123456789 is done"
        );
        assert!(matches!(redactor.text("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_short_key_is_never_searched_for() {
        for key in ["k", "task", "test", "1234567"] {
            let redactor = Redactor::new(key);
            let text = "invalid or missing API key: the test task failed at /files/task/k.mp4";
            assert_eq!(redactor.text(text), text, "{key}");
            assert!(!redactor.finds_key(text), "{key}");
            // Its form still gives it away.
            assert_eq!(
                redactor.text(&format!("got Bearer {key}")),
                "got Bearer [redacted]"
            );
        }
        assert!(Redactor::new("12345678").finds_key("a 12345678 b"));
    }

    #[test]
    fn values_keep_their_shape_and_field_names() {
        let redactor = Redactor::new("sk-live-0123456789");
        let mut value = json!({
            "taskId": "t-1",
            "error": ["echo sk-live-0123456789", 3, null, {"deep": "sk-live-0123456789"}],
        });
        redactor.value(&mut value);
        assert_eq!(
            value,
            json!({
                "taskId": "t-1",
                "error": ["echo [redacted]", 3, null, {"deep": "[redacted]"}],
            })
        );
    }
}
