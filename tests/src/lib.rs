//! Test-only crate: see `tests/`. It holds the example image model the tests of every
//! layer share (the SDK here, the command line in `cli/tests`), defined as a user defines a
//! model of their own.

pub mod acme_still {
    //! Acme Still: an image-generation model (`POST /hub/v1/image`), made up for the tests.

    use videohub::video_model;

    /// Acme Still: a still image from a prompt.
    #[video_model(
        id = "acme-still",
        name = "Acme Still",
        vendor = "Acme",
        category = "text-to-image"
    )]
    #[derive(Debug, Clone)]
    pub struct AcmeStill {
        /// What the image shows.
        #[param(required, max_length = 1000)]
        prompt: String,
        /// The shape of the image.
        #[param(values("1:1", "16:9", "9:16"), default = "1:1")]
        aspect_ratio: AspectRatio,
        /// The seed of the random generator.
        #[param(range(min = 0, max = 4294967295))]
        seed: Option<i64>,
    }
}

pub use acme_still::AcmeStill;
