//! Outputs saved to object storage from the command line, against an S3 server (moto) of
//! each test's own (`scripts/test-stores.sh` installs it): credentials and endpoint read as
//! the AWS tools read them, `AWS_PROFILE` included; no credential in any output.

use std::path::Path;

use videohub_tests::stores::{ACCESS_KEY_ID, S3Server, SECRET_ACCESS_KEY};

use crate::common::Hub;

/// Runs `future` on a runtime of its own (the tests here are synchronous).
fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Runtime::new().unwrap().block_on(future)
}

/// A task the hub finished: submitted without waiting, then polled (`task status --json`)
/// until the hub says it is ready, for `task download` takes only a finished task.
fn finished_task(hub: &Hub) -> String {
    let submitted = hub
        .videohub()
        .args(["generate", "veo-3.1", "--prompt", "a red fox", "--no-wait"])
        .output()
        .unwrap();
    assert!(submitted.status.success(), "{submitted:?}");
    let task = String::from_utf8(submitted.stdout)
        .unwrap()
        .trim()
        .to_owned();
    for _ in 0..300 {
        let status = hub
            .videohub()
            .args(["task", "status", &task, "--json"])
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
        let answer: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
        if answer["ready"] == true {
            return task;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("task {task} not finished within 30 s");
}

/// A home whose AWS files hold the profile `render`: the server's credentials, region and
/// endpoint, as `aws configure` writes them.
fn aws_home(s3: &S3Server) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let aws = home.path().join(".aws");
    std::fs::create_dir(&aws).unwrap();
    std::fs::write(
        aws.join("credentials"),
        format!(
            "[default]\naws_access_key_id = AKIAWRONGDEFAULT0000\naws_secret_access_key = wrong\n\n\
             [render]\naws_access_key_id = {ACCESS_KEY_ID}\naws_secret_access_key = {SECRET_ACCESS_KEY}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        aws.join("config"),
        format!(
            "[profile render]\nregion = us-east-1\nendpoint_url = {}\n",
            s3.endpoint()
        ),
    )
    .unwrap();
    home
}

/// `videohub -vvv task download TASK -o DESTINATION` pointed at `hub`, its AWS settings
/// only those of `home`'s files (the profile `render`).
fn download_with_profile(
    hub: &Hub,
    home: &Path,
    task: &str,
    destination: &str,
) -> std::process::Output {
    let mut command = hub.videohub();
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("AWS_")) {
        command.env_remove(name);
    }
    command
        .env("HOME", home)
        .env("AWS_PROFILE", "render")
        .args(["-vvv", "task", "download", task, "-o", destination])
        .output()
        .unwrap()
}

fn assert_no_credential(output: &std::process::Output) {
    for text in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(text);
        for secret in [ACCESS_KEY_ID, SECRET_ACCESS_KEY, "Test+Secret"] {
            assert!(!text.contains(secret), "a credential in: {text}");
        }
    }
}

#[test]
fn task_download_saves_to_a_bucket_with_the_named_aws_profile() {
    let s3 = S3Server::start();
    block_on(s3.create_bucket("renders"));
    let hub = Hub::start(|b| b);
    let task = finished_task(&hub);
    let home = aws_home(&s3);

    let saved = download_with_profile(&hub, home.path(), &task, "s3://renders/tasks/fox.mp4");

    assert!(saved.status.success(), "{saved:?}");
    assert_eq!(
        String::from_utf8_lossy(&saved.stdout).trim(),
        "s3://renders/tasks/fox.mp4"
    );
    assert_eq!(
        block_on(s3.object("renders", "tasks/fox.mp4")).unwrap(),
        videohub_sandbox::SAMPLE_MP4
    );
    assert!(!Path::new("s3:").exists(), "no local folder named `s3:`");
    assert_no_credential(&saved);
}

#[test]
fn a_missing_bucket_is_named_and_no_credential_is_shown() {
    let s3 = S3Server::start();
    let hub = Hub::start(|b| b);
    let task = finished_task(&hub);
    let home = aws_home(&s3);

    let refused = download_with_profile(&hub, home.path(), &task, "s3://no-such-bucket/fox.mp4");

    assert!(!refused.status.success(), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("s3://no-such-bucket/fox.mp4"), "{stderr}");
    assert_no_credential(&refused);
}

/// The binary pointed at `hub` and at the S3 server `s3` by the standard AWS variables.
fn with_s3(hub: &Hub, s3: &S3Server) -> assert_cmd::Command {
    let mut command = hub.videohub();
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("AWS_")) {
        command.env_remove(name);
    }
    command.envs(s3.env());
    command
}

