//! Shared pieces of the client tests: a hand-written model, clients pointed at local
//! servers, a raw TCP server for broken connections, and a log capture.

#![allow(dead_code, unreachable_pub)]

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use videohub_core::schema::{Category, Problem};
use videohub_core::{
    Client, Model, ModelSchema, ParamError, PollPolicy, RetryPolicy, ValidationErrors,
};
use videohub_core::{Error, Output};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const KEY: &str = "sk-test-SECRET-0123456789";

/// A small model written by hand, standing in for a `#[video_model]` one.
#[derive(Debug, Serialize)]
pub struct Demo {
    pub prompt: String,
    pub duration: u32,
}

static DEMO_SCHEMA: ModelSchema = ModelSchema {
    id: Cow::Borrowed("demo-video"),
    name: Cow::Borrowed("Demo"),
    vendor: Cow::Borrowed("Acme"),
    category: Category::TextToVideo,
    description: Cow::Borrowed("A model for tests."),
    params: Cow::Borrowed(&[]),
    image_inputs: None,
    constraints: Cow::Borrowed(&[]),
};

impl Model for Demo {
    const ID: &'static str = "demo-video";
    const CAPABILITY: videohub_core::Capability = videohub_core::Capability::Video;
    const SCHEMA: &'static ModelSchema = &DEMO_SCHEMA;

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = Vec::new();
        if self.prompt.is_empty() {
            errors.push(ParamError::new("prompt", Problem::Missing));
        }
        ValidationErrors::check(errors)
    }
}

pub fn demo() -> Demo {
    Demo {
        prompt: "a red fox in snow".into(),
        duration: 5,
    }
}

/// Retries without real waiting.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_retries(3)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(2))
}

/// Polls every few milliseconds, with a generous deadline.
pub fn fast_poll() -> PollPolicy {
    PollPolicy::default()
        .initial_delay(Duration::from_millis(5))
        .backoff(1.0)
        .max_interval(Duration::from_millis(5))
        .deadline(Duration::from_secs(20))
}

pub fn client(base: &str) -> Client {
    client_with(base, fast_retry())
}

pub fn client_with(base: &str, retry: RetryPolicy) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(base)
        .retry(retry)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

/// What the raw server does with one connection.
#[derive(Clone)]
pub enum Conn {
    /// Reads the whole request, then closes without answering.
    DropAfterRequest,
    /// Reads the whole request, then holds the connection open without answering.
    Hang,
    /// Reads the whole request, writes these bytes, closes.
    Reply(Vec<u8>),
    /// Reads the whole request, writes these bytes, then holds the connection open.
    ReplyThenHang(Vec<u8>),
}

/// A raw HTTP/1.1 server on 127.0.0.1: connection `n` follows `script[n]` (the last entry
/// repeats). Counts the complete requests it has read, and keeps their heads (request line
/// and headers, lowercased).
pub struct RawServer {
    pub base: String,
    pub requests: Arc<AtomicUsize>,
    pub heads: Arc<Mutex<Vec<String>>>,
}

impl RawServer {
    pub async fn start(script: Vec<Conn>) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(AtomicUsize::new(0));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let counter = requests.clone();
        let seen = heads.clone();
        tokio::spawn(async move {
            let mut n = 0;
            while let Ok((stream, _)) = listener.accept().await {
                let conn = script[n.min(script.len() - 1)].clone();
                n += 1;
                tokio::spawn(serve(stream, conn, counter.clone(), seen.clone()));
            }
        });
        RawServer {
            base,
            requests,
            heads,
        }
    }

    pub fn count(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// The heads of the requests read so far, in order.
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().expect("heads lock").clone()
    }
}

