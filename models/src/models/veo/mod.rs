//! Google's Veo models: text-to-video, image-to-video, reference images, first and last frame.

pub mod veo_3;
pub mod veo_3_1;
pub mod veo_3_1_fast;
pub mod veo_3_1_fast_image;
pub mod veo_3_1_fast_ref;
pub mod veo_3_1_first_last;
pub mod veo_3_1_image;
pub mod veo_3_1_lite;
pub mod veo_3_1_lite_image;
pub mod veo_3_1_ref;
pub mod veo_3_image;

pub use veo_3::Veo3;
pub use veo_3_1::Veo31;
pub use veo_3_1_fast::Veo31Fast;
pub use veo_3_1_fast_image::Veo31FastImage;
pub use veo_3_1_fast_ref::Veo31FastRef;
pub use veo_3_1_first_last::Veo31FirstLast;
pub use veo_3_1_image::Veo31Image;
pub use veo_3_1_lite::Veo31Lite;
pub use veo_3_1_lite_image::Veo31LiteImage;
pub use veo_3_1_ref::Veo31Ref;
pub use veo_3_image::Veo3Image;
