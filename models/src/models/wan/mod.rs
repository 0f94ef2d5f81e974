//! Alibaba's WAN models.

pub mod wan_2_7;

pub use wan_2_7::Wan27;
