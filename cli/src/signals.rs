//! Ctrl-C and SIGTERM, for the commands that drive jobs for long (`batch run`, `jobs resume`,
//! the studio and the MCP server): the first signal stops taking jobs (and requests) and
//! lets go of the jobs that wait, downloads under way get a grace period, then every job
//! still held is let go; a second signal lets go at once.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use videohub_journal::Stop;

use crate::outcome::INTERRUPTED;

/// Exit code of a command stopped by SIGTERM (128 + 15, as a shell reports a process killed
/// by it).
pub(crate) const TERMINATED: u8 = 143;

/// `--grace`: how long downloads under way may go on after a stop is asked.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct GraceArgs {
    /// After Ctrl-C or SIGTERM, how long downloads under way may go on before every job
    /// still held is let go for another worker (a second signal lets go at once).
    #[arg(long, value_parser = humantime::parse_duration, default_value = "30s", value_name = "DURATION")]
    pub grace: Duration,
}

/// The signal that stopped a command, once one came.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stopped(Arc<OnceLock<u8>>);

impl Stopped {
    /// The exit code the command ends with: 130 after Ctrl-C, 143 after SIGTERM.
    pub(crate) fn exit_code(&self) -> Option<u8> {
        self.0.get().copied()
    }
}

/// Turns Ctrl-C and SIGTERM into `stop`: gracefully at the first, immediately `grace` later
/// or at the second. Says on standard error what happens.
pub(crate) fn watch(stop: Stop, grace: Duration) -> Stopped {
    let stopped = Stopped::default();
    let seen = stopped.clone();
    tokio::spawn(async move {
        let Ok(mut signals) = Signals::listen() else {
            return;
        };
        let Some(code) = signals.next().await else {
            return;
        };
        let _ = seen.0.set(code);
        eprintln!(
            "stopping: no new job is taken, downloads under way get up to {} to finish, then \
             every job still held is let go for another worker or the next run (again to stop at once)",
            humantime::format_duration(grace)
        );
        stop.gracefully();
        tokio::select! {
            () = tokio::time::sleep(grace) => {}
            _ = signals.next() => {}
        }
        if !stop.is_immediate() {
            eprintln!("letting go of every job still held");
        }
        stop.immediately();
    });
    stopped
}

/// The signals listened to, from when they are set up on.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn listen() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// The exit code of the next Ctrl-C or SIGTERM; `None` when they can no longer come.
    async fn next(&mut self) -> Option<u8> {
        #[cfg(unix)]
        {
            tokio::select! {
                received = self.interrupt.recv() => received.map(|()| INTERRUPTED),
                received = self.terminate.recv() => received.map(|()| TERMINATED),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await.ok().map(|()| INTERRUPTED)
        }
    }
}
