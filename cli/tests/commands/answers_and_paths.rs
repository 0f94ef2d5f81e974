//! What the binary does with answers that are wrong in shape and with a hostile or careless
//! local setup: downloads that redirect where the URL rules forbid, files that are not
//! videos, a hub that repeats the key, batch outputs that leave `--out`, a closed pipe.

use std::path::Path;
use std::sync::atomic::Ordering;

use crate::common::scripted::{FileAnswer, Script, ScriptedHub};
use crate::common::{Hub, videohub};

const KEY: &str = "hub-secret-0123456789abcdef";

/// The first bytes of an MP4 file, then filler.
fn mp4(len: usize) -> Vec<u8> {
    let mut bytes = b"\0\0\0\x20ftypisom\0\0\x02\0".to_vec();
    bytes.resize(len, 7);
    bytes
}

/// `generate` against `hub` into `dir/out.mp4`, with its own journal in `dir`.
fn generate(hub: &ScriptedHub, dir: &Path, extra: &[&str]) -> std::process::Output {
    generate_with_key(KEY, hub, dir, extra)
}

/// [`generate`] with the API key `key`.
fn generate_with_key(
    key: &str,
    hub: &ScriptedHub,
    dir: &Path,
    extra: &[&str],
) -> std::process::Output {
    videohub()
        .env("VIDEOHUB_STORE", dir.join("journal.sqlite3"))
        .args(["--base-url", &hub.url, "--api-key", key, "-v"])
        .args(["generate", "veo-3.1", "--prompt", "a fox"])
        .arg("-o")
        .arg(dir.join("out").join("out.mp4"))
        .args(extra)
        .output()
        .unwrap()
}

/// The files in `dir/out`.
fn outputs(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// The jobs of the journal in `dir`.
fn jobs(dir: &Path) -> Vec<serde_json::Value> {
    let output = videohub()
        .env("VIDEOHUB_STORE", dir.join("journal.sqlite3"))
        .args(["jobs", "list", "--all", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice::<serde_json::Value>(&output.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn empty_html_and_oversize_files_are_refused_and_nothing_reaches_the_target() {
    let html = b"<!DOCTYPE html><html><body>Service Unavailable</body></html>".to_vec();
    let cases: [(&str, FileAnswer, &[&str], &str); 4] = [
        (
            "empty",
            FileAnswer::Body {
                bytes: vec![],
                length: true,
            },
            &[],
            "is empty",
        ),
        (
            "html",
            FileAnswer::Body {
                bytes: html,
                length: true,
            },
            &[],
            "is not a video file",
        ),
        (
            "endless",
            FileAnswer::Body {
                bytes: mp4(5_000),
                length: false,
            },
            &["--max-file-size", "4KB"],
            "larger than the limit of 4000 bytes",
        ),
        (
            "announced too large",
            FileAnswer::Body {
                bytes: mp4(5_000),
                length: true,
            },
            &["--max-file-size", "4KB"],
            "larger than the limit of 4000 bytes",
        ),
    ];
    for (case, file, extra, said) in cases {
        let hub = ScriptedHub::start(Script::File(file));
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("out")).unwrap();
        let run = generate(&hub, dir.path(), extra);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{case}: {stderr}");
        assert!(stderr.contains(said), "{case}: {stderr}");
        assert!(
            outputs(dir.path()).is_empty(),
            "{case}: {:?}",
            outputs(dir.path())
        );
        assert_eq!(hub.submits.load(Ordering::SeqCst), 1, "{case}");
        assert_eq!(
            hub.file_requests.load(Ordering::SeqCst),
            1,
            "{case}: not tried again"
        );
        // The journal keeps the task's answer (with the URL) and why it was not saved.
        let jobs = jobs(dir.path());
        assert_eq!(jobs[0]["state"], "completed", "{case}");
        let url = format!("{}/files/v.mp4", hub.url);
        assert_eq!(
            jobs[0]["result"]["data"]["video"]["url"],
            url.as_str(),
            "{case}"
        );
        assert!(
            jobs[0]["error"].as_str().unwrap().contains(said),
            "{case}: {}",
            jobs[0]
        );
    }
    // A real MP4 within the limit is saved.
    let hub = ScriptedHub::start(Script::File(FileAnswer::Body {
        bytes: mp4(5_000),
        length: false,
    }));
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let run = generate(&hub, dir.path(), &[]);
    assert!(run.status.success(), "{run:?}");
    assert_eq!(
        std::fs::read(dir.path().join("out/out.mp4")).unwrap(),
        mp4(5_000)
    );
}

#[test]
fn a_file_url_redirected_off_the_rules_is_not_followed() {
    // Addresses nothing answers on here: the refusal is what ends the download.
    for location in [
        "http://192.0.2.10/v.mp4",
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.169.254/latest/meta-data/",
    ] {
        let hub = ScriptedHub::start(Script::File(FileAnswer::Redirect(location.into())));
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("out")).unwrap();
        let run = generate(&hub, dir.path(), &[]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{location}: {stderr}");
        assert!(
            stderr.contains(&format!("refusing `{location}`")),
            "{location}: {stderr}"
        );
        assert_eq!(hub.file_requests.load(Ordering::SeqCst), 1, "{location}");
        assert!(outputs(dir.path()).is_empty(), "{location}");
    }
}

#[test]
fn a_short_key_in_the_hubs_answers_loses_no_task() {
    for key in ["k", "task", "test"] {
        let video = mp4(4096);
        let hub = ScriptedHub::start(Script::File(FileAnswer::Body {
            bytes: video.clone(),
            length: true,
        }));
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("out")).unwrap();
        let run = generate_with_key(key, &hub, dir.path(), &[]);
        assert_eq!(run.status.code(), Some(0), "{key}: {run:?}");
        assert_eq!(
            std::fs::read(dir.path().join("out").join("out.mp4")).unwrap(),
            video,
            "{key}"
        );
        assert_eq!(hub.submits.load(Ordering::SeqCst), 1, "{key}: one task");
        let jobs = jobs(dir.path());
        assert_eq!(jobs.len(), 1, "{key}");
        assert_eq!(jobs[0]["state"], "downloaded", "{key}: {}", jobs[0]);
        assert_eq!(jobs[0]["task_id"], "test-task-1", "{key}");
    }
}

#[test]
fn a_key_repeated_in_the_hubs_answers_is_shown_and_stored_nowhere() {
    let hub = ScriptedHub::start(Script::File(FileAnswer::Body {
        bytes: mp4(4096),
        length: true,
    }));
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let run = generate(&hub, dir.path(), &["--json"]);
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(report["data"]["billed_to"], "[redacted]", "{report}");
    assert_no_key(dir.path(), vec![run.stdout, run.stderr]);
}

/// Neither `shown` nor the history, the jobs list or any file in `dir` (the journal) holds
/// the key or a part of it.
fn assert_no_key(dir: &Path, mut seen: Vec<Vec<u8>>) {
    for args in [
        &["history", "--json"][..],
        &["jobs", "list", "--all", "--json"],
    ] {
        let run = videohub()
            .env("VIDEOHUB_STORE", dir.join("journal.sqlite3"))
            .args(args)
            .output()
            .unwrap();
        assert!(run.status.success(), "{args:?}: {run:?}");
        seen.extend([run.stdout, run.stderr]);
    }
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            seen.push(std::fs::read(path).unwrap());
        }
    }
    for bytes in seen {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(KEY), "the key leaked: {text}");
        assert!(
            !text.contains("secret-0123"),
            "part of the key leaked: {text}"
        );
    }
}

