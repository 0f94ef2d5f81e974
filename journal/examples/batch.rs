//! A batch on the journal: every line recorded before its submit, run several at once, and
//! run again for free: the second run finds every line done and pays for nothing.
//!
//! ```sh
//! cargo run -p videohub-journal --example batch -- jobs.sqlite3 clips/
//! ```

use std::path::PathBuf;

use futures::StreamExt;
use videohub::Client;
use videohub_journal::{JobState, Journal, LineEnd, NewJob, Runner};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let journal = args.next().unwrap_or_else(|| "jobs.sqlite3".into());
    let out = PathBuf::from(args.next().unwrap_or_else(|| "clips".into()));
    std::fs::create_dir_all(&out)?;

    let client = Client::from_env()?;
    let hub = client.base_url().to_string();
    let journal = Journal::open(&journal).await?;
    client.remember_task_durations(&journal.task_durations(&hub).await?);
    let runner = Runner::new(journal, client);

    let wan = videohub::models::find("wan-2.7").expect("compiled in");
    let prompts = [
        "a koi pond at dawn",
        "rain on a tin roof",
        "a lighthouse at dusk",
    ];
    let lines: Vec<NewJob> = prompts
        .iter()
        .enumerate()
        .map(|(n, prompt)| {
            let input = serde_json::json!({"prompt": prompt});
            let input = input.as_object().cloned().unwrap_or_default();
            NewJob::new(&hub, wan, input, out.join(format!("clip-{n}.{{ext}}")))
        })
        .collect();

    for run in ["first run", "second run"] {
        let mut finished =
            std::pin::pin!(runner.run_batch("example", &out, lines.clone(), 2).await?);
        let mut downloaded = 0;
        while let Some(line) = finished.next().await {
            let (job, file) = match line {
                LineEnd::Final(job) => {
                    let file = job.output_file();
                    (job, file)
                }
                LineEnd::Copied { job, file } => (job, file),
                LineEnd::Stopped(error) => return Err(error.into()),
                _ => continue,
            };
            if job.state == JobState::Downloaded {
                downloaded += 1;
            }
            println!("{run}: {} {} {}", job.id, job.state, file.display());
        }
        println!("{run}: {downloaded} of {} downloaded", lines.len());
    }
    Ok(())
}
