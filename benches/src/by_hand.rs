//! The benchmark's three requests as a user would write them without videohub: plain
//! structs with `#[derive(Serialize)]`, `skip_serializing_if` for unset options, the hub's
//! defaults set by hand in `new`, and the checks written out in `validate`.
//!
//! The functions at the end build each request with the same values as [`crate::typed`].

use serde::{Serialize, Serializer};

/// A check that failed, as a hand-written client would report it.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    /// The parameter.
    pub param: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

fn check_range(errors: &mut Vec<Invalid>, param: &'static str, value: f64, min: f64, max: f64) {
    if !(min..=max).contains(&value) {
        errors.push(Invalid {
            param,
            problem: format!("{value} is outside {min}..={max}"),
        });
    }
}

fn check_length(errors: &mut Vec<Invalid>, param: &'static str, text: &str, max: usize) {
    let length = text.chars().count();
    if length > max {
        errors.push(Invalid {
            param,
            problem: format!("{length} characters, at most {max}"),
        });
    }
}

fn result(errors: Vec<Invalid>) -> Result<(), Vec<Invalid>> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// WAN 2.7 (`wan-2.7`) by hand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Wan27 {
    /// Random seed, 0..=2147483647.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    /// The prompt, at most 5000 characters.
    pub prompt: String,
    /// Duration in seconds, 2..=15, sent as an integer.
    pub duration: WanDuration,
    /// Driving audio.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio_url: Option<String>,
    /// Resolution tier.
    pub resolution: WanResolution,
    /// Aspect ratio.
    pub aspect_ratio: WanAspectRatio,
    /// What to avoid, at most 500 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    /// Content moderation.
    pub enable_safety_checker: bool,
    /// Prompt rewriting.
    pub enable_prompt_expansion: bool,
}

/// WAN 2.7's durations, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum WanDuration {
    S2 = 2,
    S3,
    S4,
    S5,
    S6,
    S7,
    S8,
    S9,
    S10,
    S11,
    S12,
    S13,
    S14,
    S15,
}

impl Serialize for WanDuration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(*self as i64)
    }
}

/// WAN 2.7's resolutions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub enum WanResolution {
    #[serde(rename = "720p")]
    P720,
    #[serde(rename = "1080p")]
    P1080,
}

/// WAN 2.7's aspect ratios.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub enum WanAspectRatio {
    #[serde(rename = "16:9")]
    Ratio16x9,
    #[serde(rename = "9:16")]
    Ratio9x16,
    #[serde(rename = "1:1")]
    Ratio1x1,
    #[serde(rename = "4:3")]
    Ratio4x3,
    #[serde(rename = "3:4")]
    Ratio3x4,
}

impl Wan27 {
    /// A request for `prompt` with the hub's defaults.
    pub fn new(prompt: impl Into<String>) -> Self {
        Wan27 {
            seed: None,
            prompt: prompt.into(),
            duration: WanDuration::S5,
            audio_url: None,
            resolution: WanResolution::P1080,
            aspect_ratio: WanAspectRatio::Ratio16x9,
            negative_prompt: None,
            enable_safety_checker: true,
            enable_prompt_expansion: true,
        }
    }

    /// The seed range and the string lengths.
    pub fn validate(&self) -> Result<(), Vec<Invalid>> {
        let mut errors = Vec::new();
        if let Some(seed) = self.seed {
            check_range(&mut errors, "seed", seed as f64, 0.0, 2147483647.0);
        }
        check_length(&mut errors, "prompt", &self.prompt, 5000);
        if let Some(negative) = &self.negative_prompt {
            check_length(&mut errors, "negative_prompt", negative, 500);
        }
        result(errors)
    }
}

