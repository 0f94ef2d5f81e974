//! The benchmark compares like with like: both sides of each request give the same JSON.

use videohub_benches::{by_hand, typed};

#[test]
fn wan27_is_the_same_request() {
    let hand = by_hand::to_json(&by_hand::wan27(), by_hand::Wan27::validate);
    assert_eq!(typed::to_json(&typed::wan27()), hand);
}

#[test]
fn veo31_is_the_same_request() {
    let hand = by_hand::to_json(&by_hand::veo31(), by_hand::Veo31::validate);
    assert_eq!(typed::to_json(&typed::veo31()), hand);
}

#[test]
fn kling_v3_pro_is_the_same_request() {
    let hand = by_hand::to_json(&by_hand::kling_v3_pro(), by_hand::KlingV3Pro::validate);
    assert_eq!(typed::to_json(&typed::kling_v3_pro()), hand);
}

#[test]
fn submit_bodies_are_the_same() {
    assert_eq!(
        typed::submit_body(&typed::veo31()),
        by_hand::submit_body("veo-3.1", &by_hand::veo31(), by_hand::Veo31::validate)
    );
    assert_eq!(
        typed::submit_body(&typed::kling_v3_pro()),
        by_hand::submit_body(
            "kling-v3-pro",
            &by_hand::kling_v3_pro(),
            by_hand::KlingV3Pro::validate
        )
    );
}
