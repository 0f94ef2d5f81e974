//! Bodies on the wire: the submit's JSON written once, answers read with a cap, the
//! hub's message taken from an error body, and the mapping of HTTP answers to [`Error`]s.

use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::redact::Redactor;

/// The largest successful API body read (model catalogs with schemas included).
pub(crate) const API_BODY_CAP: usize = 8 * 1024 * 1024;
/// The part of an error body that is read.
pub(crate) const ERROR_BODY_CAP: usize = 64 * 1024;
/// The longest body excerpt put into an error.
pub(crate) const EXCERPT_CHARS: usize = 512;

/// Why a body could not be read whole.
#[derive(Debug)]
pub(crate) enum ReadError {
    Transport(reqwest::Error),
    TooLarge,
}

/// Reads a body, failing once it passes `cap` bytes.
pub(crate) async fn read_capped(mut response: Response, cap: usize) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? {
        if body.len() + chunk.len() > cap {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads at most `cap` bytes of a body and drops the rest; errors end the read quietly.
pub(crate) async fn read_prefix(mut response: Response, cap: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = cap - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= cap {
            break;
        }
    }
    body
}

/// The beginning of a body, as text to show: without what `redactor` removes (before it is
/// cut, so that no part of a key is left at the end), bounded.
pub(crate) fn excerpt(body: &[u8], redactor: &Redactor) -> String {
    let text = String::from_utf8_lossy(body);
    let text = redactor.text(&text);
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().nth(EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// The hub's message and code from an error body: JSON (`error`, `message`, `detail`,
/// `code`, possibly nested under `error`) or plain text; the body is read as it came, the
/// texts taken from it are without what `redactor` removes.
pub(crate) fn hub_message(
    status: StatusCode,
    body: &[u8],
    redactor: &Redactor,
) -> (String, Option<String>) {
    let fallback = || status.canonical_reason().unwrap_or("no message").to_owned();
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
        let mut message = None;
        let text_of = |value: &Value| text_of(value, redactor);
        let mut code = map.get("code").and_then(text_of);
        for key in ["message", "error", "detail", "error_message", "msg"] {
            match map.get(key) {
                Some(Value::Object(inner)) => {
                    message = message.or_else(|| {
                        ["message", "detail", "error"]
                            .iter()
                            .find_map(|k| inner.get(*k).and_then(text_of))
                    });
                    code = code.or_else(|| inner.get("code").and_then(text_of));
                }
                Some(value) => message = message.or_else(|| text_of(value)),
                None => {}
            }
        }
        return (message.unwrap_or_else(|| excerpt(body, redactor)), code);
    }
    let text = excerpt(body, redactor);
    let text = text.trim();
    (
        if text.is_empty() {
            fallback()
        } else {
            text.to_owned()
        },
        None,
    )
}

fn text_of(value: &Value, redactor: &Redactor) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(redactor.text(s.trim()).into_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(_) | Value::Object(_) => Some(
            redactor
                .text(&value.to_string())
                .chars()
                .take(EXCERPT_CHARS)
                .collect(),
        ),
        _ => None,
    }
}

/// The error for a non-success answer, its texts without what `redactor` removes.
pub(crate) fn status_error(
    status: StatusCode,
    retry_after: Option<Duration>,
    body: &[u8],
    redactor: &Redactor,
) -> Error {
    let (message, code) = hub_message(status, body, redactor);
    let code_num = status.as_u16();
    match code_num {
        400 | 422 => Error::BadRequest {
            status: code_num,
            message,
            code,
        },
        401 | 403 => Error::Auth {
            status: code_num,
            message,
        },
        402 => Error::InsufficientCredits { message },
        404 => Error::NotFound { message },
        429 => Error::RateLimited {
            retry_after,
            message,
        },
        500..=599 => Error::Server {
            status: code_num,
            message,
        },
        _ => Error::Http {
            status: code_num,
            message,
        },
    }
}

/// The body of a submit, `{"model": …, "input": …}`, serialized once straight from the
/// request: no intermediate JSON tree.
pub fn submit_body<I: Serialize + ?Sized>(model: &str, input: &I) -> Result<Vec<u8>> {
    #[derive(Serialize)]
    struct SubmitBody<'a, I: ?Sized> {
        model: &'a str,
        input: &'a I,
    }
    serde_json::to_vec(&SubmitBody { model, input }).map_err(|e| Error::Encode {
        message: e.to_string(),
    })
}

/// `body` as JSON, as it came, or [`Error::Decode`] with an excerpt of it (without what
/// `redactor` removes).
pub(crate) fn decode_json(body: &[u8], redactor: &Redactor) -> Result<Value> {
    serde_json::from_slice(body).map_err(|e| Error::Decode {
        message: e.to_string(),
        excerpt: excerpt(body, redactor),
    })
}

/// The error of a successful answer past [`API_BODY_CAP`].
pub(crate) fn too_large() -> Error {
    Error::Decode {
        message: format!("the body is larger than {API_BODY_CAP} bytes"),
        excerpt: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_from_json_and_text() {
        let s = StatusCode::BAD_REQUEST;
        let plain = Redactor::new("k");
        let hub_message = |s, body: &[u8]| super::hub_message(s, body, &plain);
        assert_eq!(
            hub_message(s, br#"{"error":"bad prompt","code":"E1"}"#),
            ("bad prompt".into(), Some("E1".into()))
        );
        assert_eq!(hub_message(s, br#"{"detail":"nope"}"#).0, "nope");
        assert_eq!(
            hub_message(s, br#"{"error":{"message":"deep","code":7}}"#),
            ("deep".into(), Some("7".into()))
        );
        assert_eq!(hub_message(s, b"plain words\n").0, "plain words");
        assert_eq!(hub_message(s, b"").0, "Bad Request");
        let long = vec![b'x'; 10_000];
        assert!(hub_message(s, &long).0.chars().count() <= EXCERPT_CHARS + 1);
    }

    #[test]
    fn no_part_of_the_key_is_left_where_an_excerpt_is_cut() {
        let key = "hub-key-0123456789";
        let redactor = Redactor::new(key);
        for at in EXCERPT_CHARS - key.len()..=EXCERPT_CHARS {
            let body = format!(
                "{}{key} and more",
                "x ".repeat(at / 2) + &" ".repeat(at % 2)
            );
            let shown = excerpt(body.as_bytes(), &redactor);
            assert!(!shown.contains("hub-key"), "{at}: {shown}");
            let listed = format!(r#"{{"error": ["{body}"]}}"#);
            let (message, _) =
                super::hub_message(StatusCode::BAD_REQUEST, listed.as_bytes(), &redactor);
            assert!(!message.contains("hub-key"), "{at}: {message}");
        }
    }
}
