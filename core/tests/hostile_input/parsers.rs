//! Each parser of the hub's answers, and the schema's validation and diff, on random JSON and
//! bytes.

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use videohub_core::schema::Category;
use videohub_core::{Client, ModelInfo, ModelSchema, SubmitReceipt, TaskState, TaskStatus};

use crate::strategies::{body, config, input_value, json_value, schema_value, text};

/// A client that never connects (for `into_output`, which only reads JSON).
fn offline_client() -> &'static Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        Client::builder()
            .api_key(crate::common::KEY)
            .base_url("http://127.0.0.1:9")
            .build()
            .expect("client")
    })
}

/// Everything the task parser and the output reader do with one answer.
pub(crate) fn read_task_answer(value: Value) {
    let Some(state) = TaskState::from_json(value.clone()) else {
        assert!(!value.is_object(), "an object is always a task state");
        return;
    };
    let _ = state.status.as_str().len();
    let _ = state.elapsed;
    match state.into_output(offline_client(), "task-1") {
        Ok(output) => {
            for video in output.files() {
                assert!(!video.url().trim().is_empty());
                let _ = (video.content_type(), video.file_name(), video.file_size());
            }
            let _ = format!("{output:?}");
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
}

pub(crate) fn read_receipt(value: Value) {
    if let Some(receipt) = SubmitReceipt::from_json(value) {
        assert!(!receipt.task_id.trim().is_empty());
        assert_eq!(receipt.task_id, receipt.task_id.trim());
    }
}

pub(crate) fn read_model_info(value: Value) {
    if let Some(info) = ModelInfo::from_json(value) {
        assert!(!info.id.is_empty());
        let _ = info.category_kind();
    }
}

/// The schemas of the hub's models, from the catalog fixture.
fn fixture_schemas() -> &'static [ModelSchema] {
    static SCHEMAS: OnceLock<Vec<ModelSchema>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let text = include_str!("../../../tests/fixtures/models.json");
        let fixture: Value = serde_json::from_str(text).expect("fixture JSON");
        serde_json::from_value(fixture["models"].clone()).expect("fixture schemas")
    })
}

fn read_schema(value: Value, input: &Map<String, Value>) {
    if let Ok(schema) = serde_json::from_value::<ModelSchema>(value) {
        if let Err(errors) = schema.validate_input(input) {
            assert!(!errors.errors().is_empty());
            let _ = errors.to_string();
        }
        let _ = schema.param("prompt");
        for known in fixture_schemas().iter().take(3) {
            let _ = known.diff(&schema);
            let _ = schema.diff(known);
        }
    }
}

proptest! {
    #![proptest_config(config(384))]

    #[test]
    fn submit_receipt_takes_any_json(value in json_value()) {
        read_receipt(value);
    }

    #[test]
    fn task_state_and_output_take_any_json(value in json_value()) {
        read_task_answer(value);
    }

    #[test]
    fn task_state_reads_completed_answers_with_any_data(data in json_value(), status in text()) {
        read_task_answer(json!({ "task_id": "t", "status": status, "ready": true, "data": data }));
        read_task_answer(json!({ "status": "completed", "data": { "videos": [data.clone()], "video": data } }));
    }

    #[test]
    fn model_info_takes_any_json(value in json_value()) {
        read_model_info(value);
    }

    #[test]
    fn parsers_take_any_bytes(bytes in body()) {
        if let Ok(value) = serde_json::from_slice::<Value>(&bytes) {
            read_receipt(value.clone());
            read_task_answer(value.clone());
            read_model_info(value.clone());
            read_schema(value, &Map::new());
        }
        let text = String::from_utf8_lossy(&bytes);
        let _ = TaskStatus::parse(&text);
        let _ = text.parse::<Category>();
    }

    #[test]
    fn model_schema_takes_any_json(value in json_value(), input in input_value()) {
        read_schema(value, &input);
    }

    #[test]
    fn schema_shaped_json_and_any_input(schema in schema_value(), input in input_value()) {
        read_schema(schema, &input);
    }

    #[test]
    fn fixture_schemas_validate_any_input(index in any::<prop::sample::Index>(), input in input_value()) {
        let schemas = fixture_schemas();
        let schema = &schemas[index.index(schemas.len())];
        if let Err(errors) = schema.validate_input(&input) {
            prop_assert!(!errors.errors().is_empty());
            let _ = errors.to_string();
        }
    }
}
