//! The model list and schemas served, and model lists read from JSON.

use std::borrow::Cow;

use serde_json::{Value, json};
use videohub::schema::{Category, ImageInputs, Literal, ParamSchema, ParamType, Range};
use videohub_sandbox::{ModelSchema, Sandbox, load_models};

use crate::common::*;

#[tokio::test]
async fn the_catalog_lists_models_with_their_json_schema() {
    let mut models = fixture_models();
    models.push(mystery_model());
    let sandbox = fast().models(models.clone()).start().await.expect("start");

    let list: Value = get(&sandbox, "/hub/v1/models?capability=video")
        .await
        .json()
        .await
        .expect("JSON");
    let data = list["data"].as_array().expect("a data list");
    assert_eq!(data.len(), 21);
    assert_eq!(data[0]["id"], "veo-3.1");
    assert_eq!(data[0]["category"], "text-to-video");
    assert_eq!(data[0]["vendor"], "Google");
    let images: Value = get(&sandbox, "/hub/v1/models?capability=image")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(images["data"].as_array().map(Vec::len), Some(0));

    for model in &models {
        let detail: Value = get(&sandbox, &format!("/hub/v1/models/{}", model.id))
            .await
            .json()
            .await
            .expect("JSON");
        assert_eq!(detail["id"], model.id.as_ref());
        let schema = &detail["input_schema"];
        assert_eq!(schema["type"], "object");
        assert_eq!(
            &ModelSchema::from_json_schema(&model.id, schema),
            model,
            "round trip of {}",
            model.id
        );
        // The example is accepted by the sandbox itself.
        let example = json!({"model": model.id, "input": detail["example"]});
        assert_eq!(
            submit(&sandbox, &example).await.status(),
            200,
            "example of {}",
            model.id
        );
    }
}

#[tokio::test]
async fn compiled_models_round_trip_through_json_schema() {
    for model in videohub::models::catalog() {
        let json = model.to_json_schema();
        assert_eq!(
            &ModelSchema::from_json_schema(&model.id, &json),
            *model,
            "{}",
            model.id
        );
        assert!(
            model.validate_input(&model.example_input()).is_ok(),
            "example of {}",
            model.id
        );
    }
}

/// A model the videohub crate does not compile, as the hub's unknown ids will be.
fn mystery_model() -> ModelSchema {
    let mut prompt = ParamSchema::new("prompt", ParamType::String);
    prompt.required = true;
    let mut strength = ParamSchema::new("strength", ParamType::Number);
    strength.range = Some(Range::inclusive(Literal::Float(0.0), Literal::Float(1.0)));
    strength.default = Some(Literal::Float(0.5));
    ModelSchema {
        id: "mystery-edit".into(),
        name: "Mystery Edit".into(),
        vendor: "Unknown".into(),
        category: Category::VideoEdit,
        description: "An edit model known only from the live catalog.".into(),
        params: Cow::Owned(vec![prompt, strength]),
        image_inputs: Some(ImageInputs {
            param: "image_urls".into(),
            min: 1,
            max: 1,
            roles: Cow::Owned(vec!["the video to edit".into()]),
        }),
        constraints: Cow::Borrowed(&[]),
    }
}

#[tokio::test]
async fn model_lists_load_leniently_and_fail_clearly() {
    assert_eq!(fixture_models().len(), 20);
    let bare = load_models(r#"[{"id": "x", "name": "X", "vendor": "V", "category": "text-to-video", "params": [], "extra": 1}]"#)
        .expect("a bare list");
    assert_eq!(bare[0].id, "x");
    assert!(load_models("{").is_err());
    assert!(
        load_models(r#"{"nothing": []}"#)
            .unwrap_err()
            .to_string()
            .contains("`models` array")
    );
    let bad = load_models(r#"[{"id": "broken", "params": []}]"#)
        .unwrap_err()
        .to_string();
    assert!(bad.starts_with("model #0 (broken) cannot be read"), "{bad}");

    let sandbox = Sandbox::builder()
        .models(bare)
        .start()
        .await
        .expect("start");
    assert_eq!(sandbox.models().len(), 1);
}
