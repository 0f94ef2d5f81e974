//! The built `videohub` binary end to end, against sandbox hubs started by the tests.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use videohub_sandbox::TaskDuration;

use crate::common::{Hub, videohub};

fn is_sample_video(path: &Path) -> bool {
    std::fs::read(path)
        .is_ok_and(|bytes| bytes == videohub_sandbox::SAMPLE_MP4 && &bytes[4..8] == b"ftyp")
}

fn stdout_json(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

#[test]
fn generate_against_the_built_in_sandbox_saves_a_playable_mp4() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fox.mp4");
    let assert = videohub()
        .args([
            "--sandbox",
            "generate",
            "veo-3.1",
            "--prompt",
            "a red fox in snow",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(
        String::from_utf8_lossy(&assert.get_output().stdout).trim(),
        out.display().to_string()
    );
    assert!(is_sample_video(&out));
}

#[test]
fn each_validation_error_exits_2_and_sends_nothing() {
    let hub = Hub::start(|b| b);
    let cases: [(&[&str], &str); 6] = [
        (
            &[
                "generate",
                "veo-3.1-lite",
                "--prompt",
                "x",
                "--set",
                "resolution=4k",
            ],
            "allowed values: 720p, 1080p",
        ),
        (
            &[
                "generate",
                "veo-3.1",
                "--prompt",
                "x",
                "--set",
                "resolutoin=4k",
            ],
            "did you mean `resolution`?",
        ),
        (
            &[
                "generate",
                "wan-2.7",
                "--prompt",
                "x",
                "--set",
                "duration=5s",
            ],
            "`duration` takes an integer, not `5s`",
        ),
        (
            &["generate", "wan-2.7", "--set", "seed=1"],
            "parameter `prompt`: is required",
        ),
        (
            &[
                "generate",
                "kling-v3-pro",
                "--prompt",
                "x",
                "--set",
                r#"multi_prompt=[{"prompt":"a","duration":"5"}]"#,
            ],
            "exactly one of these",
        ),
        (
            &["generate", "veo-3.1-image", "--prompt", "x"],
            "takes exactly 1 image(s), found 0",
        ),
    ];
    for (args, message) in cases {
        let assert = hub.videohub().args(args).assert().code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert_eq!(
            stderr.lines().next().map(|l| l.starts_with("error: ")),
            Some(true),
            "{stderr}"
        );
    }
    assert_eq!(hub.handle.counters().submits_received, 0);
}

#[test]
fn json_output_parses_and_names_the_file() {
    let hub = Hub::start(|b| b);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("koi.mp4");
    let output = hub
        .videohub()
        .args(["generate", "wan-2.7", "--prompt", "koi", "--json", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result = stdout_json(&output);
    assert_eq!(result["status"], "completed");
    assert_eq!(result["bytes"], videohub_sandbox::SAMPLE_MP4.len());
    assert_eq!(result["file"], out.display().to_string());
    assert!(result["task_id"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(is_sample_video(&out));
}

#[test]
fn a_task_resumes_from_its_id() {
    let hub = Hub::start(|b| b);
    let submitted = hub
        .videohub()
        .args([
            "generate",
            "seedance-2.0",
            "--prompt",
            "city lights",
            "--no-wait",
        ])
        .output()
        .unwrap();
    assert!(submitted.status.success());
    let id = String::from_utf8(submitted.stdout)
        .unwrap()
        .trim()
        .to_owned();
    assert!(!id.is_empty());

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("city.mp4");
    hub.videohub()
        .args(["task", "wait", &id, "-o"])
        .arg(&out)
        .assert()
        .success();
    assert!(is_sample_video(&out));
    let status = hub
        .videohub()
        .args(["task", "status", &id, "--json"])
        .output()
        .unwrap();
    assert_eq!(stdout_json(&status)["status"], "completed");
    let again = dir.path().join("again.mp4");
    hub.videohub()
        .args(["task", "download", &id, "-o"])
        .arg(&again)
        .assert()
        .success();
    assert!(is_sample_video(&again));
    assert_eq!(hub.handle.counters().submits_received, 1);
}

#[test]
fn download_of_a_running_task_says_to_wait() {
    let hub = Hub::start(|b| b.durations(TaskDuration::Fixed(Duration::from_secs(600))));
    let submitted = hub
        .videohub()
        .args(["generate", "veo-3", "--prompt", "x", "--no-wait"])
        .output()
        .unwrap();
    let id = String::from_utf8(submitted.stdout)
        .unwrap()
        .trim()
        .to_owned();
    let assert = hub
        .videohub()
        .args(["task", "download", &id])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains(&format!("`videohub task wait {id}` waits for it")),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_waiting_and_prints_how_to_resume() {
    let hub = Hub::start(|b| b.durations(TaskDuration::Fixed(Duration::from_secs(600))));
    let dir = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("videohub"))
        .env("VIDEOHUB_STORE", hub.journal())
        .args([
            "--base-url",
            hub.handle.url(),
            "--api-key",
            "test-key",
            "generate",
            "veo-3",
            "--prompt",
            "x",
            "-o",
        ])
        .arg(dir.path().join("out.mp4"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once the task is polled, the command is waiting, with Ctrl-C handled.
    while hub.handle.counters().polls == 0 {
        std::thread::sleep(Duration::from_millis(20));
    }
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        stderr.contains("stopped waiting; the task goes on. Resume with:\n  videohub jobs resume "),
        "{stderr}"
    );
    // The job is kept, submitted, and let go for the resume.
    let list = hub
        .videohub()
        .args(["jobs", "list", "--json"])
        .output()
        .unwrap();
    let jobs = stdout_json(&list);
    assert_eq!(jobs[0]["state"], "submitted", "{jobs}");
    assert_eq!(jobs[0]["owner"], Value::Null, "{jobs}");
    assert!(
        jobs[0]["output_path"]
            .as_str()
            .unwrap()
            .ends_with("out.mp4")
    );
}

#[test]
fn the_sandbox_command_serves_a_hub_other_processes_use() {
    // Port 0: the command picks free ports and names them in its banner (a port picked here
    // and released could be taken by another test before the server binds it).
    let mut server = std::process::Command::new(assert_cmd::cargo::cargo_bin("videohub"))
        .args(["sandbox", "--port", "0", "--time-scale", "0.001"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader stays open until the server is stopped, so its banner is never cut short.
    let mut banner = std::io::BufReader::new(server.stdout.take().unwrap());
    let mut first_line = String::new();
    std::io::BufRead::read_line(&mut banner, &mut first_line).unwrap();
    let url = first_line
        .strip_prefix("sandbox hub on ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no banner: {first_line:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{first_line}");
    assert!(!url.ends_with(":0"), "{first_line}");

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fox.mp4");
    let result = videohub()
        .args([
            "--base-url",
            &url,
            "--api-key",
            "any",
            "generate",
            "veo-3.1",
            "--prompt",
            "a fox",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
    drop(banner);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(is_sample_video(&out));
}

#[test]
fn a_failed_task_exits_3() {
    let hub = Hub::start(|b| b.faults("kinds=failed".parse().unwrap()));
    let dir = tempfile::tempdir().unwrap();
    let assert = hub
        .videohub()
        .current_dir(dir.path())
        .args(["generate", "veo-3", "--prompt", "x"])
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file is left behind"
    );
}

#[test]
fn an_unknown_submit_outcome_exits_1_and_warns_against_resending() {
    let hub = Hub::start(|b| b.faults("kinds=reset-after,on=submit".parse().unwrap()));
    let assert = hub
        .videohub()
        .args(["generate", "veo-3", "--prompt", "x"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("it was not resent"), "{stderr}");
    assert_eq!(
        stderr.matches("billed").count(),
        1,
        "the warning is printed once: {stderr}"
    );
    assert!(stderr.contains("videohub jobs retry "), "{stderr}");
    assert_eq!(hub.handle.counters().submits_received, 1);
}

#[test]
fn a_missing_key_says_how_to_set_it() {
    let assert = videohub()
        .args(["generate", "veo-3.1", "--prompt", "x"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("export MOUNTSEA_API_KEY="), "{stderr}");
}

#[test]
fn models_list_and_show() {
    let list = videohub()
        .args([
            "models",
            "list",
            "--category",
            "reference-to-video",
            "--json",
        ])
        .output()
        .unwrap();
    let ids: Vec<String> = stdout_json(&list)
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["veo-3.1-ref", "veo-3.1-fast-ref"]);

    let show = videohub()
        .args(["models", "show", "wan-2.7", "--json"])
        .output()
        .unwrap();
    let schema = stdout_json(&show);
    let keys: Vec<&str> = schema
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "id",
        "name",
        "vendor",
        "category",
        "description",
        "params",
        "image_inputs",
        "constraints",
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
    assert_eq!(
        schema["params"][0]["range"],
        serde_json::json!({"min": 0, "max": 2147483647})
    );

    let table = videohub()
        .args(["models", "show", "veo-3.1-lite"])
        .output()
        .unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains("resolution") && text.contains("720p 1080p"),
        "{text}"
    );
    videohub()
        .args(["models", "show", "veo-31"])
        .assert()
        .code(2);
    videohub().args(["completions", "bash"]).assert().success();
}