/// The journal's only job, as `history --json` shows it.
fn only_generation(hub: &Hub, s3: &S3Server) -> serde_json::Value {
    let history = with_s3(hub, s3)
        .args(["history", "--json"])
        .output()
        .unwrap();
    assert!(history.status.success(), "{history:?}");
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&history.stdout).unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    entries.into_iter().next().unwrap()
}

#[test]
fn generate_saves_to_a_bucket_under_a_named_template_with_one_task() {
    let s3 = S3Server::start();
    block_on(s3.create_bucket("renders"));
    let hub = Hub::start(|b| b);

    let generated = with_s3(&hub, &s3)
        .args(["-vvv", "generate", "veo-3.1", "--prompt", "a red fox"])
        .args(["-o", "s3://renders/fleet/{model}-{task_id}.mp4"])
        .output()
        .unwrap();

    assert!(generated.status.success(), "{generated:?}");
    assert_no_credential(&generated);
    let keys = block_on(s3.keys("renders"));
    assert_eq!(keys.len(), 1, "only the video, no trial object: {keys:?}");
    assert!(keys[0].starts_with("fleet/veo-3.1-"), "{keys:?}");
    assert_eq!(
        block_on(s3.object("renders", &keys[0])).unwrap(),
        videohub_sandbox::SAMPLE_MP4
    );
    assert!(block_on(s3.multipart_uploads("renders")).is_empty());
    assert_eq!(hub.handle.counters().tasks_created, 1);
    assert!(!Path::new("s3:").exists(), "no local folder named `s3:`");

    let entry = only_generation(&hub, &s3);
    let url = format!("s3://renders/{}", keys[0]);
    assert_eq!(entry["file"], url.as_str(), "{entry}");
    assert_eq!(entry["bytes"], videohub_sandbox::SAMPLE_MP4.len());
    let sha256 = entry["sha256"].as_str().unwrap();
    assert_eq!(sha256.len(), 64, "{entry}");
    assert!(
        entry["etag"].as_str().is_some_and(|e| !e.is_empty()),
        "{entry}"
    );
    let shown = with_s3(&hub, &s3)
        .args(["jobs", "show", entry["job_id"].as_str().unwrap()])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.contains(&url) && shown.contains(sha256) && shown.contains("etag"),
        "{shown}"
    );
}

#[test]
fn generate_to_a_missing_bucket_is_refused_before_the_submit() {
    let s3 = S3Server::start();
    let hub = Hub::start(|b| b);

    let refused = with_s3(&hub, &s3)
        .args(["generate", "veo-3.1", "--prompt", "a red fox"])
        .args(["-o", "s3://no-such-bucket/fox.mp4"])
        .output()
        .unwrap();

    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("s3://no-such-bucket/fox.mp4"), "{stderr}");
    assert!(stderr.contains("nothing was sent"), "{stderr}");
    assert_eq!(hub.handle.counters().submits_received, 0);
    assert_no_credential(&refused);
}

/// A hub whose 20 MiB video comes slowly, and a bucket `renders` for it.
fn slow_hub_and_bucket() -> (Hub, S3Server) {
    let s3 = S3Server::start();
    block_on(s3.create_bucket("renders"));
    let hub = Hub::start(|b| {
        b.video_size(20 << 20)
            .faults("kinds=slow,on=download,slow=1s".parse().unwrap())
    });
    (hub, s3)
}

