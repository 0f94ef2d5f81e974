//! Traces reach a collector written elsewhere: rotel-agent (`scripts/telemetry-receivers.sh`
//! installs it, pinned, in `target/telemetry-receivers`) receives over OTLP/HTTP what one
//! process that submits a job and another that finishes it export, and logs every span it
//! decoded; the job is one trace across the two.

use std::io::Read;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::common::Hub;

/// The folder `scripts/telemetry-receivers.sh` installed the receivers in.
pub(crate) fn receivers() -> &'static Path {
    static INSTALLED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let installed = INSTALLED.get_or_init(|| crate::common::installed_by("telemetry-receivers.sh"));
    match installed {
        Ok(dir) => dir,
        Err(why) => panic!(
            "the telemetry receivers these tests send to are not installed: run \
             scripts/telemetry-receivers.sh (it needs python3 with venv, and access to PyPI \
             once): {why}"
        ),
    }
}

/// A rotel-agent logging each span it receives, stopped when dropped.
struct Collector {
    child: Child,
    log: PathBuf,
    port: u16,
}

impl Collector {
    /// Starts one on two free ports (OTLP over HTTP, and the gRPC one it always opens).
    /// rotel-agent cannot listen on port 0 (it stops with a panic), so ports are tried from
    /// a range of this test process's own until one pair is free: a port in use makes the
    /// agent exit, and the next pair is tried.
    fn start(dir: &Path) -> Collector {
        let first = 20_000 + (std::process::id() % 2_000) as u16 * 20;
        for port in (first..first + 20).step_by(2) {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                continue;
            }
            let log = dir.join(format!("rotel-{port}.log"));
            let child = Command::new(receivers().join("rotel-agent"))
                .args(["start", "--exporter", "blackhole", "--debug-log", "traces"])
                .args(["--debug-log-verbosity", "detailed"])
                .arg("--otlp-http-endpoint")
                .arg(format!("127.0.0.1:{port}"))
                .arg("--otlp-grpc-endpoint")
                .arg(format!("127.0.0.1:{}", port + 1))
                .arg("--pid-file")
                .arg(dir.join(format!("rotel-{port}.pid")))
                .env("NO_COLOR", "1")
                .stdout(std::fs::File::create(&log).unwrap())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let mut collector = Collector { child, log, port };
            if collector.listening() {
                return collector;
            }
        }
        panic!("no two free ports for rotel-agent from {first}");
    }

    /// Whether it listens on its port; `false` once it has stopped (its port was taken).
    fn listening(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.child.try_wait().unwrap().is_some() {
                return false;
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("rotel-agent did not listen on {} in 30 s", self.port);
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The spans it logged, once `enough` holds of them (it logs what it received a little
    /// after answering).
    fn spans_once(&self, enough: impl Fn(&[Span]) -> bool) -> Vec<Span> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut text = String::new();
            std::fs::File::open(&self.log)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            let spans = Span::parse(&text);
            if enough(&spans) {
                return spans;
            }
            assert!(
                Instant::now() < deadline,
                "rotel-agent did not log the spans in 30 s:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A span as rotel-agent's detailed log shows it.
#[derive(Debug, Default)]
struct Span {
    service: String,
    trace: String,
    parent: String,
    id: String,
    name: String,
    kind: String,
    /// `key: Str(value)` lines of its attributes, as written.
    attributes: Vec<String>,
    /// The span ids its links point at (`-> ID: …` under `SpanLink #n`).
    links: Vec<String>,
}

impl Span {
    /// The spans of a log, each with the service of the resource it came in.
    fn parse(text: &str) -> Vec<Span> {
        let mut spans: Vec<Span> = Vec::new();
        let mut service = String::new();
        // Where the lines read belong: the resource, a span's attributes, its links.
        let mut section = "";
        for line in text.lines() {
            let line = line.trim();
            let field = |name: &str| {
                line.strip_prefix(name)
                    .and_then(|rest| rest.trim_start().strip_prefix(':'))
                    .map(|value| value.trim().to_owned())
            };
            if line.starts_with("ResourceSpans #") {
                section = "resource";
            } else if line.starts_with("Span #") {
                spans.push(Span {
                    service: service.clone(),
                    ..Span::default()
                });
                section = "span";
            } else if line == "Attributes:" && section != "resource" {
                section = "attributes";
            } else if line.starts_with("Links:") || line.starts_with("SpanLink #") {
                section = "links";
            } else if line.starts_with("Events:") {
                section = "events";
            } else if let Some(value) = line.strip_prefix("-> service.name: ") {
                if section == "resource" {
                    service = value
                        .trim_start_matches("Str(")
                        .trim_end_matches(')')
                        .into();
                }
            } else if let Some(span) = spans.last_mut() {
                if section == "links" {
                    if let Some(value) = line.strip_prefix("-> ID:") {
                        span.links.push(value.trim().to_owned());
                    }
                } else if let Some(value) = field("Trace ID") {
                    span.trace = value;
                } else if let Some(value) = field("Parent ID") {
                    span.parent = value;
                } else if let Some(value) = field("ID") {
                    span.id = value;
                } else if let Some(value) = field("Name") {
                    span.name = value;
                } else if let Some(value) = field("Kind") {
                    span.kind = value;
                } else if let Some(attribute) = line.strip_prefix("-> ")
                    && section == "attributes"
                {
                    span.attributes.push(attribute.to_owned());
                }
            }
        }
        spans
    }

    fn has(&self, attribute: &str) -> bool {
        self.attributes.iter().any(|a| a == attribute)
    }
}

#[test]
fn a_job_submitted_by_one_process_and_finished_by_another_is_one_trace_at_a_collector() {
    let hub = Hub::start(|builder| builder);
    let dir = tempfile::tempdir().unwrap();
    let collector = Collector::start(dir.path());
    let out = dir.path().join("fox.mp4");

    hub.videohub()
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint())
        .args(["generate", "veo-3.1", "-p", "a red fox", "--no-wait", "-o"])
        .arg(&out)
        .assert()
        .success();
    let id = hub.jobs()[0]["id"].as_str().unwrap().to_owned();
    // Another process, another service name, the other encoding.
    hub.videohub()
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint())
        .env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
        .env("OTEL_SERVICE_NAME", "videohub-worker")
        .args(["jobs", "resume", &id])
        .assert()
        .success();
    assert!(out.exists());

    let job = |s: &Span| s.name == "video_generation veo-3.1";
    let spans = collector.spans_once(|spans| {
        spans.iter().filter(|s| job(s)).count() == 2
            && spans.iter().any(|s| s.name == "jobs resume")
            && spans.iter().any(|s| s.name == "videohub.download")
    });
    let first = spans
        .iter()
        .find(|s| job(s) && s.service == "videohub")
        .unwrap_or_else(|| panic!("the submitting process's job span: {spans:#?}"));
    let second = spans
        .iter()
        .find(|s| job(s) && s.service == "videohub-worker")
        .unwrap_or_else(|| panic!("the resuming process's job span: {spans:#?}"));
    assert_eq!(second.trace, first.trace, "one trace: {spans:#?}");
    assert_eq!(
        second.parent, first.id,
        "a child of the first process's span"
    );
    assert!(first.parent.is_empty(), "the job's trace starts with it");
    let resume = spans.iter().find(|s| s.name == "jobs resume").unwrap();
    assert_ne!(
        resume.trace, first.trace,
        "the command is a trace of its own"
    );
    assert!(
        second.links.contains(&resume.id),
        "the job's span links to the command's: {second:#?}"
    );

    let task = hub.jobs()[0]["task_id"].as_str().unwrap().to_owned();
    for span in [first, second] {
        assert_eq!(span.kind, "SPAN_KIND_CLIENT");
        for attribute in [
            "gen_ai.operation.name: Str(video_generation)",
            "gen_ai.provider.name: Str(videohub)",
            "gen_ai.request.model: Str(veo-3.1)",
            "gen_ai.output.type: Str(video)",
            "server.address: Str(127.0.0.1)",
            &format!("gen_ai.response.id: Str({task})"),
            &format!("videohub.job.id: Str({id})"),
        ] {
            assert!(span.has(attribute), "{attribute} in {span:#?}");
        }
    }
    let post = spans.iter().find(|s| s.name == "POST").unwrap();
    assert_eq!(post.parent, first.id);
    assert!(post.has("http.request.method: Str(POST)"), "{post:#?}");
    assert!(post.has("http.response.status_code: Int(200)"), "{post:#?}");
    let download = spans
        .iter()
        .find(|s| s.name == "videohub.download")
        .unwrap();
    assert_eq!(download.parent, second.id);
    assert!(download.has("attempts: Int(1)"), "{download:#?}");
}
