//! The files a finished task points at, and the capabilities served because of them.

use videohub::Capability;

/// The video every completed video task points at: 2 s of a test pattern with a tone,
/// 160×90, H.264 and AAC in an MP4 container.
pub const SAMPLE_MP4: &[u8] = include_bytes!("../fixtures/sample.mp4");

/// The image every completed image task points at: colour bars over a grey ramp, 160×90,
/// an RGB PNG.
pub const SAMPLE_PNG: &[u8] = include_bytes!("../fixtures/sample.png");

/// The capabilities the sandbox serves, each at its own submit endpoint: those whose
/// output it has a sample file of.
pub const CAPABILITIES: [Capability; 2] = [Capability::Video, Capability::Image];
