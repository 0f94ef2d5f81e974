//! The JSON `input` of representative requests, exactly, and the runtime checks.

use serde_json::json;
use videohub::models::kling::{KlingV3Standard, Shot, kling_v3_standard as kling};
use videohub::models::seedance::{Seedance20Fast, seedance_2_0_fast as seedance};
use videohub::models::veo::{Veo31, Veo31Lite, veo_3_1, veo_3_1_lite};
use videohub::models::wan::{Wan27, wan_2_7};
use videohub::{Model, ValueEnum};

fn input<M: Model>(request: &M) -> serde_json::Value {
    serde_json::Value::Object(request.to_input())
}

#[test]
fn veo_states_every_default_and_omits_unset_optionals() {
    let request = Veo31::builder()
        .prompt("a red fox trotting through fresh snow")
        .build();
    assert_eq!(
        input(&request),
        json!({
            "prompt": "a red fox trotting through fresh snow",
            "auto_fix": true,
            "duration": "8s",
            "resolution": "720p",
            "aspect_ratio": "16:9",
            "generate_audio": true,
            "safety_tolerance": "4",
        })
    );
    assert_eq!(request.duration(), veo_3_1::Duration::S8);
    assert_eq!(request.seed(), None);
}

#[test]
fn veo_sends_what_was_set() {
    let request = Veo31Lite::builder()
        .prompt("a lighthouse at dusk")
        .seed(42)
        .duration(veo_3_1_lite::Duration::S4)
        .resolution(veo_3_1_lite::Resolution::P1080)
        .aspect_ratio(veo_3_1_lite::AspectRatio::Ratio9x16)
        .generate_audio(false)
        .negative_prompt("people")
        .safety_tolerance(veo_3_1_lite::SafetyTolerance::Level2)
        .auto_fix(false)
        .build();
    assert_eq!(
        input(&request),
        json!({
            "seed": 42,
            "prompt": "a lighthouse at dusk",
            "auto_fix": false,
            "duration": "4s",
            "resolution": "1080p",
            "aspect_ratio": "9:16",
            "generate_audio": false,
            "negative_prompt": "people",
            "safety_tolerance": "2",
        })
    );
    assert_eq!(Veo31Lite::ID, "veo-3.1-lite");
    assert_eq!(Veo31Lite::CAPABILITY.endpoint(), "/hub/v1/video");
}

#[test]
fn kling_sends_a_single_prompt_or_shots() {
    let single = KlingV3Standard::builder()
        .prompt("a paper boat in the rain")
        .duration(kling::Duration::S10)
        .build();
    assert_eq!(
        input(&single),
        json!({
            "prompt": "a paper boat in the rain",
            "duration": "10",
            "cfg_scale": 0.5,
            "shot_type": "customize",
            "aspect_ratio": "16:9",
            "generate_audio": true,
            "negative_prompt": "blur, distort, and low quality",
        })
    );
    let shots = KlingV3Standard::builder()
        .multi_prompt([
            Shot::new("the boat sets off", kling::Duration::S3),
            Shot::new("the boat sinks", kling::Duration::S4),
        ])
        .cfg_scale(0.7)
        .shot_type(kling::ShotType::Intelligent)
        .build();
    let shots = input(&shots);
    assert_eq!(
        shots["multi_prompt"],
        json!([{"prompt": "the boat sets off", "duration": "3"}, {"prompt": "the boat sinks", "duration": "4"}])
    );
    assert_eq!(shots["cfg_scale"], json!(0.7));
    assert_eq!(shots["shot_type"], "intelligent");
    assert!(shots.get("prompt").is_none());
}

#[test]
fn wan_durations_are_integers_on_the_wire() {
    let request = Wan27::builder()
        .prompt("a koi pond")
        .duration(wan_2_7::Duration::S12)
        .build();
    assert_eq!(
        input(&request),
        json!({
            "prompt": "a koi pond",
            "duration": 12,
            "resolution": "1080p",
            "aspect_ratio": "16:9",
            "enable_safety_checker": true,
            "enable_prompt_expansion": true,
        })
    );
    assert_eq!(wan_2_7::Duration::S12.value(), 12);
    assert_eq!(wan_2_7::Duration::default(), wan_2_7::Duration::S5);
}

#[test]
fn seedance_defaults() {
    let request = Seedance20Fast::builder()
        .prompt("city lights")
        .end_user_id("user-7")
        .build();
    assert_eq!(
        input(&request),
        json!({
            "prompt": "city lights",
            "duration": "4",
            "resolution": "720p",
            "end_user_id": "user-7",
            "aspect_ratio": "auto",
            "generate_audio": true,
        })
    );
    assert_eq!(
        seedance::Resolution::ALL,
        [seedance::Resolution::P480, seedance::Resolution::P720]
    );
}

#[test]
fn validation_names_the_parameter_the_value_and_what_is_allowed() {
    let request = Wan27::builder()
        .prompt("x".repeat(5001))
        .seed(2_147_483_648)
        .negative_prompt("ok")
        .build();
    let errors = request.validate().unwrap_err();
    assert_eq!(
        errors.to_string(),
        "parameter `seed`: 2147483648 is outside 0..=2147483647; \
         parameter `prompt`: is 5001 characters long; at most 5000 are allowed"
    );
    assert_eq!(errors.errors().len(), 2);

    let valid = Wan27::builder()
        .prompt("x".repeat(5000))
        .seed(2_147_483_647)
        .build();
    assert_eq!(valid.validate(), Ok(()));
    assert!(
        Wan27::builder()
            .prompt("a")
            .seed(-1)
            .build()
            .validate()
            .is_err()
    );
    let kling = KlingV3Standard::builder()
        .prompt("a")
        .cfg_scale(1.5)
        .build();
    assert_eq!(
        kling.validate().unwrap_err().to_string(),
        "parameter `cfg_scale`: 1.5 is outside 0..=1"
    );
}

#[test]
fn values_parse_and_display_as_on_the_wire() {
    assert_eq!(
        "1080p".parse::<veo_3_1::Resolution>(),
        Ok(veo_3_1::Resolution::P1080)
    );
    assert_eq!(veo_3_1::Resolution::K4.to_string(), "4k");
    let error = "4k".parse::<veo_3_1_lite::Resolution>().unwrap_err();
    assert_eq!(
        error.to_string(),
        "parameter `resolution`: `4k` is not allowed; allowed values: 720p, 1080p"
    );
    assert_eq!("7".parse::<wan_2_7::Duration>().map(|d| d.value()), Ok(7));
    assert!("7s".parse::<wan_2_7::Duration>().is_err());
    assert_eq!(<veo_3_1::AspectRatio as ValueEnum>::PARAM, "aspect_ratio");
    assert_eq!(veo_3_1::Duration::S6.to_literal().to_string(), "6s");
}

#[test]
fn typed_requests_pass_their_own_schema() {
    let requests: Vec<(
        serde_json::Map<String, serde_json::Value>,
        &videohub::ModelSchema,
    )> = vec![
        (
            Veo31::builder().prompt("a").seed(1).build().to_input(),
            Veo31::SCHEMA,
        ),
        (
            KlingV3Standard::builder()
                .multi_prompt([Shot::new("a", kling::Duration::S5)])
                .build()
                .to_input(),
            KlingV3Standard::SCHEMA,
        ),
        (
            Wan27::builder().prompt("a").build().to_input(),
            Wan27::SCHEMA,
        ),
    ];
    for (input, schema) in requests {
        assert_eq!(schema.validate_input(&input), Ok(()), "{}", schema.id);
    }
}