/// A `generate -o s3://renders/fox.mp4` killed (SIGKILL) once its upload has started and
/// before it ends.
fn generate_killed_mid_upload(hub: &Hub, s3: &S3Server) {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("videohub"));
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("AWS_")) {
        command.env_remove(name);
    }
    let mut child = command
        .env_remove("MOUNTSEA_API_KEY")
        .env("VIDEOHUB_STORE", hub.journal())
        .envs(s3.env())
        .args(["--base-url", hub.handle.url(), "--api-key", "test-key"])
        .args([
            "generate",
            "veo-3.1",
            "--prompt",
            "a fox",
            "-o",
            "s3://renders/fox.mp4",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    // The upload is recorded once the store gave its id, before its first part.
    while hub
        .jobs()
        .first()
        .is_none_or(|job| job["part_file"].is_null())
    {
        assert!(started.elapsed().as_secs() < 60, "the upload never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(block_on(s3.multipart_uploads("renders")).len(), 1);
}

#[test]
fn an_upload_killed_midway_is_aborted_and_done_again_without_a_new_submit() {
    let (hub, s3) = slow_hub_and_bucket();
    generate_killed_mid_upload(&hub, &s3);
    assert_eq!(block_on(s3.object("renders", "fox.mp4")), None);

    let resumed = with_s3(&hub, &s3)
        .args(["jobs", "resume"])
        .output()
        .unwrap();

    assert!(resumed.status.success(), "{resumed:?}");
    let saved = block_on(s3.object("renders", "fox.mp4")).unwrap();
    assert_eq!(saved.len() as u64, hub.handle.video_size());
    assert!(
        block_on(s3.multipart_uploads("renders")).is_empty(),
        "the first upload was aborted"
    );
    let counters = hub.handle.counters();
    assert_eq!(counters.tasks_created, 1, "{counters:?}");
    assert_eq!(counters.submits_received, 1, "{counters:?}");
    assert_eq!(only_generation(&hub, &s3)["status"], "downloaded");
}

#[test]
fn the_sweep_aborts_an_upload_no_process_continues() {
    let (hub, s3) = slow_hub_and_bucket();
    generate_killed_mid_upload(&hub, &s3);

    // Any command that saves outputs sweeps first: the killed process holds the job no more.
    let swept = with_s3(&hub, &s3)
        .args(["generate", "veo-3.1", "--prompt", "a hare", "--no-wait"])
        .output()
        .unwrap();

    assert!(swept.status.success(), "{swept:?}");
    assert!(
        block_on(s3.multipart_uploads("renders")).is_empty(),
        "{swept:?}"
    );
    assert_eq!(block_on(s3.object("renders", "fox.mp4")), None);
    let fox = hub
        .jobs()
        .into_iter()
        .find(|job| job["input"]["prompt"] == "a fox");
    let fox = fox.expect("the killed job");
    assert_eq!(fox["state"], "completed", "{fox}");
    assert!(fox["part_file"].is_null(), "{fox}");
}

/// `videohub batch run FILE --out OUT` with the S3 server's settings; its output.
fn batch_run(hub: &Hub, s3: &S3Server, file: &Path, out: &str) -> std::process::Output {
    let run = with_s3(hub, s3)
        .args(["batch", "run", "--out", out])
        .arg(file)
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    assert_no_credential(&run);
    run
}

#[test]
fn a_batch_saves_to_a_prefix_and_runs_again_or_elsewhere_in_the_bucket_for_nothing() {
    let s3 = S3Server::start();
    block_on(s3.create_bucket("renders"));
    let hub = Hub::start(|b| b);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shots.jsonl");
    let lines = [
        r#"{"model": "veo-3.1", "input": {"prompt": "shot 0"}, "output": "a/{task_id}"}"#,
        r#"{"model": "veo-3.1", "input": {"prompt": "shot 1"}, "output": "b/{task_id}"}"#,
        r#"{"model": "veo-3.1", "input": {"prompt": "shot 2"}}"#,
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();

    batch_run(&hub, &s3, &file, "s3://renders/runs/");

    let keys = block_on(s3.keys("renders"));
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(keys.iter().all(|k| k.starts_with("runs/")), "{keys:?}");
    assert!(keys.iter().any(|k| k.starts_with("runs/a/")), "{keys:?}");
    assert!(keys.iter().any(|k| k.starts_with("runs/b/")), "{keys:?}");
    for key in &keys {
        let saved = block_on(s3.object("renders", key)).unwrap();
        assert_eq!(saved, videohub_sandbox::SAMPLE_MP4, "{key}");
    }
    let paid = hub.handle.counters();
    assert_eq!(paid.tasks_created, 3, "{paid:?}");

    // Run again: nothing is sent or downloaded.
    batch_run(&hub, &s3, &file, "s3://renders/runs/");
    // The same batch to another prefix: copied inside the bucket.
    batch_run(&hub, &s3, &file, "s3://renders/again/");

    let counters = hub.handle.counters();
    assert_eq!(counters.tasks_created, 3, "{counters:?}");
    assert_eq!(counters.downloads, paid.downloads, "copied, not downloaded");
    let keys = block_on(s3.keys("renders"));
    assert_eq!(keys.len(), 6, "{keys:?}");
    for key in keys.iter().filter(|k| k.starts_with("again/")) {
        let copied = block_on(s3.object("renders", key)).unwrap();
        assert_eq!(copied, videohub_sandbox::SAMPLE_MP4, "{key}");
    }
    assert!(block_on(s3.multipart_uploads("renders")).is_empty());
}

#[test]
fn a_batch_to_a_missing_bucket_sends_nothing() {
    let s3 = S3Server::start();
    let hub = Hub::start(|b| b);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shots.jsonl");
    std::fs::write(
        &file,
        r#"{"model": "veo-3.1", "input": {"prompt": "shot 0"}}"#,
    )
    .unwrap();

    let refused = with_s3(&hub, &s3)
        .args(["batch", "run", "--out", "s3://no-such-bucket/runs/"])
        .arg(&file)
        .output()
        .unwrap();

    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert_eq!(hub.handle.counters().submits_received, 0);
    assert_no_credential(&refused);
}
