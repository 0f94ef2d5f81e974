//! `videohub batch run|status`: many generations from a file, each line validated before
//! anything is sent, run through the journal so that a run stopped halfway (or killed)
//! continues where it stopped.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;
use futures::StreamExt;
use serde_json::json;
use tokio::sync::mpsc;
use videohub_journal::{BatchFileSeen, BatchLines, Notice, Runner};

mod file;
mod line;
mod progress;
mod seen;

use self::file::{BatchFile, BatchFileArgs, check_batch, out_folder};
use self::line::Ended;
use self::progress::{BatchProgress, Pace};
use crate::args::Global;
use crate::exit::Exit;
use crate::hub::Hub;
use crate::output::{Failure, outln, print_json};
use crate::signals::{self, GraceArgs};
use crate::store;

/// `videohub batch …`.
#[derive(Debug, clap::Args)]
pub(crate) struct BatchArgs {
    #[command(subcommand)]
    command: BatchCommand,
}

impl BatchArgs {
    /// Where `batch run` serves metrics, when asked.
    pub(crate) fn metrics_addr(&self) -> Option<std::net::SocketAddr> {
        match &self.command {
            BatchCommand::Run(run) => run.metrics.metrics_addr,
            BatchCommand::Status(_) => None,
        }
    }
}

/// `videohub batch run|status`.
#[derive(Debug, Subcommand)]
pub(crate) enum BatchCommand {
    /// Validate every line, then generate them all, several at once.
    Run(BatchRunArgs),
    /// How far the lines of a batch file are, as the journal knows them.
    Status(BatchFileArgs),
}

/// `videohub batch run`.
#[derive(Debug, clap::Args)]
pub(crate) struct BatchRunArgs {
    #[command(flatten)]
    pub file: BatchFileArgs,
    #[command(flatten)]
    pub metrics: crate::telemetry::MetricsArgs,
    /// Generations in flight at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Check every line and say what would run; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Run the valid lines even when others are invalid.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Pay again: submit every line as a new task, even one already downloaded in this
    /// journal (by default its file is reused).
    #[arg(long)]
    pub again: bool,
    #[command(flatten)]
    pub grace: GraceArgs,
}

