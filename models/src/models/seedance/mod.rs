//! ByteDance's Seedance models.

pub mod seedance_2_0;
pub mod seedance_2_0_fast;
pub mod seedance_2_0_image;

pub use seedance_2_0::Seedance20;
pub use seedance_2_0_fast::Seedance20Fast;
pub use seedance_2_0_image::Seedance20Image;
