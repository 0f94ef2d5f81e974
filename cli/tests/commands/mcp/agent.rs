//! The harness of the MCP tests: a sandbox hub, the server process, and a client.

#![allow(unreachable_pub)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CancelTaskParams, ClientCapabilities,
    ClientConfig, ClientRequest, CreateTaskResult, ElicitRequestParams, ElicitResult,
    ElicitationAction, GetTaskParams, GetTaskResult, Implementation, ProgressNotificationParam,
    ProtocolVersion, Request, ServerResult,
};
use rmcp::service::{
    ClientLifecycleMode, ClientServiceExt, NotificationContext, PeerRequestOptions, RequestContext,
    RunningService,
};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, ErrorData, RoleClient};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use videohub_sandbox::{Sandbox, SandboxHandle, TaskDuration};

pub const KEY: &str = "mcp-test-key-4f1e";

/// A sandbox hub, and a journal and output directory of the test's own.
pub struct Fixture {
    pub hub: SandboxHandle,
    dir: tempfile::TempDir,
    /// The server's `--output-dir` when not [`Fixture::outputs`], and the environment it
    /// is given besides the key.
    saving_to: Option<(String, Vec<(&'static str, String)>)>,
}

impl Fixture {
    pub async fn start(task: Duration, time_scale: f64) -> Fixture {
        Fixture::with_faults(task, time_scale, "none").await
    }

    pub async fn with_faults(task: Duration, time_scale: f64, faults: &str) -> Fixture {
        let hub = Sandbox::builder()
            .api_key(KEY)
            .faults(faults.parse().unwrap())
            .durations(TaskDuration::Fixed(task))
            .time_scale(time_scale)
            .start()
            .await
            .unwrap();
        Fixture {
            hub,
            dir: tempfile::tempdir().unwrap(),
            saving_to: None,
        }
    }

    /// The servers save to `output` (a folder, or a prefix of objects), with `env`.
    pub fn saving_to(mut self, output: &str, env: Vec<(&'static str, String)>) -> Fixture {
        self.saving_to = Some((output.to_owned(), env));
        self
    }

    pub fn outputs(&self) -> PathBuf {
        self.dir.path().join("outputs")
    }

    pub fn journal(&self) -> PathBuf {
        self.dir.path().join("journal.sqlite3")
    }

    /// A server process as a desktop client would start it: the key in the environment.
    pub async fn connect(&self) -> Agent {
        self.connect_as(Kind::default()).await
    }

    /// A server process, and a client of this kind.
    pub async fn connect_as(&self, kind: Kind) -> Agent {
        self.spawn(&["--base-url", self.hub.url()], kind).await
    }

    /// A server process with a sandbox of its own (`videohub --sandbox mcp`), on the same
    /// journal.
    pub async fn connect_in_process(&self) -> Agent {
        self.spawn(&["--sandbox"], Kind::default()).await
    }

    /// `videohub` on this fixture's hub (the key in the environment) and journal.
    pub fn videohub(&self) -> std::process::Command {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_videohub"));
        command
            .env_remove("MOUNTSEA_BASE_URL")
            .env("MOUNTSEA_API_KEY", KEY)
            .args(["--base-url", self.hub.url(), "--store"])
            .arg(self.journal());
        command
    }

    /// The jobs of the journal, as `videohub jobs list --all --json` lists them.
    pub fn jobs(&self) -> Vec<Value> {
        let output = self
            .videohub()
            .args(["jobs", "list", "--all", "--json"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        serde_json::from_slice(&output.stdout).unwrap()
    }

    /// The job of the journal, as `videohub jobs show --json` reads it.
    pub fn job(&self, id: &str) -> Value {
        let output = self
            .videohub()
            .args(["jobs", "show", id, "--json"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        serde_json::from_slice::<Value>(&output.stdout).unwrap()["job"].clone()
    }

    /// Waits until the hub has created the render's task (30 s at most).
    pub async fn until_render_started(&self) {
        for _ in 0..1200 {
            if self.hub.counters().tasks_created == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert_eq!(self.hub.counters().tasks_created, 1, "the render started");
    }

    /// The journal's one job was let go as it was (`submitted`, no owner) by a process
    /// that stopped, and `jobs resume` downloads it: one submit in all.
    pub fn assert_let_go_then_resumed_once(&self) {
        let jobs = self.jobs();
        assert_eq!(jobs.len(), 1, "{jobs:?}");
        assert_eq!(
            (jobs[0]["state"].as_str(), jobs[0]["owner"].as_str()),
            (Some("submitted"), None),
            "kept as it was, and let go: {jobs:?}"
        );
        let resumed = self.videohub().args(["jobs", "resume"]).output().unwrap();
        assert!(resumed.status.success(), "{resumed:?}");
        let job = self.job(jobs[0]["id"].as_str().unwrap());
        assert_eq!(job["state"], "downloaded", "{job}");
        let counters = self.hub.counters();
        assert_eq!((counters.submits_received, counters.tasks_created), (1, 1));
    }

    async fn spawn(&self, hub: &[&str], kind: Kind) -> Agent {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_videohub"));
        command
            .env_remove("MOUNTSEA_BASE_URL")
            .env("MOUNTSEA_API_KEY", KEY)
            .env("RUST_LOG", "debug")
            .args(hub)
            .arg("--store")
            .arg(self.journal())
            .arg("mcp")
            .arg("--output-dir");
        match &self.saving_to {
            Some((output, env)) => command.arg(output).envs(env.iter().cloned()),
            None => command.arg(self.outputs()),
        };
        let (transport, stderr) = TokioChildProcess::builder(command)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let pid = transport.id().unwrap();
        let log = tokio::spawn(async move {
            let mut text = String::new();
            if let Some(mut stderr) = stderr {
                let _ = stderr.read_to_string(&mut text).await;
            }
            text
        });
        let recorder = Recorder {
            kind,
            ..Recorder::default()
        };
        let lifecycle = if kind.stateless {
            ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            }
        } else {
            ClientLifecycleMode::Initialize
        };
        let client = recorder
            .clone()
            .serve_with_lifecycle(transport, lifecycle)
            .await
            .unwrap();
        Agent {
            client,
            recorder,
            pid,
            log,
        }
    }
}

/// What a test client declares, and which era of the protocol it speaks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Kind {
    /// The 2026-07-28 era (`server/discover`, self-contained requests) rather than a
    /// session opened with `initialize`.
    pub stateless: bool,
    /// Declares the tasks extension.
    pub tasks: bool,
    /// Declares form elicitation, and its user answers so.
    pub answer: Option<Answer>,
}

/// What the user of a test client answers when the server asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Decline,
}

/// The client's side: every progress notification received, and every question asked.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    kind: Kind,
    progress: Arc<Mutex<Vec<ProgressNotificationParam>>>,
    questions: Arc<Mutex<Vec<String>>>,
}

impl ClientHandler for Recorder {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.progress.lock().unwrap().push(params);
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        let ElicitRequestParams::FormElicitationParams { message, .. } = request else {
            panic!("a form was expected: {request:?}");
        };
        self.questions.lock().unwrap().push(message);
        let answer = self
            .kind
            .answer
            .expect("a client that declared no elicitation");
        Ok(match answer {
            Answer::Accept => ElicitResult::new(ElicitationAction::Accept).with_content(json!({})),
            Answer::Decline => ElicitResult::new(ElicitationAction::Decline),
        })
    }

    fn get_info(&self) -> ClientConfig {
        let mut capabilities = json!({});
        if self.kind.tasks {
            capabilities["extensions"] = json!({"io.modelcontextprotocol/tasks": {}});
        }
        if self.kind.answer.is_some() {
            capabilities["elicitation"] = json!({"form": {}});
        }
        let capabilities: ClientCapabilities = serde_json::from_value(capabilities).unwrap();
        ClientConfig::new(capabilities, Implementation::new("videohub-tests", "1"))
    }
}

/// A connected client and its server process.
pub struct Agent {
    pub client: RunningService<RoleClient, Recorder>,
    recorder: Recorder,
    pid: u32,
    /// What the server writes on standard error, until it exits.
    log: tokio::task::JoinHandle<String>,
}

impl Agent {
    /// Calls a tool, as a desktop client does: giving up after 60 s.
    pub async fn call(&self, tool: &'static str, arguments: Value) -> CallToolResult {
        let params = CallToolRequestParams::new(tool)
            .with_arguments(arguments.as_object().cloned().unwrap());
        let mut options = PeerRequestOptions::no_options();
        options.timeout = Some(Duration::from_secs(60));
        let handle = self
            .client
            .send_request_with_option(
                ClientRequest::CallToolRequest(Request::new(params)),
                options,
            )
            .await
            .unwrap();
        match handle.await_response().await {
            Ok(ServerResult::CallToolResult(result)) => result,
            other => panic!("`{tool}` did not answer with a tool result: {other:?}"),
        }
    }

    /// Calls a tool as a client's high-level helper does: answering the server's questions
    /// (during the call, or by calling again with the answers in the 2026-07-28 era).
    pub async fn call_answering(&self, tool: &'static str, arguments: Value) -> CallToolResult {
        let params = CallToolRequestParams::new(tool)
            .with_arguments(arguments.as_object().cloned().unwrap());
        self.client.call_tool(params).await.unwrap()
    }

    /// Calls a tool whose answer must be a task.
    pub async fn call_for_task(&self, tool: &'static str, arguments: Value) -> CreateTaskResult {
        let params = CallToolRequestParams::new(tool)
            .with_arguments(arguments.as_object().cloned().unwrap());
        match self.client.call_tool_once(params).await.unwrap() {
            CallToolResponse::Task(task) => task,
            other => panic!("`{tool}` did not answer with a task: {other:?}"),
        }
    }

    pub async fn get_task(&self, id: &str) -> GetTaskResult {
        self.client.get_task(GetTaskParams::new(id)).await.unwrap()
    }

    pub async fn cancel_task(&self, id: &str) {
        self.client
            .cancel_task(CancelTaskParams::new(id))
            .await
            .unwrap();
    }

    /// The questions the server asked this client's user.
    pub fn questions(&self) -> Vec<String> {
        self.recorder.questions.lock().unwrap().clone()
    }

    /// Closes the connection, as a client that quits does, and returns what the server
    /// wrote on standard error until it exited.
    pub async fn close(self) -> String {
        self.client.cancel().await.unwrap();
        self.log.await.unwrap()
    }

    pub fn progress_count(&self) -> usize {
        self.recorder.progress.lock().unwrap().len()
    }

    /// Kills the server process, as a client that dies takes its server with it, and waits
    /// until the process is gone.
    pub async fn kill(self) {
        let killed = std::process::Command::new("kill")
            .args(["-9", &self.pid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let _ = self.client.cancel().await;
        let proc = PathBuf::from(format!("/proc/{}", self.pid));
        for _ in 0..600 {
            if !proc.exists() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the killed server process {} is still there", self.pid);
    }
}

/// The structured content of a successful call.
pub fn structured(result: &CallToolResult) -> Value {
    assert_ne!(result.is_error, Some(true), "a tool error: {result:?}");
    result
        .structured_content
        .clone()
        .expect("structured content")
}

pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Calls `get_job` until the job is final, each call waiting `wait` seconds; every answer
/// before the last one is not final. Returns the last answer and how many calls it took.
pub async fn follow(agent: &Agent, job_id: &str, wait: f64) -> (CallToolResult, usize) {
    for calls in 1..=60 {
        let result = agent
            .call("get_job", json!({"job_id": job_id, "wait_seconds": wait}))
            .await;
        let job = structured(&result);
        assert_eq!(job["job_id"], job_id);
        if job["finished"] == true {
            return (result, calls);
        }
        assert!(
            ["pending", "submitting", "submitted", "completed"]
                .contains(&job["state"].as_str().unwrap()),
            "{job}"
        );
    }
    panic!("job {job_id} did not finish in 60 calls");
}

/// The downloaded file of a final answer: a playable MP4, linked as a resource.
pub fn assert_downloaded_video(result: &CallToolResult) -> PathBuf {
    let job = structured(result);
    assert_eq!(job["state"], "downloaded", "{job}");
    let path = PathBuf::from(job["path"].as_str().unwrap());
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[4..8], b"ftyp", "an MP4 file");
    assert_eq!(job["size"], bytes.len() as u64);
    let link = result
        .content
        .iter()
        .find_map(|c| c.as_resource_link())
        .expect("a resource link");
    assert_eq!(link.uri, format!("file://{}", path.display()));
    assert_eq!(link.uri, job["uri"]);
    assert_eq!(link.mime_type.as_deref(), Some("video/mp4"));
    assert_eq!(link.size, Some(bytes.len() as u64));
    path
}