/// `videohub batch run|status`.
pub(crate) async fn run(args: BatchArgs, global: &Global) -> Result<ExitCode, Failure> {
    let (hub_args, store_args) = (&global.hub, &global.store);
    match args.command {
        BatchCommand::Run(args) => {
            let hub = if args.dry_run {
                Hub::connect_to_check(hub_args).await?
            } else {
                Hub::connect(hub_args).await?
            };
            let file = BatchFile::open(&args.file)?;
            // A dry run only checks the lines; a run also counts them into the batch's
            // line keys and id, and reads them again to record them.
            let out = out_folder(&args.file)?;
            let mut lines = (!args.dry_run).then(|| BatchLines::new(&out));
            let checked = check_batch(&hub, &args.file, &file, lines.as_mut(), |problem| {
                eprintln!("{problem}")
            })
            .await?;
            if checked.lines == 0 {
                return Err(Failure::usage(format!(
                    "{} has no lines: there is nothing to run",
                    args.file.file.display()
                )));
            }
            if checked.invalid > 0 && !args.skip_invalid {
                return Err(Failure::usage(format!(
                    "{} of {} lines are invalid; nothing was sent (--skip-invalid runs the others)",
                    checked.invalid, checked.lines
                )));
            }
            let Some(lines) = lines else {
                if args.file.json {
                    print_json(&json!({
                        "valid": checked.valid(),
                        "invalid": checked.invalid,
                        "models": checked.models,
                    }))?;
                } else {
                    let list: Vec<String> = checked
                        .models
                        .iter()
                        .map(|(m, n)| format!("{n} × {m}"))
                        .collect();
                    outln!(
                        "{} lines valid ({}); nothing sent",
                        checked.valid(),
                        list.join(", ")
                    );
                }
                return Ok(ExitCode::SUCCESS);
            };
            let mut keys = lines.finish().map_err(store::failure)?;
            videohub_app::destination::folder(&args.file.out, true)
                .map_err(|e| Failure::usage(format!("{e} (nothing was sent)")))?;
            let journal = store::open_for(&hub, store_args).await?;
            let _metrics = args.metrics.serve(&journal).await?;
            let (notices, mut noticed) = mpsc::unbounded_channel::<Notice>();
            let runner = crate::telemetry::traced(Runner::new(journal, hub.client.clone()))
                .poll_policy(hub.poll)
                .on_notice(move |notice| {
                    let _ = notices.send(notice.clone());
                });
            let stopped = signals::watch(runner.stop().clone(), args.grace.grace);
            let total = keys.len();
            let name = batch_name(&args.file.file);
            let typical = checked
                .first_model
                .as_ref()
                .and_then(|model| hub.client.typical_duration(model));
            if args.again {
                eprintln!(
                    "--again: each of the {total} lines is submitted anew, a new billed task each"
                );
                keys = keys.again().map_err(store::failure)?;
            }
            if !args.again {
                // Before any line is recorded: a status reads the same counts whether the
                // recording ended or not.
                let seen = BatchFileSeen {
                    batch_id: keys.id().to_owned(),
                    lines: checked.lines,
                    invalid: checked.invalid,
                    keys: total,
                };
                let digest = seen::digest(&file, &args.file, &out)?;
                seen::remember(runner.journal(), &digest, &seen).await;
            }
            let jobs = file.jobs(checked.checker)?;
            let finished = runner
                .run_batch_lines(&name, &out, &keys, jobs, args.concurrency)
                .await
                .map_err(store::failure)?;
            let done_before = if args.again {
                0
            } else {
                // One count when the run starts: the bar counts on in this process.
                let counts = runner
                    .journal()
                    .batch_counts(keys.id())
                    .await
                    .map_err(store::failure)?;
                let unfinished: usize = counts
                    .states
                    .iter()
                    .filter(|(state, _)| state.is_unfinished())
                    .map(|(_, n)| n)
                    .sum();
                counts.total().saturating_sub(unfinished) as u64
            };
            drop(keys);
            let pace = Pace {
                total,
                done_before,
                concurrency: args.concurrency,
                typical,
            };
            let progress = BatchProgress::start(pace, &runner, args.file.json);
            let mut finished = std::pin::pin!(finished);
            let mut worst = Exit::Success;
            loop {
                let line = tokio::select! {
                    Some(notice) = noticed.recv() => {
                        progress.note(&notice.to_string());
                        continue;
                    }
                    line = finished.next() => line,
                };
                let Some(line) = line else { break };
                let ended = Ended::from_line(line, store_args);
                let exit = ended.exit();
                progress.done(exit == Exit::Success);
                worst = worst.max(exit);
                let line = if args.file.json {
                    ended.json().to_string()
                } else {
                    ended.text()
                };
                progress.println(line);
            }
            while let Ok(notice) = noticed.try_recv() {
                progress.note(&notice.to_string());
            }
            progress.finish();
            Ok(match stopped.exit_code() {
                Some(code) => ExitCode::from(code),
                None => worst.into(),
            })
        }
        BatchCommand::Status(args) => {
            let file = BatchFile::open(&args)?;
            let out = out_folder(&args)?;
            let journal = store::open_existing(store_args).await?;
            // A file a run read is known by its bytes; another is read and checked.
            let digest = seen::digest(&file, &args, &out)?;
            let seen = match journal.batch_file(&digest).await.map_err(store::failure)? {
                Some(seen) => seen,
                None => {
                    let hub = Hub::connect(hub_args).await?;
                    let mut lines = BatchLines::new(&out);
                    let checked = check_batch(&hub, &args, &file, Some(&mut lines), |_| {}).await?;
                    let keys = lines.finish().map_err(store::failure)?;
                    BatchFileSeen {
                        batch_id: keys.id().to_owned(),
                        lines: checked.lines,
                        invalid: checked.invalid,
                        keys: keys.len(),
                    }
                }
            };
            let known = journal
                .batch_counts(&seen.batch_id)
                .await
                .map_err(store::failure)?;
            let mut counts: BTreeMap<String, usize> = known
                .states
                .iter()
                .map(|(state, n)| (state.to_string(), *n))
                .collect();
            let not_started = (seen.keys as usize).saturating_sub(known.total());
            if not_started > 0 {
                counts.insert("not recorded".into(), not_started);
            }
            if known.waiting_on_hub > 0 {
                counts.insert("waiting on the hub's limit".into(), known.waiting_on_hub);
            }
            if args.json {
                print_json(
                    &json!({"lines": seen.lines, "invalid": seen.invalid, "states": counts}),
                )?;
            } else {
                let parts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
                outln!(
                    "{} lines: {}{}",
                    seen.lines,
                    parts.join(", "),
                    if seen.invalid == 0 {
                        String::new()
                    } else {
                        format!(", {} invalid", seen.invalid)
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The batch's name in the journal: the file's stem, or `stdin`.
fn batch_name(file: &Path) -> String {
    if file == Path::new("-") {
        return "stdin".into();
    }
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "batch".into())
}
