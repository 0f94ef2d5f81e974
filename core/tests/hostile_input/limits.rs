//! Values at the limits: a duration beyond `Duration::MAX`, nesting past the JSON reader's
//! recursion limit, and lists long enough to show quadratic work.

use serde_json::{Map, Value, json};
use videohub_core::schema::{MAX_SUGGESTIONS, Problem};
use videohub_core::{ModelSchema, TaskState};

use crate::parsers::{read_model_info, read_receipt, read_task_answer};

/// A task answer with an `elapsed_ms` beyond `Duration::MAX` is read without its duration.
#[test]
fn elapsed_ms_beyond_duration_max_is_left_out() {
    let state = TaskState::from_json(
        json!({ "task_id": "t", "status": "processing", "elapsed_ms": 1e300 }),
    )
    .expect("an object");
    assert_eq!((state.task_id.as_str(), state.elapsed), ("t", None));
}

/// Deep nesting stops at the JSON reader's recursion limit instead of the stack's.
#[test]
fn deeply_nested_answers_are_errors() {
    let depth = 100_000;
    let mut body = "[".repeat(depth).into_bytes();
    body.extend(std::iter::repeat_n(b']', depth));
    assert!(serde_json::from_slice::<Value>(&body).is_err());
    let nested_data = format!("{}1{}", "{\"data\":".repeat(100), "}".repeat(100));
    let value: Value = serde_json::from_str(&nested_data).expect("100 levels");
    read_model_info(value.clone());
    read_receipt(value.clone());
    read_task_answer(value);
}

/// Many entries in a catalog, an output or a schema are handled in one pass: however many
/// unknown keys an input holds, each is reported, but only a bounded number of them are
/// compared with every parameter for a "did you mean" suggestion.
#[test]
fn large_lists_stay_linear_enough() {
    let videos: Vec<Value> = (0..2_000)
        .map(|i| json!({ "url": format!("https://cdn.example/{i}.mp4") }))
        .collect();
    read_task_answer(json!({ "status": "completed", "data": { "videos": videos } }));
    let params: Vec<Value> = (0..2_000)
        .map(|i| json!({ "name": format!("p{i}"), "type": "string" }))
        .collect();
    let schema: ModelSchema = serde_json::from_value(json!({
        "id": "big", "name": "Big", "vendor": "V", "category": "text-to-video", "params": params,
    }))
    .expect("schema");
    assert_eq!(schema.params.len(), 2_000);
    let mut suggested_per_size = Vec::new();
    for keys in [100, 1_000, 4_000] {
        // `p1234_` is one letter away from `p1234`: every key would earn a suggestion.
        let input: Map<String, Value> = (0..keys)
            .map(|i| (format!("p{i}_"), Value::from(i)))
            .collect();
        let errors = schema.validate_input(&input).expect_err("unknown keys");
        let unknown = errors
            .errors()
            .iter()
            .filter(|e| matches!(e.problem, Problem::Unknown { .. }))
            .count();
        assert_eq!(unknown, keys, "every unknown key is reported");
        let suggested = errors
            .errors()
            .iter()
            .filter(|e| {
                matches!(
                    e.problem,
                    Problem::Unknown {
                        suggestion: Some(_)
                    }
                )
            })
            .count();
        suggested_per_size.push(suggested);
    }
    // The similarity work does not grow with the number of keys.
    assert_eq!(suggested_per_size, [MAX_SUGGESTIONS; 3]);
}