#[test]
fn a_hub_that_repeats_the_key_has_it_removed_everywhere() {
    let hub = ScriptedHub::start(Script::Echo);
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let run = generate(&hub, dir.path(), &[]);
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("[redacted]"),
        "the hub's message is shown: {stderr}"
    );
    let history = videohub()
        .env("VIDEOHUB_STORE", dir.path().join("journal.sqlite3"))
        .args(["history", "--json"])
        .output()
        .unwrap();
    assert!(history.status.success());
    assert!(String::from_utf8_lossy(&history.stdout).contains("[redacted]"));
    let show = videohub()
        .env("VIDEOHUB_STORE", dir.path().join("journal.sqlite3"))
        .args(["jobs", "list", "--all"])
        .output()
        .unwrap();
    assert_no_key(
        dir.path(),
        vec![run.stdout, run.stderr, show.stdout, show.stderr],
    );
}

#[test]
fn batch_outputs_outside_out_are_invalid_lines_and_nothing_is_sent() {
    let hub = Hub::start(|b| b);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::os::unix::fs::symlink("/tmp", out.join("away")).unwrap();
    let file = dir.path().join("lines.jsonl");
    std::fs::write(
        &file,
        [
            r#"{"model": "veo-3.1", "input": {"prompt": "fine"}, "output": "fine.mp4"}"#,
            r#"{"model": "veo-3.1", "input": {"prompt": "up"}, "output": "../../x.mp4"}"#,
            r#"{"model": "veo-3.1", "input": {"prompt": "abs"}, "output": "/tmp/x.mp4"}"#,
            r#"{"model": "veo-3.1", "input": {"prompt": "link"}, "output": "away/x.mp4"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let run = hub
        .videohub()
        .args(["batch", "run", "--out"])
        .arg(&out)
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    for said in [
        "line 2: the output path ../../x.mp4 climbs out",
        "line 3: the output path /tmp/x.mp4 is absolute",
        "line 4: the output path away/x.mp4 goes through the symbolic link",
    ] {
        assert!(stderr.contains(said), "{said}: {stderr}");
    }
    assert_eq!(hub.handle.counters().submits_received, 0);
    assert!(!dir.path().join("x.mp4").exists());
}

#[test]
fn a_closed_standard_output_ends_list_commands_quietly() {
    let hub = Hub::start(|b| b);
    hub.videohub()
        .args(["generate", "veo-3.1", "--prompt", "a fox", "-o"])
        .arg(hub.store.path().join("fox.mp4"))
        .assert()
        .success();
    for args in [
        &["history"][..],
        &["history", "--json"],
        &["jobs", "list", "--all"],
        &["models", "list"],
        &["models", "show", "veo-3.1"],
    ] {
        // A reader that is gone before the first line is written (`| head -0`).
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let run = std::process::Command::new(assert_cmd::cargo::cargo_bin("videohub"))
            .env_remove("MOUNTSEA_API_KEY")
            .env("VIDEOHUB_STORE", hub.journal())
            .args(args)
            .stdout(writer)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn papercuts() {
    let hub = Hub::start(|b| b);
    let dir = tempfile::tempdir().unwrap();

    // An empty prompt is refused before sending.
    let run = hub
        .videohub()
        .args(["generate", "veo-3.1", "--prompt", " "])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&run.stderr)
            .contains("parameter `prompt`: is required and cannot be empty"),
        "{run:?}"
    );
    assert_eq!(hub.handle.counters().submits_received, 0);

    // An empty batch file says so.
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "\n\n").unwrap();
    let run = hub
        .videohub()
        .args(["batch", "run"])
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("has no lines"),
        "{run:?}"
    );

    // --dry-run needs no key.
    let lines = dir.path().join("lines.jsonl");
    std::fs::write(
        &lines,
        r#"{"model": "veo-3.1", "input": {"prompt": "a fox"}}"#,
    )
    .unwrap();
    let run = videohub()
        .current_dir(dir.path())
        .args(["batch", "run", "--dry-run"])
        .arg(&lines)
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    assert!(
        String::from_utf8_lossy(&run.stdout).contains("1 lines valid"),
        "{run:?}"
    );

    // The sandbox's help lists its own options only.
    let help = videohub().args(["sandbox", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("--port") && help.contains("--faults"),
        "{help}"
    );
    for global in [
        "--api-key",
        "--base-url",
        "--store",
        "--no-store",
        "--sandbox",
    ] {
        assert!(!help.contains(global), "{global}: {help}");
    }

    // A hub nothing listens on is said to be unreachable.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let run = videohub()
        .env("VIDEOHUB_STORE", dir.path().join("journal.sqlite3"))
        .args(["--base-url", &url, "--api-key", KEY, "task", "status", "t1"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("could not reach the hub at {url}/")),
        "{stderr}"
    );

    // An image of an unknown type: the hint names no SDK method.
    let odd = dir.path().join("frame.xyz");
    std::fs::write(&odd, b"x").unwrap();
    let run = hub
        .videohub()
        .args(["generate", "veo-3.1-i2v", "--prompt", "a fox", "--image"])
        .arg(&odd)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("from_bytes"), "{stderr}");
}

