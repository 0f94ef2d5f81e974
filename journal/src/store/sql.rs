//! Pieces of SQL made from values: lists of states and keys, `LIKE` patterns.

use crate::state::JobState;

/// `('pending', 'submitted')`: the states' names are fixed words, safe in SQL.
pub(super) fn state_list(states: &[JobState]) -> String {
    let names: Vec<String> = states.iter().map(|s| format!("'{}'", s.as_str())).collect();
    format!("({})", names.join(", "))
}

/// `('ab12…', …)`: line keys and job ids are hex digits, safe in SQL; anything else is left
/// out. An empty list is `('')`, which matches nothing.
pub(super) fn key_list(keys: &[String]) -> String {
    let safe: Vec<String> = keys
        .iter()
        .filter(|k| k.chars().all(|c| c.is_ascii_hexdigit()))
        .map(|k| format!("'{k}'"))
        .collect();
    if safe.is_empty() {
        "('')".to_owned()
    } else {
        format!("({})", safe.join(", "))
    }
}

/// `text` with `%`, `_` and `\` escaped for a `LIKE … ESCAPE '\'` pattern.
pub(super) fn like_escaped(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// `text` as it appears inside a JSON string, to search stored inputs.
pub(super) fn json_text(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted[1..quoted.len().saturating_sub(1).max(1)].to_owned()
}
