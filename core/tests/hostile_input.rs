//! Hostile input: every parser of the hub's answers meets random JSON, random bytes and
//! truncated bodies, and must neither panic nor hold more than its caps.
//!
//! Covered: `SubmitReceipt::from_json`, `TaskState::from_json`, the video URLs of a task's
//! output (`TaskState::into_output`), `ModelInfo::from_json`, `ModelSchema` deserialization
//! with `validate_input` and `diff`, and, through a local server, the client's reading of
//! error bodies, task answers, catalog answers and submit answers. Case counts are small
//! enough for the suite to stay well under ten seconds.

mod common;

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{Map, Number, Value, json};
use videohub_core::schema::{Category, MAX_SUGGESTIONS, Problem};
use videohub_core::{
    Capability, Client, Error, ModelInfo, ModelSchema, SubmitReceipt, TaskState, TaskStatus,
};

use common::{Conn, RawServer};

/// The keys the parsers look for, so random objects hit their branches.
const KEYS: &[&str] = &[
    "taskId",
    "task_id",
    "id",
    "status",
    "ready",
    "data",
    "elapsed_ms",
    "error_code",
    "error_message",
    "video",
    "videos",
    "video_url",
    "video_urls",
    "url",
    "content_type",
    "file_name",
    "file_size",
    "model",
    "model_id",
    "name",
    "display_name",
    "vendor",
    "provider",
    "category",
    "mode",
    "description",
    "input_schema",
    "inputSchema",
    "schema",
    "example",
    "models",
    "items",
    "results",
    "message",
    "error",
    "detail",
    "msg",
    "code",
    "created_at",
    "params",
    "type",
    "required",
    "default",
    "values",
    "range",
    "min",
    "max",
    "max_length",
    "fields",
    "image_inputs",
    "param",
    "roles",
    "constraints",
    "kind",
    "prompt",
    "duration",
    "image_urls",
];

/// Strings the parsers compare against, plus arbitrary ones.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "completed", "failed", "timeout", "cancelled", "pending", "processing", "",
            "   ", "https://cdn.example/v.mp4", "string", "integer", "number", "boolean",
            "array", "object", "text-to-video", "image-to-video", "exactly_one_of",
            "at_most_one_of", "18446744073709551616", "-1", "1e400", "NaN",
        ])
        .prop_map(str::to_owned),
        2 => "\\PC{0,24}",
        1 => prop::sample::select(KEYS.to_vec()).prop_map(str::to_owned),
    ]
}

/// Numbers at the edges: huge, tiny, negative, fractional, beyond `u64`.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop::sample::select(vec![
            0.0,
            -0.0,
            0.5,
            -1.5,
            1e-300,
            1e15,
            1.8e16,
            1e19,
            1e300,
            -1e300,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
        ])
        .prop_map(|f| Value::Number(Number::from_f64(f).expect("finite"))),
        any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
    ]
}

/// Any JSON value, with objects keyed mostly by the keys the parsers read.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        4 => prop::sample::select(KEYS.to_vec()).prop_map(str::to_owned),
                        1 => "\\PC{0,12}",
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// Bodies: random bytes, JSON cut short, JSON with garbage after it, or JSON whole.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        (json_value(), any::<prop::sample::Index>()).prop_map(|(value, cut)| {
            let bytes = serde_json::to_vec(&value).expect("serializable");
            let end = cut.index(bytes.len() + 1);
            bytes[..end].to_vec()
        }),
        (json_value(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(value, junk)| {
            let mut bytes = serde_json::to_vec(&value).expect("serializable");
            bytes.extend(junk);
            bytes
        }),
        json_value().prop_map(|value| serde_json::to_vec(&value).expect("serializable")),
    ]
}

/// A client that never connects (for `into_output`, which only reads JSON).
fn offline_client() -> &'static Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        Client::builder()
            .api_key(common::KEY)
            .base_url("http://127.0.0.1:9")
            .build()
            .expect("client")
    })
}

/// Everything the task parser and the output reader do with one answer.
fn read_task_answer(value: Value) {
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

fn read_receipt(value: Value) {
    if let Some(receipt) = SubmitReceipt::from_json(value) {
        assert!(!receipt.task_id.trim().is_empty());
        assert_eq!(receipt.task_id, receipt.task_id.trim());
    }
}

fn read_model_info(value: Value) {
    if let Some(info) = ModelInfo::from_json(value) {
        assert!(!info.id.is_empty());
        let _ = info.category_kind();
    }
}

/// The schemas of the hub's models, from the catalog fixture.
fn fixture_schemas() -> &'static [ModelSchema] {
    static SCHEMAS: OnceLock<Vec<ModelSchema>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let text = include_str!("../../tests/fixtures/models.json");
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

/// A schema-shaped value: deserializes often, with random types, values, ranges and limits.
fn schema_value() -> impl Strategy<Value = Value> {
    let literal = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        text().prop_map(Value::String),
    ];
    let ty = prop::sample::select(vec![
        "string", "integer", "number", "boolean", "array", "object",
    ]);
    let name = prop::sample::select(vec![
        "prompt",
        "duration",
        "seed",
        "shots",
        "image_urls",
        "",
    ]);
    let param = (
        name,
        ty.clone(),
        any::<bool>(),
        literal.clone(),
        prop::option::of(prop::collection::vec(literal.clone(), 0..4)),
        prop::option::of((literal.clone(), literal.clone())),
        prop::option::of(0u32..8),
        prop::option::of((ty, prop::collection::vec(("\\PC{0,6}", "\\PC{0,8}"), 0..3))),
    )
        .prop_map(
            |(name, ty, required, default, values, range, max_length, items)| {
                let mut p = json!({ "name": name, "type": ty, "required": required,
                    "default": default, "values": values, "max_length": max_length });
                if let Some((min, max)) = range {
                    p["range"] = json!({ "min": min, "max": max });
                }
                if let Some((ty, fields)) = items {
                    let fields: Map<String, Value> = fields
                        .into_iter()
                        .map(|(k, v)| (k, Value::String(v)))
                        .collect();
                    p["items"] = json!({ "type": ty, "fields": fields });
                }
                p
            },
        );
    (
        prop::collection::vec(param, 0..6),
        prop::option::of((0u32..4, 0u32..4)),
        prop::collection::vec(
            (
                prop::sample::select(vec!["exactly_one_of", "at_most_one_of"]),
                prop::collection::vec(
                    prop::sample::select(vec!["prompt", "shots", "seed", "nope"]),
                    0..3,
                ),
            ),
            0..2,
        ),
    )
        .prop_map(|(params, images, constraints)| {
            let constraints: Vec<Value> = constraints
                .into_iter()
                .map(|(kind, params)| json!({ "kind": kind, "params": params }))
                .collect();
            json!({
                "id": "hostile", "name": "Hostile", "vendor": "Nobody",
                "category": "text-to-video", "params": params,
                "image_inputs": images.map(|(min, max)| json!({"param": "image_urls", "min": min, "max": max})),
                "constraints": constraints,
            })
        })
}

