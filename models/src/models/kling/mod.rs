//! Kuaishou's Kling models.

pub mod kling_v3_pro;
pub mod kling_v3_pro_image;
pub mod kling_v3_standard;
pub mod kling_v3_standard_image;

pub use kling_v3_pro::KlingV3Pro;
pub use kling_v3_pro_image::KlingV3ProImage;
pub use kling_v3_standard::KlingV3Standard;
pub use kling_v3_standard_image::KlingV3StandardImage;

use std::borrow::Cow;

use serde::Serialize;

use crate::ValueEnum;
use crate::model::ParamObject;
use crate::schema::{More, ParamSchema, ParamType};

/// One shot of a multi-shot Kling video: its prompt and its duration, in the model's
/// duration values.
///
/// ```
/// use videohub::models::kling::{KlingV3Pro, Shot, kling_v3_pro::Duration};
///
/// let request = KlingV3Pro::builder()
///     .multi_prompt([
///         Shot::new("a fox wakes up in its den", Duration::S3),
///         Shot::new("the fox steps into fresh snow", Duration::S5),
///     ])
///     .build();
/// assert_eq!(request.multi_prompt().unwrap().len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shot<D> {
    prompt: String,
    duration: D,
}

impl<D: ValueEnum> Shot<D> {
    /// A shot of `duration` showing `prompt`.
    pub fn new(prompt: impl Into<String>, duration: D) -> Self {
        Shot {
            prompt: prompt.into(),
            duration,
        }
    }

    /// What the shot shows.
    pub fn prompt(&self) -> &str {
        &self.prompt
    }

    /// How long the shot lasts.
    pub fn duration(&self) -> D {
        self.duration
    }
}

impl<D: ValueEnum> ParamObject for Shot<D> {
    const FIELDS: &'static [ParamSchema] = &[
        ParamSchema {
            name: Cow::Borrowed("prompt"),
            ty: ParamType::String,
            required: true,
            default: None,
            values: None,
            range: None,
            max_length: None,
            items: None,
            description: Cow::Borrowed("What the shot shows."),
            more: More::NONE,
        },
        ParamSchema {
            name: Cow::Borrowed("duration"),
            ty: D::TYPE,
            required: true,
            default: None,
            values: Some(Cow::Borrowed(D::VALUES)),
            range: None,
            max_length: None,
            items: None,
            description: Cow::Borrowed("How long the shot lasts, in the model's duration values."),
            more: More::NONE,
        },
    ];
}
