//! What the tool prints: a failed command's error, tables, JSON.

use std::error::Error;
use std::fmt::Display;
use std::process::ExitCode;

use crate::exit::Exit;

/// A failed command: one line for the user, the causes for `-v`.
#[derive(Debug)]
pub(crate) struct Failure {
    pub exit: Exit,
    pub message: String,
    pub source: Option<Box<dyn Error + Send + Sync>>,
}

impl Failure {
    /// A failure with no further cause.
    pub(crate) fn new(exit: Exit, message: impl Display) -> Self {
        Failure {
            exit,
            message: message.to_string(),
            source: None,
        }
    }

    /// A usage or validation error: nothing was sent.
    pub(crate) fn usage(message: impl Display) -> Self {
        Failure::new(Exit::Usage, message)
    }

    /// Prints the error (and with `-v` its causes) on standard error.
    pub(crate) fn report(self, verbose: u8) -> ExitCode {
        eprintln!("error: {}", self.message);
        if verbose > 0 {
            let mut cause = self.source.as_deref().map(|e| e as &(dyn Error + 'static));
            while let Some(error) = cause {
                eprintln!("  caused by: {error}");
                cause = error.source();
            }
        }
        self.exit.into()
    }
}

/// Prints rows as aligned columns, the first row being the header.
pub(crate) fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let last = row.len().saturating_sub(1);
        for (c, cell) in row.iter().enumerate() {
            if c == last {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<width$}  ", width = widths[c]));
            }
        }
        out.push('\n');
    }
    out
}

/// `value` as human output shows it: every `data:` URI in it shortened to its type and size,
/// e.g. `data:image/png;base64,… (11.0 KB)` (`--json` output keeps them whole).
pub(crate) fn shortened(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(text) => match text.strip_prefix("data:").and_then(|t| t.split_once(',')) {
            Some((head, data)) => {
                let size = data.trim_end_matches('=').len() as u64 * 3 / 4;
                Value::String(format!("data:{head},… ({})", crate::progress::bytes(size)))
            }
            None => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(shortened).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), shortened(v))).collect())
        }
        other => other.clone(),
    }
}

/// Prints a value as pretty JSON.
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure::new(Exit::Api, e))?;
    outln!("{text}");
    Ok(())
}

/// Writes to standard output. A reader that stopped reading (`videohub history | head -1`)
/// ends the output quietly: the rest is dropped and the command ends as it would have, as
/// `ls | head` does. Any other write error is said on standard error.
pub(crate) fn write_out(text: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let written = stdout.write_fmt(text).and_then(|()| stdout.flush());
    if let Err(e) = written
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: cannot write to standard output: {e}");
    }
}

/// `print!` through [`write_out`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write_out(format_args!($($arg)*))
    };
}

/// `println!` through [`write_out`].
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {out, outln};

/// A table's row of headings.
pub(crate) fn row<const N: usize>(cells: [&str; N]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

/// When `job` was created, to the second.
pub(crate) fn when(job: &videohub_journal::Job) -> String {
    humantime::format_rfc3339_seconds(job.created_at).to_string()
}

/// `text` on one line, cut to `max` characters with an ellipsis.
pub(crate) fn short(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        line
    } else {
        format!("{}…", line.chars().take(max - 1).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn data_uris_are_shortened_and_urls_kept() {
        let value = json!({"image_urls": [format!("data:image/png;base64,{}", "A".repeat(14_668)), "https://c/a.png"]});
        assert_eq!(
            shortened(&value),
            json!({"image_urls": ["data:image/png;base64,… (11.0 KB)", "https://c/a.png"]})
        );
    }
}