async fn serve(
    mut stream: TcpStream,
    conn: Conn,
    counter: Arc<AtomicUsize>,
    heads: Arc<Mutex<Vec<String>>>,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < header_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    heads.lock().expect("heads lock").push(head);
    counter.fetch_add(1, Ordering::SeqCst);
    match conn {
        Conn::DropAfterRequest => drop(stream),
        Conn::Hang => {
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        Conn::Reply(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Conn::ReplyThenHang(bytes) => {
            let _ = stream.write_all(&bytes).await;
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// An HTTP/1.1 answer with a JSON body.
pub fn json_reply(status: u16, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

// --- downloads: a file, the answers of a file host, a finished task pointing at it -----

/// The first bytes of an MP4 file: what a video's download must start with.
pub const MP4_HEAD: &[u8; 12] = b"\0\0\0\x20ftypisom";

/// The file every host serves: an MP4 signature, then no repetition, so a misplaced part
/// shows.
pub fn file(len: usize) -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
    let head = len.min(MP4_HEAD.len());
    bytes[..head].copy_from_slice(&MP4_HEAD[..head]);
    bytes
}

pub const LEN: usize = 100_000;

/// A `200` announcing `LEN` bytes with these extra headers, carrying `body` (all of it or
/// the first part, as a cut connection would).
pub fn whole(extra: &str, body: &[u8]) -> Vec<u8> {
    let mut reply = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ncontent-length: {LEN}\r\n{extra}connection: close\r\n\r\n"
    )
    .into_bytes();
    reply.extend_from_slice(body);
    reply
}

/// A `206` with this `Content-Range`, carrying `body`.
pub fn part(content_range: &str, body: &[u8]) -> Vec<u8> {
    let mut reply = format!(
        "HTTP/1.1 206 Partial Content\r\ncontent-type: video/mp4\r\ncontent-length: {}\r\ncontent-range: {content_range}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    reply.extend_from_slice(body);
    reply
}

pub fn status(code: u16) -> Vec<u8> {
    format!("HTTP/1.1 {code} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").into_bytes()
}

pub const RANGES: &str = "accept-ranges: bytes\r\netag: \"v1\"\r\n";

/// A host announcing ranges whose connection is cut twice: after 40,000 bytes of the
/// whole file, then after 30,000 bytes of the part from 40,000; the part from 70,000 ends it.
pub fn cut_twice(body: &[u8]) -> Vec<Conn> {
    vec![
        Conn::Reply(whole(RANGES, &body[..40_000])),
        Conn::Reply(part("bytes 40000-99999/100000", &body[40_000..70_000])),
        Conn::Reply(part("bytes 70000-99999/100000", &body[70_000..])),
    ]
}

pub fn downloader(hub: &MockServer, retries: u32) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(hub.uri())
        .retry(fast_retry())
        .download_retries(retries)
        .download_idle_timeout(Duration::from_secs(1))
        .build()
        .expect("client")
}

/// A finished task whose video is `url`, with `file_size` when given.
pub async fn output_for(
    hub: &MockServer,
    url: &str,
    file_size: Option<usize>,
    retries: u32,
) -> Output {
    let video = match file_size {
        Some(size) => json!({"url": url, "file_size": size}),
        None => json!({"url": url}),
    };
    Mock::given(method("GET"))
        .and(path("/hub/v1/tasks/t"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"task_id": "t", "status": "completed", "ready": true, "data": {"video": video}}),
        ))
        .mount(hub)
        .await;
    downloader(hub, retries)
        .task_by_id("t")
        .wait_with(fast_poll())
        .await
        .expect("done")
}

/// A download through a file host answering with `conns`, of a finished task announcing
/// `size` and allowing `retries` download retries, into `v.mp4` of a fresh temporary
/// directory. Keeps everything a test inspects afterwards.
pub struct Saved {
    pub result: Result<u64, Error>,
    pub target: PathBuf,
    pub dir: tempfile::TempDir,
    pub cdn: RawServer,
}

impl Saved {
    /// The size `save` reported; panics when it failed.
    pub fn written(&self) -> u64 {
        match &self.result {
            Ok(n) => *n,
            Err(error) => panic!("saved: {error:?}"),
        }
    }

    /// The error `save` returned; panics when it succeeded.
    pub fn error(&self) -> &Error {
        match &self.result {
            Ok(n) => panic!("expected an error, saved {n} bytes"),
            Err(error) => error,
        }
    }

    /// The bytes written to the target.
    pub fn file(&self) -> Vec<u8> {
        std::fs::read(&self.target).expect("read")
    }

    /// `save` succeeded with the size of `body`, and the target holds `body`.
    pub fn assert_whole(&self, body: &[u8]) {
        assert_eq!(self.written(), body.len() as u64);
        let file = self.file();
        assert!(
            file == body,
            "the target differs from the file: {} bytes, first difference at {:?}",
            file.len(),
            file.iter().zip(body).position(|(a, b)| a != b)
        );
    }

    /// The names in the directory of the target.
    pub fn names(&self) -> Vec<String> {
        names(self.dir.path())
    }
}

pub async fn save_through(conns: Vec<Conn>, size: Option<usize>, retries: u32) -> Saved {
    save_into(tempfile::tempdir().expect("dir"), conns, size, retries).await
}

/// As [`save_through`], into a directory the test has prepared.
pub async fn save_into(
    dir: tempfile::TempDir,
    conns: Vec<Conn>,
    size: Option<usize>,
    retries: u32,
) -> Saved {
    let cdn = RawServer::start(conns).await;
    let hub = MockServer::start().await;
    let output = output_for(&hub, &format!("{}/v.mp4", cdn.base), size, retries).await;
    let target = dir.path().join("v.mp4");
    let result = output.save(&target).await;
    Saved {
        result,
        target,
        dir,
        cdn,
    }
}

pub fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

pub fn header_of<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .map(str::trim)
}

pub fn assert_no_key(cdn: &RawServer) {
    for head in cdn.heads() {
        assert!(header_of(&head, "authorization").is_none(), "{head}");
        assert!(!head.contains(&KEY.to_ascii_lowercase()), "{head}");
    }
}

/// Captures everything `tracing` writes while the guard lives (on this thread).
#[derive(Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl Write for LogCapture {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log lock").extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogCapture {
    pub fn install(&self) -> tracing::subscriber::DefaultGuard {
        // Tests run on several threads, each with its own subscriber or none. tracing keeps
        // one global maximum level over the live subscribers, recomputed as they come and go:
        // a global subscriber that takes every level (and keeps nothing) holds it at TRACE, so
        // another test's subscriber going away cannot silence this one's events meanwhile.
        static EVERY_LEVEL: std::sync::Once = std::sync::Once::new();
        EVERY_LEVEL.call_once(|| {
            let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry());
        });
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log lock")).into_owned()
    }
}
