//! Request overhead: build, validate and serialize a request through the `#[video_model]`
//! builder, against the same request as a hand-written serde struct.
//!
//! `cargo bench -p videohub-benches --bench request_overhead`; each group prints the
//! medians of `typed` and `by_hand`, and the ratio is typed / by_hand.

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use videohub_benches::{by_hand, typed};

/// Build + validate + serialize to a JSON string.
fn to_json(c: &mut Criterion) {
    let mut group = c.benchmark_group("to_json/wan-2.7");
    group.bench_function("typed", |b| {
        b.iter(|| typed::to_json(&black_box(typed::wan27())))
    });
    group.bench_function("by_hand", |b| {
        b.iter(|| by_hand::to_json(&black_box(by_hand::wan27()), by_hand::Wan27::validate))
    });
    group.finish();

    let mut group = c.benchmark_group("to_json/veo-3.1");
    group.bench_function("typed", |b| {
        b.iter(|| typed::to_json(&black_box(typed::veo31())))
    });
    group.bench_function("by_hand", |b| {
        b.iter(|| by_hand::to_json(&black_box(by_hand::veo31()), by_hand::Veo31::validate))
    });
    group.finish();

    let mut group = c.benchmark_group("to_json/kling-v3-pro");
    group.bench_function("typed", |b| {
        b.iter(|| typed::to_json(&black_box(typed::kling_v3_pro())))
    });
    group.bench_function("by_hand", |b| {
        b.iter(|| {
            by_hand::to_json(
                &black_box(by_hand::kling_v3_pro()),
                by_hand::KlingV3Pro::validate,
            )
        })
    });
    group.finish();
}

/// Build + validate + the `{model, input}` body that `Client::submit` sends, with the
/// client's own code, against a hand-written body struct borrowing the request.
fn submit_body(c: &mut Criterion) {
    let mut group = c.benchmark_group("submit_body/veo-3.1");
    group.bench_function("typed", |b| {
        b.iter(|| typed::submit_body(&black_box(typed::veo31())))
    });
    group.bench_function("by_hand", |b| {
        b.iter(|| {
            by_hand::submit_body(
                "veo-3.1",
                &black_box(by_hand::veo31()),
                by_hand::Veo31::validate,
            )
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = config();
    targets = to_json, submit_body
}
criterion_main!(benches);
