//! The random inputs: JSON keyed by what the parsers read, edge numbers, bodies cut short or
//! followed by garbage, schema-shaped values and inputs; and the case counts.

use proptest::prelude::*;
use serde_json::{Map, Number, Value, json};

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

/// Strings the parsers compare against, plus arbitrary ones, and the client's API key
/// (which no error may show), alone or within other text.
pub(crate) fn text() -> impl Strategy<Value = String> {
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
        1 => ("\\PC{0,8}", "\\PC{0,8}").prop_map(|(a, b)| format!("{a}{}{b}", crate::common::KEY)),
    ]
}

/// Numbers at the edges: huge, tiny, negative, fractional, beyond `u64`.
pub(crate) fn number() -> impl Strategy<Value = Value> {
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
pub(crate) fn json_value() -> impl Strategy<Value = Value> {
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
pub(crate) fn body() -> impl Strategy<Value = Vec<u8>> {
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

/// A schema-shaped value: deserializes often, with random types, values, ranges and limits.
pub(crate) fn schema_value() -> impl Strategy<Value = Value> {
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
pub(crate) fn input_value() -> impl Strategy<Value = Map<String, Value>> {
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
pub(crate) fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}
