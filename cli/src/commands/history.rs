//! `videohub history`: what was generated, newest first.

use std::process::ExitCode;

use serde_json::json;
use videohub_journal::JobFilter;

use crate::args::Global;
use crate::output::{Failure, out, outln, print_json, row, short, shortened, table, when};
use crate::store;

/// `videohub history`.
#[derive(Debug, clap::Args)]
pub(crate) struct HistoryArgs {
    /// Only this model.
    #[arg(long)]
    pub model: Option<String>,
    /// Only this status (e.g. downloaded, failed, outcome_unknown).
    #[arg(long, value_parser = parse_state)]
    pub status: Option<videohub_journal::JobState>,
    /// Only jobs whose prompt or parameters contain this text.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// At most this many, newest first.
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Lists the journal's jobs that match, as a table or JSON.
pub(crate) async fn run(args: HistoryArgs, global: &Global) -> Result<ExitCode, Failure> {
    let journal = store::open_existing(&global.store).await?;
    let filter = JobFilter {
        states: args.status.into_iter().collect(),
        model: args.model,
        text: args.search,
        limit: Some(args.limit),
    };
    let jobs = journal.jobs(&filter).await.map_err(store::failure)?;
    if args.json {
        let entries: Vec<_> = jobs
            .iter()
            .map(|job| {
                json!({
                    "job_id": job.id,
                    "created_at": humantime::format_rfc3339_seconds(job.created_at).to_string(),
                    "model": job.model,
                    "prompt": job.prompt(),
                    "parameters": job.input,
                    "status": job.state,
                    "task_id": job.task_id,
                    "task_seconds": job.task_duration.map(|d| d.as_secs_f64()),
                    "file": job.file_path,
                    "bytes": job.file_size,
                    "sha256": job.sha256,
                    "etag": job.etag,
                    "error": job.error,
                })
            })
            .collect();
        return print_json(&entries).map(|()| ExitCode::SUCCESS);
    }
    if jobs.is_empty() {
        outln!("no generations recorded in {}", journal.location());
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = vec![row([
        "CREATED", "MODEL", "STATUS", "TOOK", "PROMPT", "FILE",
    ])];
    rows.extend(jobs.iter().map(|job| {
        let parameters: Vec<String> = job
            .input
            .iter()
            .filter(|(k, _)| k.as_str() != "prompt")
            .map(|(k, v)| {
                let v = shortened(v);
                format!(
                    "{k}={}",
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
                )
            })
            .collect();
        let prompt = match (job.prompt(), parameters.is_empty()) {
            (Some(p), true) => p.to_owned(),
            (Some(p), false) => format!("{p} [{}]", parameters.join(" ")),
            (None, _) => format!("[{}]", parameters.join(" ")),
        };
        vec![
            when(job),
            job.model.clone(),
            job.state.to_string(),
            job.task_duration
                .map(|d| format!("{:.1}s", d.as_secs_f64()))
                .unwrap_or_default(),
            short(&prompt, 60),
            job.file_path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        ]
    }));
    out!("{}", table(&rows));
    Ok(ExitCode::SUCCESS)
}

/// A job state as `--status` takes it, e.g. `outcome_unknown`.
fn parse_state(text: &str) -> Result<videohub_journal::JobState, String> {
    text.parse()
        .map_err(|e: videohub_journal::UnknownState| e.to_string())
}
