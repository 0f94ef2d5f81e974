//! A sandbox hub for the binary's tests, the binary pointed at it, and the programs written
//! elsewhere that the tests drive, installed by the project's scripts.

#![allow(unreachable_pub)]

pub mod scripted;

use std::time::Duration;

use assert_cmd::Command;
use videohub_sandbox::{Sandbox, SandboxBuilder, SandboxHandle, TaskDuration};

/// A sandbox served by its own runtime while the test thread runs the binary.
pub struct Hub {
    pub handle: SandboxHandle,
    /// The journal of the commands run against this hub.
    pub store: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

impl Hub {
    pub fn start(configure: impl FnOnce(SandboxBuilder) -> SandboxBuilder) -> Hub {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let builder = configure(
            Sandbox::builder()
                .api_key("test-key")
                .durations(TaskDuration::Fixed(Duration::from_millis(50))),
        );
        let handle = runtime.block_on(builder.start()).unwrap();
        Hub {
            handle,
            store: tempfile::tempdir().unwrap(),
            _runtime: runtime,
        }
    }

    /// The binary, pointed at this hub.
    pub fn videohub(&self) -> Command {
        let mut command = videohub();
        command
            .args(["--base-url", self.handle.url(), "--api-key", "test-key"])
            .env("VIDEOHUB_STORE", self.journal());
        command
    }

    /// The journal's file.
    pub fn journal(&self) -> std::path::PathBuf {
        self.store.path().join("journal.sqlite3")
    }

    /// Every job of this hub's journal, newest first (`videohub jobs list --all --json`).
    pub fn jobs(&self) -> Vec<serde_json::Value> {
        self.jobs_in(&self.journal().to_string_lossy())
    }

    /// Every job of the journal `store` (a file or a Postgres URL), newest first.
    pub fn jobs_in(&self, store: &str) -> Vec<serde_json::Value> {
        let output = self
            .videohub()
            .env("VIDEOHUB_STORE", store)
            .args(["jobs", "list", "--all", "--json"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        match serde_json::from_slice(&output.stdout).unwrap() {
            serde_json::Value::Array(jobs) => jobs,
            other => panic!("not a list of jobs: {other}"),
        }
    }
}

/// The binary, with no key or URL from the environment, and a journal of this test
/// process's own (never the user's).
pub fn videohub() -> Command {
    let mut command = Command::cargo_bin("videohub").unwrap();
    let journal = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cli-tests-{}", std::process::id()))
        .join("journal.sqlite3");
    command
        .env_remove("MOUNTSEA_API_KEY")
        .env_remove("MOUNTSEA_BASE_URL")
        .env("VIDEOHUB_STORE", journal);
    command
}

/// Builds the binary crate `name` in `dir`, whose `src/` holds a `main.rs` and the
/// `generated.rs` that `models codegen` wrote, as a user's crate of its own: it depends on
/// `videohub` (without its optional live schemas, which generated models do not use), tokio
/// and serde_json, at the workspace's locked versions. Returns the binary's path.
///
/// Every such crate has the same dependencies and builds in one target directory, so the
/// second build (run beside the first, cargo waits for its lock) reuses the first's.
pub fn build_user_crate(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nvideohub = {{ path = {:?}, default-features = false, features = [\"rustls-tls\"] }}\n\
             tokio = {{ version = \"1\", features = [\"rt-multi-thread\", \"macros\"] }}\nserde_json = \"1\"\n\n\
             [workspace]\n",
            workspace.join("models")
        ),
    )
    .unwrap();
    std::fs::copy(workspace.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let target = workspace.join("target").join("user-crates");
    let build = std::process::Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--offline", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "the generated source does not build:\n{}\n{}",
        String::from_utf8_lossy(&build.stderr),
        std::fs::read_to_string(dir.join("src").join("generated.rs")).unwrap_or_default()
    );
    target.join("debug").join(name)
}

/// Runs `scripts/{script}`, which installs what a test drives and prints the folder it is in:
/// that folder, or what the script said when it failed.
pub fn installed_by(script: &str) -> Result<std::path::PathBuf, String> {
    let script = format!("{}/../scripts/{script}", env!("CARGO_MANIFEST_DIR"));
    let output = std::process::Command::new(&script)
        .output()
        .map_err(|e| format!("{script}: {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().into())
}
