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

/// A task the hub finished, submitted without waiting.
fn finished_task(hub: &Hub) -> String {
    let submitted = hub
        .videohub()
        .args(["generate", "veo-3.1", "--prompt", "a red fox", "--no-wait"])
        .output()
        .unwrap();
    assert!(submitted.status.success(), "{submitted:?}");
    String::from_utf8(submitted.stdout).unwrap().trim().to_owned()
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

/// The binary pointed at `hub`, its AWS settings only those of `home`'s files.
fn with_profile(hub: &Hub, home: &Path) -> assert_cmd::Command {
    let mut command = hub.videohub();
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("AWS_")) {
        command.env_remove(name);
    }
    command.env("HOME", home).env("AWS_PROFILE", "render");
    command
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

    let saved = with_profile(&hub, home.path())
        .args(["-vvv", "task", "download", &task, "-o", "s3://renders/tasks/fox.mp4"])
        .output()
        .unwrap();

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

    let refused = with_profile(&hub, home.path())
        .args(["-vvv", "task", "download", &task, "-o", "s3://no-such-bucket/fox.mp4"])
        .output()
        .unwrap();

    assert!(!refused.status.success(), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("s3://no-such-bucket/fox.mp4"), "{stderr}");
    assert_no_credential(&refused);
}
