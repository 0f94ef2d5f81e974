//! Google's Veo models.

pub mod veo_3;
pub mod veo_3_1;
pub mod veo_3_1_fast;
pub mod veo_3_1_lite;

pub use veo_3::Veo3;
pub use veo_3_1::Veo31;
pub use veo_3_1_fast::Veo31Fast;
pub use veo_3_1_lite::Veo31Lite;
