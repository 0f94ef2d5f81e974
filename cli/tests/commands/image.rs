//! An image model the binary does not compile in (`acme-still`, text-to-image), served by
//! the hub: `generate` fetches its schema, checks the flags against it, submits it to
//! `POST /hub/v1/image`, and saves a PNG named for it.

use videohub::{Capability, Model};
use videohub_sandbox::{SAMPLE_PNG, compiled_models};
use videohub_tests::AcmeStill;

use crate::common::Hub;

fn hub() -> Hub {
    Hub::start(|b| {
        b.models(
            compiled_models()
                .into_iter()
                .chain([AcmeStill::SCHEMA.clone()]),
        )
    })
}

/// `videohub generate acme-still --prompt "a lighthouse" --set aspect_ratio=<ratio>` in `dir`.
fn generate(hub: &Hub, dir: &std::path::Path, ratio: &str) -> std::process::Output {
    let ratio = format!("aspect_ratio={ratio}");
    hub.videohub()
        .current_dir(dir)
        .args([
            "generate",
            "acme-still",
            "--prompt",
            "a lighthouse",
            "--set",
            &ratio,
        ])
        .output()
        .unwrap()
}

#[test]
fn an_image_is_generated_and_saved_under_its_own_extension() {
    let hub = hub();
    let dir = tempfile::tempdir().unwrap();
    let output = generate(&hub, dir.path(), "16:9");
    assert!(output.status.success(), "{output:?}");
    let saved: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let name = saved[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("acme-still-") && name.ends_with(".png"),
        "{name}"
    );
    assert_eq!(std::fs::read(&saved[0]).unwrap(), SAMPLE_PNG);

    let jobs = hub.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["endpoint"], Capability::Image.endpoint());
    assert_eq!(jobs[0]["state"], "downloaded");
    assert_eq!(jobs[0]["input"]["aspect_ratio"], "16:9");
    assert_eq!(hub.handle.counters().tasks_created, 1);
}

#[test]
fn a_value_the_image_model_does_not_allow_is_refused_before_sending() {
    let hub = hub();
    let dir = tempfile::tempdir().unwrap();
    let output = generate(&hub, dir.path(), "4:3");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("aspect_ratio"), "{stderr}");
    assert!(stderr.contains("16:9"), "{stderr}");
    assert_eq!(hub.handle.counters().submits_received, 0);
}

#[test]
fn codegen_writes_the_hubs_image_model_with_its_category() {
    let hub = hub();
    let output = hub
        .videohub()
        .args(["models", "codegen", "--all-missing"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let source = String::from_utf8(output.stdout).unwrap();
    assert!(
        source.contains(
            "#[video_model(id = \"acme-still\", name = \"Acme Still\", vendor = \"Acme\", category = \"text-to-image\")]"
        ),
        "{source}"
    );
    assert!(source.contains("aspect_ratio: AspectRatio,"), "{source}");
}
