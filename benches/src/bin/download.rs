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

use std::process::Command;
use std::time::Instant;

use common::{BigVideo, median, peak_rss_kib, range, reset_peak_rss, rss_kib};

fn main() {
    let Some(BigVideo {
        runtime,
        size,
        rounds,
        dir,
        server: _sandbox,
        output,
        ..
    }) = BigVideo::make("target/download-bench")
    else {
        return;
    };
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
