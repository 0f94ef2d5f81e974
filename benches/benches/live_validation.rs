//! Checking an input against a live schema: the `jsonschema` crate on the hub's JSON Schema
//! ([`LiveSchema::validate`]) against the project's own checks on the schema's view
//! ([`ModelSchema::validate_input`], what live models were checked with before).
//!
//! `cargo bench -p videohub-benches --bench live_validation`: each group validates the
//! example input of every schema of the corpus (`tests/fixtures/schemas/`) once; the ratio
//! is jsonschema / view. Compiling the schemas (once per model and process) is measured in
//! its own group.

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Map, Value};
use videohub::schema::LiveSchema;
use videohub::{ModelInfo, ModelSchema};

struct Case {
    json: Value,
    view: ModelSchema,
    live: LiveSchema,
    input: Map<String, Value>,
}

fn corpus() -> Vec<Case> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/schemas");
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let manifest = read("manifest.json");
    manifest["schemas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let json = read(m["file"].as_str().unwrap());
            let mut listing = m.clone();
            listing["input_schema"] = json.clone();
            let info = ModelInfo::from_json(listing).unwrap();
            let live = info.live_schema().unwrap();
            let view = live.view().clone();
            let input = view.example_input();
            assert!(live.validate(&input).is_ok() && view.validate_input(&input).is_ok());
            Case {
                json,
                view,
                live,
                input,
            }
        })
        .collect()
}

fn validate(c: &mut Criterion) {
    let cases = corpus();
    let mut group = c.benchmark_group(format!("validate/{}-schemas", cases.len()));
    group.bench_function("view", |b| {
        b.iter(|| {
            for case in &cases {
                black_box(case.view.validate_input(black_box(&case.input))).unwrap();
            }
        })
    });
    group.bench_function("jsonschema", |b| {
        b.iter(|| {
            for case in &cases {
                black_box(case.live.validate(black_box(&case.input))).unwrap();
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group(format!("read-and-compile/{}-schemas", cases.len()));
    group.bench_function("view", |b| {
        b.iter(|| {
            for case in &cases {
                black_box(ModelSchema::from_json_schema("m", black_box(&case.json)));
            }
        })
    });
    group.bench_function("jsonschema", |b| {
        b.iter(|| {
            for case in &cases {
                let view = ModelSchema::from_json_schema("m", black_box(&case.json));
                black_box(LiveSchema::new(view, &case.json).unwrap());
            }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = validate
}
criterion_main!(benches);