#[test]
fn task_wait_of_a_job_of_the_journal_finishes_that_job_at_its_path() {
    let hub = Hub::start(|b| b);
    let target = hub.store.path().join("fox.mp4");
    let submitted = hub
        .videohub()
        .args([
            "generate",
            "veo-3.1",
            "--prompt",
            "a fox",
            "--no-wait",
            "-o",
        ])
        .arg(&target)
        .output()
        .unwrap();
    assert!(submitted.status.success(), "{submitted:?}");
    let task_id = String::from_utf8(submitted.stdout)
        .unwrap()
        .trim()
        .to_owned();
    let waited = hub
        .videohub()
        .args(["task", "wait", &task_id])
        .current_dir(hub.store.path())
        .output()
        .unwrap();
    assert!(waited.status.success(), "{waited:?}");
    assert!(target.is_file(), "saved at the job's path");
    let jobs = hub.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["state"], "downloaded");
    assert_eq!(jobs[0]["file_path"], target.to_str().unwrap());
    // `task download` of it again names the saved file and fetches nothing.
    let downloads = hub.handle.counters().downloads;
    let again = hub
        .videohub()
        .args(["task", "download", &task_id])
        .output()
        .unwrap();
    assert!(again.status.success(), "{again:?}");
    assert!(String::from_utf8_lossy(&again.stdout).contains(target.to_str().unwrap()));
    assert_eq!(hub.handle.counters().downloads, downloads);
    assert_eq!(hub.handle.counters().tasks_created, 1);
}
