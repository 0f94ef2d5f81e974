//! `--metrics-addr`: a real Prometheus (Debian's, `scripts/telemetry-receivers.sh`) scrapes
//! `/metrics` of a `batch run` while it runs and answers PromQL queries over what it read.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::Hub;
use crate::telemetry::receivers;

/// A Prometheus scraping one target every 200 ms, stopped when dropped.
struct Prometheus {
    child: Child,
    port: u16,
}

impl Prometheus {
    /// Starts one on a free port. Prometheus does not say which port 0 gave it, so ports
    /// are tried from a range of this test process's own until one is free (a port in use
    /// makes it exit, and the next one is tried).
    fn start(dir: &Path, target: &str) -> Prometheus {
        let config = dir.join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 200ms\n  scrape_timeout: 200ms\n\
                 scrape_configs:\n  - job_name: videohub\n    static_configs:\n      \
                 - targets: ['{target}']\n"
            ),
        )
        .unwrap();
        let first = 30_000 + (std::process::id() % 2_000) as u16 * 10;
        for port in first..first + 10 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                continue;
            }
            let mut child = Command::new(receivers().join("prometheus"))
                .arg(format!("--config.file={}", config.display()))
                .arg(format!(
                    "--storage.tsdb.path={}",
                    dir.join(format!("data-{port}")).display()
                ))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(dir.join(format!("prometheus-{port}.log"))).unwrap())
                .spawn()
                .unwrap();
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                if get(port, "/-/ready").is_some_and(|(status, _)| status == 200) {
                    return Prometheus { child, port };
                }
                assert!(
                    Instant::now() < deadline,
                    "Prometheus was not ready in 30 s"
                );
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        panic!("no free port for Prometheus from {first}");
    }

    /// The value of the instant query `promql`, when it has one.
    fn query(&self, promql: &str) -> Option<f64> {
        let query: String = promql
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect();
        let (status, body) = get(self.port, &format!("/api/v1/query?query={query}"))?;
        assert_eq!(status, 200, "{body}");
        let answer: Value = serde_json::from_str(&body).unwrap();
        answer["data"]["result"][0]["value"][1]
            .as_str()
            .map(|value| value.parse().unwrap())
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET path` on 127.0.0.1:`port`: the status and the body, or `None` when nothing answers.
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    let status = answer.split(' ').nth(1)?.parse().ok()?;
    let body = answer.split_once("\r\n\r\n")?.1.to_owned();
    Some((status, body))
}

#[test]
fn prometheus_scrapes_a_batch_run_and_counts_its_finished_jobs() {
    let hub = Hub::start(|builder| {
        builder.durations(videohub_sandbox::TaskDuration::Fixed(
            Duration::from_millis(800),
        ))
    });
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (0..8)
        .map(|i| format!(r#"{{"model": "veo-3.1", "input": {{"prompt": "shot {i}"}}}}"#))
        .collect();
    let file = dir.path().join("batch.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();

    let mut batch = Command::new(assert_cmd::cargo::cargo_bin("videohub"))
        .env_remove("MOUNTSEA_API_KEY")
        .env("VIDEOHUB_STORE", hub.journal())
        .args(["--base-url", hub.handle.url(), "--api-key", "test-key"])
        .args([
            "batch",
            "run",
            "--concurrency",
            "1",
            "--metrics-addr",
            "127.0.0.1:0",
        ])
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(batch.stderr.take().unwrap());
    let mut line = String::new();
    let target = loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "no metrics address said"
        );
        if let Some(url) = line.trim().strip_prefix("metrics on http://") {
            break url.trim_end_matches("/metrics").to_owned();
        }
    };
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    let prometheus = Prometheus::start(dir.path(), &target);

    // Jobs end one after another: Prometheus sees some finished while the batch runs.
    let finished = r#"sum(videohub_jobs_finished_total{model="veo-3.1",outcome="downloaded"})"#;
    let deadline = Instant::now() + Duration::from_secs(60);
    let seen = loop {
        match prometheus.query(finished) {
            Some(count) if count >= 2.0 => break count,
            _ => {}
        }
        assert!(
            batch.try_wait().unwrap().is_none(),
            "the batch ended before Prometheus saw two jobs finish"
        );
        assert!(
            Instant::now() < deadline,
            "Prometheus saw no two finished jobs in 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(seen <= 8.0, "{seen} finished of 8");
    let downloaded = prometheus
        .query(r#"max_over_time(videohub_jobs{state="downloaded"}[1m])"#)
        .unwrap();
    assert!(
        downloaded >= seen,
        "the journal's count {downloaded}, finished here {seen}"
    );
    let posts = prometheus
        .query(r#"sum(videohub_hub_requests_total{method="POST",status="200"})"#)
        .unwrap();
    assert!(posts >= seen, "{posts} submits for {seen} finished jobs");
    assert_eq!(prometheus.query("count(videohub_build_info)"), Some(1.0));
    assert!(prometheus.query("videohub_jobs_in_flight").is_some());

    assert!(batch.wait().unwrap().success());
    let jobs = hub.jobs();
    assert_eq!(
        jobs.iter().filter(|j| j["state"] == "downloaded").count(),
        8
    );
}

/// The `/metrics` page of the binary run with `args` and `--metrics-addr 127.0.0.1:0`,
/// fetched once it says where it serves them; the process is stopped after.
fn metrics_page(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("videohub"))
        .env_remove("MOUNTSEA_API_KEY")
        .env_remove("MOUNTSEA_BASE_URL")
        .args(["--sandbox", "--no-store"])
        .args(args)
        .args(["--metrics-addr", "127.0.0.1:0", "--output-dir"])
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let port: u16 = loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "no metrics address said"
        );
        if let Some(url) = line.trim().strip_prefix("metrics on http://127.0.0.1:") {
            break url.trim_end_matches("/metrics").parse().unwrap();
        }
    };
    let page = get(port, "/metrics");
    let _ = child.kill();
    let _ = child.wait();
    let (status, body) = page.expect("an answer");
    assert_eq!(status, 200, "{body}");
    body
}

/// What every page says: the journal's counts by state, the build, the end of the text.
fn assert_served(page: &str) {
    for line in [
        "videohub_jobs{state=\"pending\"} 0",
        "videohub_jobs{state=\"downloaded\"} 0",
        "videohub_oldest_unfinished_job_age_seconds 0.0",
        "videohub_jobs_in_flight 0",
        "# EOF",
    ] {
        assert!(page.lines().any(|l| l == line), "{line} in {page}");
    }
    assert!(page.contains("videohub_build_info{version=\""), "{page}");
}

#[test]
fn the_studio_serves_metrics() {
    assert_served(&metrics_page(&["studio", "--port", "0", "--no-open"]));
}

#[test]
fn the_mcp_server_over_http_serves_metrics() {
    assert_served(&metrics_page(&["mcp", "--http", "127.0.0.1:0"]));
}
