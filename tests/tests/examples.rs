//! Every example of `models/examples/` and `journal/examples/` run as a user runs it, against
//! a sandbox hub of its own: each exits 0, saves a whole video, and pays for what it says.
//!
//! `cargo test --workspace` builds the examples before it runs this; alone, build them
//! first: `cargo build --examples -p videohub -p videohub-journal`.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use videohub_sandbox::{Sandbox, SandboxHandle, TaskDuration};

const KEY: &str = "sk-examples-0c5e1d";

/// The built example `name`, next to this test program's folder.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test program's path");
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>");
    let path = profile.join("examples").join(name);
    assert!(
        path.is_file(),
        "the example {name} is not built at {}: run `cargo build --examples -p videohub -p videohub-journal` first",
        path.display()
    );
    path
}

/// A sandbox whose tasks take a tenth of a second.
async fn sandbox() -> SandboxHandle {
    Sandbox::builder()
        .api_key(KEY)
        .durations(TaskDuration::Fixed(Duration::from_millis(100)))
        .start()
        .await
        .expect("the sandbox starts")
}

/// Runs example `name` with `args` in `dir`, pointed at `hub` through the environment,
/// as its documentation says; it must exit 0.
async fn run(hub: &SandboxHandle, dir: &Path, name: &str, args: &[&str]) -> String {
    let output: Output = tokio::process::Command::new(example(name))
        .args(args)
        .current_dir(dir)
        .env("MOUNTSEA_BASE_URL", hub.url())
        .env("MOUNTSEA_API_KEY", KEY)
        .kill_on_drop(true)
        .output()
        .await
        .expect("the example runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{name} {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!stdout.contains(KEY), "{name} printed the key:\n{stdout}");
    stdout
}

/// The file is a whole MP4 of the sandbox.
fn assert_video(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.len() > 1000,
        "{}: {} bytes",
        path.display(),
        bytes.len()
    );
    assert_eq!(&bytes[4..8], b"ftyp", "{} is not an MP4", path.display());
}

#[tokio::test(flavor = "multi_thread")]
async fn text_to_video_saves_the_video() {
    let (hub, dir) = (sandbox().await, tempfile::tempdir().unwrap());
    let stdout = run(&hub, dir.path(), "text_to_video", &["fox.mp4"]).await;
    assert!(stdout.contains("saved fox.mp4"), "{stdout}");
    assert_video(&dir.path().join("fox.mp4"));
    assert_eq!(hub.counters().tasks_created, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn image_to_video_sends_a_local_image() {
    let (hub, dir) = (sandbox().await, tempfile::tempdir().unwrap());
    let image = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sandbox/fixtures/sample.png");
    let image = image.to_str().unwrap();
    run(&hub, dir.path(), "image_to_video", &[image, "moving.mp4"]).await;
    assert_video(&dir.path().join("moving.mp4"));
    assert_eq!(hub.counters().tasks_created, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_task_is_resumed_by_id_in_a_new_process() {
    let (hub, dir) = (sandbox().await, tempfile::tempdir().unwrap());
    let id = run(&hub, dir.path(), "resume", &["submit"]).await;
    let id = id.trim();
    assert!(!id.is_empty());
    let stdout = run(&hub, dir.path(), "resume", &["wait", id, "koi.mp4"]).await;
    assert!(stdout.contains(id), "{stdout}");
    assert_video(&dir.path().join("koi.mp4"));
    assert_eq!(
        hub.counters().tasks_created,
        1,
        "one task, followed by two processes"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_model_of_your_own_checks_its_own_rules() {
    let (hub, dir) = (sandbox().await, tempfile::tempdir().unwrap());
    let stdout = run(&hub, dir.path(), "own_model", &["koi.mp4"]).await;
    assert!(stdout.contains("refused before sending"), "{stdout}");
    assert!(stdout.contains("\"duration\":10"), "{stdout}");
    assert_video(&dir.path().join("koi.mp4"));
    assert_eq!(
        hub.counters().submits_received,
        1,
        "the refused request was not sent"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_model_is_checked_by_its_json_schema() {
    let (hub, dir) = (sandbox().await, tempfile::tempdir().unwrap());
    let stdout = run(&hub, dir.path(), "live_model", &["veo-3.1-fast", "out.mp4"]).await;
    assert!(stdout.contains("prompt: string (required)"), "{stdout}");
    assert!(stdout.contains("refused before sending"), "{stdout}");
    assert!(
        stdout.contains("duration"),
        "the refusal names the parameter: {stdout}"
    );
    assert_video(&dir.path().join("out.mp4"));
    assert_eq!(
        hub.counters().submits_received,
        1,
        "the refused input was not sent"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn progress_is_a_stream_of_polls() {
    let (hub, dir) = (sandbox().await, tempfile::tempdir().unwrap());
    let stdout = run(&hub, dir.path(), "progress", &["fox.mp4"]).await;
    assert!(stdout.contains("poll  1:"), "{stdout}");
    assert_video(&dir.path().join("fox.mp4"));
    assert_eq!(hub.counters().tasks_created, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_runs_once_and_its_second_run_pays_nothing() {
    let (hub, dir) = (sandbox().await, tempfile::tempdir().unwrap());
    let stdout = run(&hub, dir.path(), "batch", &["jobs.sqlite3", "clips"]).await;
    assert!(stdout.contains("first run: 3 of 3 downloaded"), "{stdout}");
    assert!(stdout.contains("second run: 3 of 3 downloaded"), "{stdout}");
    for n in 0..3 {
        assert_video(&dir.path().join(format!("clips/clip-{n}.mp4")));
    }
    assert_eq!(
        hub.counters().tasks_created,
        3,
        "the second run paid nothing"
    );
}
