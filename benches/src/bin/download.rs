//! Download (issue 7, part 5): a 1 GB video from a sandbox in a child process, saved by
//! videohub and by `curl`, taking turns; peak RSS growth of the client process, and
//! throughput of both.
//!
//! ```sh
//! cargo run --release -p videohub-benches --bin download -- [--size-mb 1000] [--rounds 3] [--dir DIR]
//! ```
//!
//! `OutputFile::save` streams into a temporary file, fsyncs it and renames it into place; `curl
//! -o` does not fsync, so curl is timed twice: alone, and followed by `sync FILE`.

#[path = "../hub_common.rs"]
mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{ChildSandbox, arg, median, peak_rss_kib, reset_peak_rss, rss_kib};
use videohub::Client;
use videohub_sandbox::Sandbox;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let size: u64 = arg("--size-mb").map_or(1000, |s| s.parse().expect("--size-mb")) * 1_000_000;
    if std::env::args().any(|a| a == "--serve") {
        runtime.block_on(async {
            let sandbox = Sandbox::builder()
                .time_scale(0.0)
                .video_size(size)
                .task_retention(Duration::from_secs(3600))
                .start()
                .await
                .expect("sandbox");
            common::serve_until_stdin_closes(sandbox).await;
        });
        return;
    }
    let rounds: usize = arg("--rounds").map_or(3, |s| s.parse().expect("--rounds"));
    let dir = PathBuf::from(arg("--dir").unwrap_or_else(|| "target/download-bench".into()));
    std::fs::create_dir_all(&dir).expect("the output directory");
    let size_mb = (size / 1_000_000).to_string();
    let server = ChildSandbox::start(&["--size-mb", &size_mb]);
    let client = Client::builder()
        .api_key("bench")
        .base_url(&server.url)
        .build()
        .expect("client");
    let output = runtime.block_on(async {
        let models = videohub_sandbox::compiled_models();
        let input = common::input_for(&models, "veo-3.1", "a big one");
        let task = client
            .submit_unchecked(videohub::Capability::Video.endpoint(), "veo-3.1", input)
            .await
            .expect("submit");
        task.wait().await.expect("a video")
    });
    let video = output.file().expect("one video").clone();
    assert_eq!(video.file_size(), Some(size));
    let url = video.url().to_owned();

    let (mut ours, mut curl, mut curl_sync, mut growth) = (vec![], vec![], vec![], vec![]);
    for round in 0..rounds {
        // videohub
        let path = dir.join("videohub.mp4");
        let before = rss_kib();
        reset_peak_rss();
        let started = Instant::now();
        let written = runtime.block_on(video.save(&path)).expect("saved");
        let secs = started.elapsed().as_secs_f64();
        let peak = peak_rss_kib();
        assert_eq!(written, size);
        assert_eq!(std::fs::metadata(&path).expect("the file").len(), size);
        std::fs::remove_file(&path).expect("removed");
        ours.push(size as f64 / secs / 1e6);
        growth.push(peak.saturating_sub(before) as f64);

        // curl, then curl + fsync of the file
        for synced in [false, true] {
            let path = dir.join("curl.mp4");
            let started = Instant::now();
            let status = Command::new("curl")
                .args(["-s", "-f", "-o"])
                .arg(&path)
                .arg(&url)
                .status()
                .expect("curl");
            assert!(status.success(), "curl failed");
            if synced {
                Command::new("sync").arg(&path).status().expect("sync");
            }
            let secs = started.elapsed().as_secs_f64();
            assert_eq!(std::fs::metadata(&path).expect("the file").len(), size);
            std::fs::remove_file(&path).expect("removed");
            if synced {
                curl_sync.push(size as f64 / secs / 1e6);
            } else {
                curl.push(size as f64 / secs / 1e6);
            }
        }
        println!(
            "round {}: videohub {:.0} MB/s (RSS +{} KiB), curl {:.0} MB/s, curl + sync {:.0} MB/s",
            round + 1,
            ours[round],
            growth[round],
            curl[round],
            curl_sync[round]
        );
    }
    let range = |v: &[f64]| {
        let min = v.iter().copied().fold(f64::INFINITY, f64::min);
        let max = v.iter().copied().fold(0.0, f64::max);
        format!("{min:.0}–{max:.0}")
    };
    println!(
        "download of {} MB, {rounds} rounds, medians [ranges]:",
        size / 1_000_000
    );
    println!(
        "videohub OutputFile::save: {:.0} MB/s [{}]",
        median(&ours),
        range(&ours)
    );
    println!(
        "curl -o:              {:.0} MB/s [{}]",
        median(&curl),
        range(&curl)
    );
    println!(
        "curl -o + sync FILE:  {:.0} MB/s [{}]",
        median(&curl_sync),
        range(&curl_sync)
    );
    println!(
        "ratio videohub / curl: {:.2}; videohub / (curl + sync): {:.2}",
        median(&ours) / median(&curl),
        median(&ours) / median(&curl_sync)
    );
    println!(
        "peak RSS growth during save: {:.1} MiB (max {:.1} MiB)",
        median(&growth) / 1024.0,
        growth.iter().copied().fold(0.0, f64::max) / 1024.0
    );
}
