//! Pieces of SQL: the condition of an unfinished job, placeholders for many rows, `LIKE`
//! patterns.

/// The condition of an unfinished job, as the partial index `jobs_batch_open` states it
/// (a query must say it word for word for the index to serve it).
pub(super) const OPEN: &str = "state IN ('pending', 'submitting', 'submitted', 'completed')";

/// Keys (or digests) looked up per query, bound as one JSON array.
pub(super) const KEYS_PER_QUERY: usize = 500;

/// `rows` tuples of placeholders for a multi-row `INSERT`: each is `fixed` (the values
/// shared by every row, e.g. `$1, $2`) followed by `per_row` placeholders of its own,
/// numbered from `first`. Only placeholders: every value is bound.
pub(super) fn values(rows: usize, first: usize, fixed: &str, per_row: usize) -> String {
    (0..rows)
        .map(|row| {
            let own: Vec<String> = (0..per_row)
                .map(|i| format!("${}", first + row * per_row + i))
                .collect();
            format!("({fixed}, {})", own.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::JobState;

    #[test]
    fn open_names_the_unfinished_states() {
        let names: Vec<String> = JobState::UNFINISHED
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        assert_eq!(OPEN, format!("state IN ({})", names.join(", ")));
        let migration = include_str!("../../migrations/sqlite/0003_batches.sql");
        assert!(migration.contains(&format!("WHERE {OPEN}")));
        let migration = include_str!("../../migrations/postgres/0003_batches.sql");
        assert!(migration.contains(&format!("WHERE {OPEN}")));
    }

    #[test]
    fn values_are_placeholders_numbered_on() {
        assert_eq!(values(2, 3, "$1", 2), "($1, $3, $4), ($1, $5, $6)");
    }
}