/// Veo 3.1 (`veo-3.1`) by hand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Veo31 {
    /// Random seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    /// The prompt.
    pub prompt: String,
    /// Rewrite prompts that fail checks.
    pub auto_fix: bool,
    /// Duration.
    pub duration: VeoDuration,
    /// Resolution.
    pub resolution: VeoResolution,
    /// Aspect ratio.
    pub aspect_ratio: VeoAspectRatio,
    /// Native audio.
    pub generate_audio: bool,
    /// What to avoid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    /// Moderation strictness.
    pub safety_tolerance: VeoSafetyTolerance,
}

/// Veo 3.1's durations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub enum VeoDuration {
    #[serde(rename = "4s")]
    S4,
    #[serde(rename = "6s")]
    S6,
    #[serde(rename = "8s")]
    S8,
}

/// Veo 3.1's resolutions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub enum VeoResolution {
    #[serde(rename = "720p")]
    P720,
    #[serde(rename = "1080p")]
    P1080,
    #[serde(rename = "4k")]
    K4,
}

/// Veo 3.1's aspect ratios.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub enum VeoAspectRatio {
    #[serde(rename = "16:9")]
    Ratio16x9,
    #[serde(rename = "9:16")]
    Ratio9x16,
}

/// Veo 3.1's moderation levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub enum VeoSafetyTolerance {
    #[serde(rename = "1")]
    Level1,
    #[serde(rename = "2")]
    Level2,
    #[serde(rename = "3")]
    Level3,
    #[serde(rename = "4")]
    Level4,
    #[serde(rename = "5")]
    Level5,
    #[serde(rename = "6")]
    Level6,
}

impl Veo31 {
    /// A request for `prompt` with the hub's defaults.
    pub fn new(prompt: impl Into<String>) -> Self {
        Veo31 {
            seed: None,
            prompt: prompt.into(),
            auto_fix: true,
            duration: VeoDuration::S8,
            resolution: VeoResolution::P720,
            aspect_ratio: VeoAspectRatio::Ratio16x9,
            generate_audio: true,
            negative_prompt: None,
            safety_tolerance: VeoSafetyTolerance::Level4,
        }
    }

    /// Nothing to check beyond the types.
    pub fn validate(&self) -> Result<(), Vec<Invalid>> {
        Ok(())
    }
}

/// Kling v3 Pro (`kling-v3-pro`) by hand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KlingV3Pro {
    /// The prompt; exactly one of `prompt` and `multi_prompt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// Duration in seconds, sent as a string.
    pub duration: KlingDuration,
    /// Prompt adherence, 0..=1.
    pub cfg_scale: f64,
    /// Multi-shot structure.
    pub shot_type: KlingShotType,
    /// Aspect ratio.
    pub aspect_ratio: KlingAspectRatio,
    /// The shots; exactly one of `prompt` and `multi_prompt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_prompt: Option<Vec<KlingShot>>,
    /// Native audio.
    pub generate_audio: bool,
    /// What to avoid.
    pub negative_prompt: String,
}

/// One shot of a multi-shot Kling video.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KlingShot {
    /// What the shot shows.
    pub prompt: String,
    /// How long it lasts.
    pub duration: KlingDuration,
}

/// Kling v3's durations, in seconds, sent as strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub enum KlingDuration {
    #[serde(rename = "3")]
    S3,
    #[serde(rename = "4")]
    S4,
    #[serde(rename = "5")]
    S5,
    #[serde(rename = "6")]
    S6,
    #[serde(rename = "7")]
    S7,
    #[serde(rename = "8")]
    S8,
    #[serde(rename = "9")]
    S9,
    #[serde(rename = "10")]
    S10,
    #[serde(rename = "11")]
    S11,
    #[serde(rename = "12")]
    S12,
    #[serde(rename = "13")]
    S13,
    #[serde(rename = "14")]
    S14,
    #[serde(rename = "15")]
    S15,
}

/// Kling v3's shot structures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum KlingShotType {
    Customize,
    Intelligent,
}

