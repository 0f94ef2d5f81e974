//! Alibaba's WAN models.

pub mod wan_2_7;
pub mod wan_2_7_image;

pub use wan_2_7::Wan27;
pub use wan_2_7_image::Wan27Image;
