//! What the tool prints when a command fails, and the exit codes it returns.

use std::error::Error;
use std::fmt::Display;
use std::process::ExitCode;

/// Exit codes: 0 success, 1 an API or transport failure, 2 a usage or validation error
/// (nothing was sent), 3 the task failed, timed out or was cancelled on the hub, 4 the live
/// hub differs from the compiled models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    Api = 1,
    Usage = 2,
    Task = 3,
    Drift = 4,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

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

/// Prints a value as pretty JSON.
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure::new(Exit::Api, e))?;
    println!("{text}");
    Ok(())
}
