//! `videohub models check` against hubs whose catalog matches or differs from the compiled
//! models, and `videohub models codegen` turned into a crate that gets a real video.

use std::borrow::Cow;
use std::process::Command as Process;

use serde_json::Value;
use videohub::ModelSchema;
use videohub::schema::{Literal, ParamSchema, ParamType};
use videohub_sandbox::{compiled_models, load_models};

use crate::common::{Hub, build_user_crate};

fn uncompiled() -> Vec<ModelSchema> {
    load_models(include_str!("../fixtures/uncompiled-models.json")).unwrap()
}

#[test]
fn an_unchanged_hub_is_in_step() {
    let hub = Hub::start(|b| b.models(compiled_models().into_iter().chain(uncompiled())));
    let output = hub.videohub().args(["models", "check"]).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("veo-3.1: in step"), "{text}");
    assert!(
        text.contains("2 model(s) videohub does not compile: lumen-2, clipfix-1"),
        "{text}"
    );
}

#[test]
fn drift_is_reported_per_model_and_exits_4() {
    let mut models = compiled_models();
    let veo = models.iter_mut().find(|m| m.id == "veo-3.1").unwrap();
    let params = veo.params.to_mut();
    let duration = params.iter_mut().find(|p| p.name == "duration").unwrap();
    duration.default = Some(Literal::str("6s"));
    duration
        .values
        .as_mut()
        .unwrap()
        .to_mut()
        .push(Literal::str("10s"));
    params.retain(|p| p.name != "auto_fix");
    params.push(ParamSchema {
        description: Cow::Borrowed("Frames per second."),
        ..ParamSchema::new("fps", ParamType::Integer)
    });
    let wan = models.iter_mut().find(|m| m.id == "wan-2.7").unwrap();
    wan.params
        .to_mut()
        .iter_mut()
        .find(|p| p.name == "prompt")
        .unwrap()
        .required = false;
    models.retain(|m| m.id != "seedance-2.0-fast");
    let hub = Hub::start(|b| b.models(models));

    let output = hub.videohub().args(["models", "check"]).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(4), "{text}");
    for line in [
        "veo-3.1: 4 difference(s)",
        "  `auto_fix`: removed from the hub",
        "  `duration`: default 8s → 6s",
        "  `duration`: values added 10s",
        "  `fps`: added on the hub",
        "wan-2.7: 1 difference(s)",
        "  `prompt`: now optional",
        "seedance-2.0-fast: not listed by the hub",
        "veo-3: in step",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }

    let json = hub
        .videohub()
        .args(["models", "check", "--json"])
        .output()
        .unwrap();
    assert_eq!(json.status.code(), Some(4));
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["in_step"], false);
    let veo = report["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "veo-3.1")
        .unwrap();
    assert_eq!(veo["status"], "drift");
    assert_eq!(
        veo["differences"][0],
        serde_json::json!({"kind": "removed", "param": "auto_fix"})
    );
}

/// The source `models codegen --all-missing` writes builds in a crate that depends on
/// `videohub` (without its optional live schemas, which generated models do not use), and
/// its requests get videos from the hub that described them.
#[test]
fn generated_models_build_and_run_in_a_crate_of_their_own() {
    let hub = Hub::start(|b| b.models(compiled_models().into_iter().chain(uncompiled())));
    let scratch = tempfile::tempdir().unwrap();
    let src = scratch.path().join("src");
    std::fs::create_dir(&src).unwrap();
    hub.videohub()
        .args(["models", "codegen", "--all-missing", "-o"])
        .arg(src.join("generated.rs"))
        .assert()
        .success();
    let generated = std::fs::read_to_string(src.join("generated.rs")).unwrap();
    assert!(
        generated.contains("pub struct Lumen2 {") && generated.contains("pub struct Clipfix1 {"),
        "{generated}"
    );

    std::fs::write(src.join("main.rs"), MAIN).unwrap();
    let binary = build_user_crate(scratch.path(), "generated-models");

    let videos = scratch.path().join("videos");
    std::fs::create_dir(&videos).unwrap();
    let run = Process::new(binary)
        .arg(hub.handle.url())
        .arg(&videos)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for name in ["lumen-2.mp4", "clipfix-1.mp4"] {
        assert_eq!(
            std::fs::read(videos.join(name)).unwrap(),
            videohub_sandbox::SAMPLE_MP4,
            "{name}"
        );
    }
    assert_eq!(hub.handle.counters().tasks_created, 2);
}

/// A program using the generated types as a user would.
const MAIN: &str = r#"
mod generated;

use generated::clipfix_1::Clipfix1;
use generated::lumen_2::{Lumen2, Style};
use std::time::Duration;
use videohub::{Client, Image, PollPolicy, VideoInput, Model};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (url, out) = (args.next().unwrap(), std::path::PathBuf::from(args.next().unwrap()));
    let client = Client::builder().api_key("test-key").base_url(url).build().unwrap();
    let fast = PollPolicy::default().initial_delay(Duration::from_millis(20)).max_interval(Duration::from_millis(100));

    let lumen = Lumen2::builder()
        .prompt("the lighthouse beam sweeps the fog")
        .image(Image::url("https://cdn.example.com/lighthouse.png").unwrap())
        .style(Style::NoirFilm)
        .seed(7)
        .type_("demo")
        .build();
    assert!(lumen.validate().is_ok());
    client.generate_with(&lumen, fast).await.unwrap().save(out.join("lumen-2.mp4")).await.unwrap();

    let clip = Clipfix1::builder()
        .prompt("make it snow")
        .video_url(VideoInput::url("https://cdn.example.com/clip.mp4").unwrap())
        .build();
    client.generate_with(&clip, fast).await.unwrap().save(out.join("clipfix-1.mp4")).await.unwrap();
}
"#;