/// An input object for `validate_input`: the parameters' names with random values.
fn input_value() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec(
        (
            prop_oneof![
                4 => prop::sample::select(vec![
                    "prompt", "duration", "seed", "shots", "image_urls", "resolution",
                    "aspect_ratio", "multi_prompt", "cfg_scale", "negative_prompt",
                ])
                .prop_map(str::to_owned),
                1 => "\\PC{0,12}",
            ],
            json_value(),
        ),
        0..8,
    )
    .prop_map(|pairs| pairs.into_iter().collect())
}

/// `cases` random cases, with no failure files written into the source tree: a failure
/// prints its minimal input, to be kept as a plain test.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
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

/// An HTTP/1.1 answer with any status and body bytes.
fn reply(status: u16, body: &[u8]) -> Vec<u8> {
    let mut bytes = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// The largest error the client may build from a hostile body: the error body is read up
/// to 64 KiB, and everything else the client keeps of it is an excerpt.
const ERROR_TEXT_BOUND: usize = 64 * 1024 + 1024;

/// One request of each kind against a server that answers `status` with `body`.
async fn ask_hub(status: u16, body: Vec<u8>) {
    let server = RawServer::start(vec![Conn::Reply(reply(status, &body))]).await;
    let client = common::client(&server.base);
    let outcomes = [
        client.task_by_id("task-1").status().await.map(|_| ()),
        client.models(Capability::Video).await.map(|_| ()),
        client.model("veo-3.1").await.map(|_| ()),
        client
            .submit_unchecked(Capability::Video.endpoint(), "veo-3.1", Map::new())
            .await
            .map(|_| ()),
    ];
    for outcome in outcomes {
        match outcome {
            Ok(()) => assert!(
                (200..300).contains(&status),
                "{status} was taken for success"
            ),
            Err(error) => {
                let shown = error.to_string();
                assert!(shown.len() <= ERROR_TEXT_BOUND, "{} bytes", shown.len());
                if let Some(code) = error.status() {
                    assert_eq!(code, status);
                }
            }
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

proptest! {
    #![proptest_config(config(40))]

    /// Error bodies (JSON of any shape, plain text, bytes) on every status the hub may use,
    /// and success answers with garbage, through the client's real reading path.
    #[test]
    fn client_reads_any_answer(
        status in prop::sample::select(vec![200u16, 201, 400, 401, 402, 403, 404, 409, 422, 429, 500, 502, 503, 418]),
        body in prop_oneof![
            body(),
            json_value().prop_map(|v| serde_json::to_vec(&json!({ "error": v, "code": v })).expect("json")),
            (json_value(), text()).prop_map(|(v, m)| {
                serde_json::to_vec(&json!({ "error": { "message": m, "code": v }, "detail": v })).expect("json")
            }),
        ],
    ) {
        runtime().block_on(ask_hub(status, body));
    }
}

/// A success body past the 8 MiB cap is refused, not read whole.
#[test]
fn oversized_success_body_is_refused() {
    let mut body = b"{\"models\":[".to_vec();
    while body.len() <= 9 * 1024 * 1024 {
        body.extend_from_slice(b"\"veo-3.1\",");
    }
    body.extend_from_slice(b"\"x\"]}");
    runtime().block_on(async {
        let server = RawServer::start(vec![Conn::Reply(reply(200, &body))]).await;
        let error = common::client(&server.base)
            .models(Capability::Video)
            .await
            .expect_err("too large");
        assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    });
}

/// An error body of several megabytes is read only up to its cap.
#[test]
fn huge_error_body_is_cut() {
    let message = "x".repeat(4 * 1024 * 1024);
    let body = serde_json::to_vec(&json!({ "message": message })).expect("json");
    runtime().block_on(async {
        let server = RawServer::start(vec![Conn::Reply(reply(400, &body))]).await;
        let error = common::client(&server.base)
            .task_by_id("t")
            .status()
            .await
            .expect_err("bad request");
        assert_eq!(error.status(), Some(400));
        assert!(error.to_string().len() <= ERROR_TEXT_BOUND);
    });
}

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
