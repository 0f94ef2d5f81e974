//! The CLI's polling over a sequence of runs (issue 10): each `videohub generate` is a new
//! process, so without the journal every run polls on the schedule of a client that has
//! seen nothing; with it, the durations of earlier runs are loaded and the learned
//! schedule applies from the fourth run of a model on.
//!
//! ```sh
//! cargo build --release -p videohub-cli
//! cargo run --release -p videohub-benches --bin cli_polling -- [--sequences 6] [--runs 8] [--median 30]
//! ```
//!
//! A sandbox hub in this process serves tasks of log-normal durations (median `--median`
//! seconds, sigma 0.5) in real time. Two arms run side by side, each as `--sequences`
//! independent sequences of `--runs` generations one after the other: `--no-store` (the
//! CLI before the journal) and a journal per sequence. For every task the sandbox reports
//! the polls it received and how long after the task became ready the first poll saw it.

#[path = "../hub_common.rs"]
mod common;

use std::process::Command;
use std::time::Duration;

use common::{arg, mean, quantile};
use videohub_sandbox::{FaultSpec, Sandbox, TaskDuration};

struct Sample {
    run: usize,
    polls: f64,
    delay: f64,
}

fn main() {
    let sequences: usize = arg("--sequences").map_or(6, |s| s.parse().expect("--sequences"));
    let runs: usize = arg("--runs").map_or(8, |s| s.parse().expect("--runs"));
    let median: f64 = arg("--median").map_or(30.0, |s| s.parse().expect("--median"));
    let videohub = common::videohub();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let hub = runtime
        .block_on(
            Sandbox::builder()
                .api_key("bench")
                .faults(FaultSpec::none().seed(10))
                .durations(TaskDuration::LogNormal {
                    median: Duration::from_secs_f64(median),
                    sigma: 0.5,
                })
                .start(),
        )
        .unwrap();
    let work = tempfile::tempdir().unwrap();
    let url = hub.url().to_owned();
    let arms = [("no journal (--no-store)", false), ("journal", true)];
    let results: Vec<Vec<Sample>> = std::thread::scope(|scope| {
        let arms: Vec<_> = arms
            .iter()
            .map(|&(_, journal)| {
                let handles: Vec<_> = (0..sequences)
                    .map(|sequence| {
                        let (videohub, url, hub) = (&videohub, &url, &hub);
                        let store = work
                            .path()
                            .join(format!("journal-{journal}-{sequence}.sqlite3"));
                        let out = work.path().join(format!("out-{journal}-{sequence}"));
                        std::fs::create_dir_all(&out).unwrap();
                        scope.spawn(move || {
                            (1..=runs)
                                .map(|run| {
                                    let mut command = Command::new(videohub);
                                    command
                                        .current_dir(&out)
                                        .env("VIDEOHUB_STORE", &store)
                                        .args(["--base-url", url, "--api-key", "bench"]);
                                    if !journal {
                                        command.arg("--no-store");
                                    }
                                    let output = command
                                        .args([
                                            "generate",
                                            "wan-2.7",
                                            "--prompt",
                                            "a koi pond",
                                            "--json",
                                        ])
                                        .output()
                                        .unwrap();
                                    assert!(output.status.success(), "{output:?}");
                                    let answer: serde_json::Value =
                                        serde_json::from_slice(&output.stdout).unwrap();
                                    let task = answer["task_id"].as_str().unwrap();
                                    let report = hub.task_report(task).unwrap();
                                    Sample {
                                        run,
                                        polls: f64::from(report.polls),
                                        delay: report
                                            .seen_ready_after
                                            .unwrap_or_default()
                                            .as_secs_f64(),
                                    }
                                })
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                handles
            })
            .collect();
        arms.into_iter()
            .map(|handles| {
                handles
                    .into_iter()
                    .flat_map(|h| h.join().unwrap())
                    .collect()
            })
            .collect()
    });

    println!(
        "{sequences} sequences of {runs} runs per arm, wan-2.7 tasks log-normal (median {median} s, sigma 0.5), real time\n"
    );
    println!("| arm | runs | tasks | requests / task | mean delay (s) | p95 delay (s) |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let mut later = Vec::new();
    for ((name, _), samples) in arms.iter().zip(&results) {
        for (label, range) in [("1–3", 1..=3), ("4–", 4..=runs)] {
            let picked: Vec<&Sample> = samples.iter().filter(|s| range.contains(&s.run)).collect();
            let polls: Vec<f64> = picked.iter().map(|s| s.polls).collect();
            let mut delays: Vec<f64> = picked.iter().map(|s| s.delay).collect();
            delays.sort_by(f64::total_cmp);
            println!(
                "| {name} | {label}{} | {} | {:.1} | {:.2} | {:.2} |",
                if label == "4–" {
                    runs.to_string()
                } else {
                    String::new()
                },
                picked.len(),
                mean(&polls),
                mean(&delays),
                quantile(&delays, 0.95)
            );
            if label == "4–" {
                later.push((mean(&polls), mean(&delays)));
            }
        }
    }
    if let [(base_polls, base_delay), (polls, delay)] = later[..] {
        println!(
            "\nruns 4–{runs}, journal / no journal: mean delay {:.2}x, requests per task {:.2}x",
            delay / base_delay,
            polls / base_polls
        );
    }
}
