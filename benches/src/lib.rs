//! Measurements of videohub against what users would write instead.
//!
//! This crate is not published. It holds, for the request-overhead benchmark
//! (`cargo bench -p videohub-benches`), the same three requests twice: once through the
//! `#[video_model]` types of [`videohub::models`] ([`typed`]), once as the plain serde
//! structs a user would write by hand ([`by_hand`]), with their defaults set by hand and
//! their checks written out. Both sides produce the same JSON, which the tests check.
//!
//! The compile-time comparison lives beside it in `compile-time/run.sh`.

pub mod by_hand;

/// The three requests built through the `#[video_model]` builders, validated, and
/// serialized to the JSON `input` the hub receives.
pub mod typed {
    use videohub::Model;
    use videohub::models::kling::{KlingV3Pro, Shot, kling_v3_pro};
    use videohub::models::veo::{Veo31, veo_3_1};
    use videohub::models::wan::{Wan27, wan_2_7};

    /// The prompt every request carries.
    pub const PROMPT: &str = "a red fox trotting through fresh snow at dawn, low sun, long shadows";

    /// WAN 2.7 with a prompt, a seed and a duration; every other parameter at its default.
    pub fn wan27() -> Wan27 {
        Wan27::builder()
            .prompt(PROMPT)
            .seed(42)
            .duration(wan_2_7::Duration::S10)
            .build()
    }

    /// Veo 3.1 with every parameter set.
    pub fn veo31() -> Veo31 {
        Veo31::builder()
            .prompt(PROMPT)
            .seed(7)
            .auto_fix(false)
            .duration(veo_3_1::Duration::S6)
            .resolution(veo_3_1::Resolution::P1080)
            .aspect_ratio(veo_3_1::AspectRatio::Ratio9x16)
            .generate_audio(false)
            .negative_prompt("blurry, low quality")
            .safety_tolerance(veo_3_1::SafetyTolerance::Level2)
            .build()
    }

    /// Kling v3 Pro with three shots instead of a prompt.
    pub fn kling_v3_pro() -> KlingV3Pro {
        use kling_v3_pro::Duration;
        KlingV3Pro::builder()
            .multi_prompt([
                Shot::new("a fox wakes up in its den", Duration::S3),
                Shot::new("the fox steps into fresh snow", Duration::S5),
                Shot::new("the fox trots away towards the sunrise", Duration::S4),
            ])
            .cfg_scale(0.7)
            .build()
    }

    /// Validates `request` and serializes it to the JSON of its `input`.
    ///
    /// # Panics
    /// When the request is invalid (the benchmark's requests are valid).
    pub fn to_json<M: Model>(request: &M) -> String {
        request.validate().expect("a valid request");
        serde_json::to_string(request).expect("serializable")
    }

    /// Validates `request` and builds the body `Client::submit` sends, `{model, input}`,
    /// with the client's own code.
    ///
    /// # Panics
    /// When the request is invalid (the benchmark's requests are valid).
    pub fn submit_body<M: Model>(request: &M) -> Vec<u8> {
        request.validate().expect("a valid request");
        videohub::__private::submit_body(M::ID, request).expect("serializable")
    }
}