/// Kling v3's aspect ratios.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub enum KlingAspectRatio {
    #[serde(rename = "16:9")]
    Ratio16x9,
    #[serde(rename = "9:16")]
    Ratio9x16,
    #[serde(rename = "1:1")]
    Ratio1x1,
}

impl KlingV3Pro {
    /// A request with the hub's defaults and neither a prompt nor shots yet.
    pub fn new() -> Self {
        KlingV3Pro {
            prompt: None,
            duration: KlingDuration::S5,
            cfg_scale: 0.5,
            shot_type: KlingShotType::Customize,
            aspect_ratio: KlingAspectRatio::Ratio16x9,
            multi_prompt: None,
            generate_audio: true,
            negative_prompt: "blur, distort, and low quality".to_owned(),
        }
    }

    /// The `cfg_scale` range, and exactly one of `prompt` and `multi_prompt`: a
    /// hand-written struct checks at run time what the typed builder checks at compile time.
    pub fn validate(&self) -> Result<(), Vec<Invalid>> {
        let mut errors = Vec::new();
        check_range(&mut errors, "cfg_scale", self.cfg_scale, 0.0, 1.0);
        if self.prompt.is_some() == self.multi_prompt.is_some() {
            errors.push(Invalid {
                param: "prompt",
                problem: "exactly one of prompt and multi_prompt".to_owned(),
            });
        }
        result(errors)
    }
}

impl Default for KlingV3Pro {
    fn default() -> Self {
        Self::new()
    }
}

/// WAN 2.7 with the same values as [`crate::typed::wan27`].
pub fn wan27() -> Wan27 {
    let mut request = Wan27::new(crate::typed::PROMPT);
    request.seed = Some(42);
    request.duration = WanDuration::S10;
    request
}

/// Veo 3.1 with the same values as [`crate::typed::veo31`].
pub fn veo31() -> Veo31 {
    let mut request = Veo31::new(crate::typed::PROMPT);
    request.seed = Some(7);
    request.auto_fix = false;
    request.duration = VeoDuration::S6;
    request.resolution = VeoResolution::P1080;
    request.aspect_ratio = VeoAspectRatio::Ratio9x16;
    request.generate_audio = false;
    request.negative_prompt = Some("blurry, low quality".to_owned());
    request.safety_tolerance = VeoSafetyTolerance::Level2;
    request
}

/// Kling v3 Pro with the same values as [`crate::typed::kling_v3_pro`].
pub fn kling_v3_pro() -> KlingV3Pro {
    let shot = |prompt: &str, duration| KlingShot {
        prompt: prompt.to_owned(),
        duration,
    };
    let mut request = KlingV3Pro::new();
    request.multi_prompt = Some(vec![
        shot("a fox wakes up in its den", KlingDuration::S3),
        shot("the fox steps into fresh snow", KlingDuration::S5),
        shot("the fox trots away towards the sunrise", KlingDuration::S4),
    ]);
    request.cfg_scale = 0.7;
    request
}

/// Validates a hand-written request and serializes it, as [`crate::typed::to_json`] does.
///
/// # Panics
/// When `validate` fails (the benchmark's requests are valid).
pub fn to_json<T: Serialize>(request: &T, validate: fn(&T) -> Result<(), Vec<Invalid>>) -> String {
    validate(request).expect("a valid request");
    serde_json::to_string(request).expect("serializable")
}

/// Validates a hand-written request and builds the `{model, input}` body the way
/// [`crate::typed::submit_body`] does.
///
/// # Panics
/// When `validate` fails (the benchmark's requests are valid).
pub fn submit_body<T: Serialize>(
    model: &str,
    request: &T,
    validate: fn(&T) -> Result<(), Vec<Invalid>>,
) -> Vec<u8> {
    #[derive(Serialize)]
    struct Body<'a, T> {
        model: &'a str,
        input: &'a T,
    }
    validate(request).expect("a valid request");
    serde_json::to_vec(&Body {
        model,
        input: request,
    })
    .expect("serializable")
}
