//! The dynamic path: any model id, validated against a compiled or a fetched schema before
//! anything is sent, then the same poller, errors and download as typed requests.

use serde_json::json;
use videohub::schema::{Category, ParamType};
use videohub::{Client, Error, JsonObject, ModelSchema};
use videohub_sandbox::SandboxHandle;

mod common;
use common::{hub_with, quick};

fn lumen() -> ModelSchema {
    let entry = json!({
        "id": "lumen-2", "name": "Lumen 2", "vendor": "Lumen", "category": "text-to-video",
        "description": "A model the hub added after this release.",
        "params": [
            {"name": "prompt", "type": "string", "required": true, "max_length": 20},
            {"name": "fps", "type": "integer", "default": 24, "values": [24, 30]}
        ]
    });
    serde_json::from_value(entry).unwrap()
}

async fn hub() -> (SandboxHandle, Client) {
    hub_with(lumen()).await
}

fn input(value: serde_json::Value) -> JsonObject {
    value.as_object().unwrap().clone()
}

#[tokio::test]
async fn a_model_videohub_does_not_compile_is_fetched_checked_and_run() {
    let (sandbox, client) = hub().await;
    let schema = videohub::models::resolve(&client, "lumen-2").await.unwrap();
    assert_eq!(
        (
            schema.name.as_ref(),
            schema.vendor.as_ref(),
            schema.category
        ),
        ("Lumen 2", "Lumen", Category::TextToVideo)
    );
    assert_eq!(schema.param("fps").map(|p| p.ty), Some(ParamType::Integer));

    let bad = client
        .submit_checked(&schema, input(json!({"prompt": "a fox", "fps": 25})))
        .await;
    match bad {
        Err(Error::InvalidRequest(errors)) => {
            assert_eq!(
                errors.to_string(),
                "parameter `fps`: `25` is not allowed; allowed values: 24, 30"
            )
        }
        other => panic!("expected a local validation error, got {other:?}"),
    }
    assert_eq!(
        sandbox.counters().submits_received,
        0,
        "nothing is sent for invalid input"
    );

    let task = client
        .submit_checked(&schema, input(json!({"prompt": "a fox", "fps": 30})))
        .await
        .unwrap();
    let output = task.wait_with(quick()).await.unwrap();
    let dir = std::env::temp_dir().join(format!("videohub-dynamic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("lumen.mp4");
    output.save(&path).await.unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), videohub_sandbox::SAMPLE_MP4);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_compiled_model_resolves_without_a_request() {
    let (sandbox, client) = hub().await;
    let schema = videohub::models::resolve(&client, "wan-2.7").await.unwrap();
    assert!(matches!(schema, std::borrow::Cow::Borrowed(_)));
    let invalid = client
        .submit_checked(&schema, input(json!({"prompt": "koi", "duration": "5"})))
        .await;
    assert!(matches!(invalid, Err(Error::InvalidRequest(_))));
    assert_eq!(sandbox.counters().submits_received, 0);
    let unknown = videohub::models::resolve(&client, "no-such-model").await;
    assert!(
        matches!(unknown, Err(Error::NotFound { .. })),
        "{unknown:?}"
    );
}
