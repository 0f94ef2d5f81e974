//! Upload (issue 29): a 1 GB video from a sandbox in a child process, saved to an S3 server
//! (moto, a fresh one for each save) by videohub (`Output::save("s3://…")`, the download
//! streamed into a multipart upload) and, from a local copy of the same file, by boto3's
//! `upload_file` (8 MiB parts, 10 threads), taking turns; throughput and peak RSS growth of
//! each client process.
//!
//! ```sh
//! scripts/test-stores.sh
//! cargo run --release -p videohub-benches --bin upload -- [--size-mb 1000] [--rounds 3] [--dir DIR]
//! ```

#[path = "../hub_common.rs"]
mod common;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use common::{BigVideo, median, peak_rss_kib, range, reset_peak_rss, rss_kib};
use videohub::Client;
use videohub_tests::stores::S3Server;

fn main() {
    let Some(BigVideo {
        runtime,
        size,
        rounds,
        dir,
        server,
        output,
        ..
    }) = BigVideo::make("target/upload-bench")
    else {
        return;
    };
    // boto3 uploads a local copy of the same video.
    let local = dir.join("video.mp4");
    runtime.block_on(output.save(&local)).expect("a local copy");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("upload/boto3_upload.py");

    let (mut ours, mut boto3, mut ours_rss, mut boto3_rss) = (vec![], vec![], vec![], vec![]);
    for round in 0..rounds {
        // videohub, with a store of its own on a server of its own.
        let s3 = S3Server::start();
        runtime.block_on(s3.create_bucket("bench"));
        let mut builder = Client::builder().api_key("bench").base_url(&server.url);
        for (key, value) in s3.env() {
            builder = builder.storage_option(key.to_ascii_lowercase(), value);
        }
        let uploader = builder.build().expect("client");
        let output = runtime
            .block_on(uploader.task_by_id(output.task_id()).wait())
            .expect("the task");
        let before = rss_kib();
        reset_peak_rss();
        let started = Instant::now();
        let written = runtime
            .block_on(output.save("s3://bench/videohub.mp4"))
            .expect("saved");
        let secs = started.elapsed().as_secs_f64();
        let peak = peak_rss_kib();
        assert_eq!(written, size);
        ours.push(size as f64 / secs / 1e6);
        ours_rss.push(peak.saturating_sub(before) as f64);
        drop(s3);

        // boto3, on a server of its own.
        let s3 = S3Server::start();
        runtime.block_on(s3.create_bucket("bench"));
        let out = Command::new("python3")
            .arg(&script)
            .args([&s3.endpoint(), "bench", "boto3.mp4"])
            .arg(&local)
            .envs(s3.env())
            .output()
            .expect("python3");
        assert!(
            out.status.success(),
            "boto3: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let (secs, growth) = text.trim().split_once(' ').expect("seconds and KiB");
        boto3.push(size as f64 / secs.parse::<f64>().expect("seconds") / 1e6);
        boto3_rss.push(growth.parse().expect("KiB"));
        drop(s3);
        println!(
            "round {}: videohub {:.0} MB/s (RSS +{:.1} MiB), boto3 {:.0} MB/s (RSS +{:.1} MiB)",
            round + 1,
            ours[round],
            ours_rss[round] / 1024.0,
            boto3[round],
            boto3_rss[round] / 1024.0
        );
    }
    std::fs::remove_file(&local).expect("removed");
    println!(
        "upload of {} MB to moto, {rounds} rounds, medians [ranges]:",
        size / 1_000_000
    );
    println!(
        "videohub Output::save(s3://): {:.0} MB/s [{}], peak RSS growth {:.1} MiB",
        median(&ours),
        range(&ours),
        median(&ours_rss) / 1024.0
    );
    println!(
        "boto3 upload_file:            {:.0} MB/s [{}], peak RSS growth {:.1} MiB",
        median(&boto3),
        range(&boto3),
        median(&boto3_rss) / 1024.0
    );
    println!(
        "ratio videohub / boto3: {:.2}",
        median(&ours) / median(&boto3)
    );
}
