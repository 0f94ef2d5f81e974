//! A model of your own: a struct annotated with `#[video_model]` gets the same builder,
//! checks, client and poller as the models videohub ships. Here, the hub's `wan-2.7` with
//! only the parameters this program uses, and a rule of its own (a shorter prompt).
//!
//! ```sh
//! cargo run -p videohub --example own_model -- koi.mp4
//! ```

mod koi {
    use videohub::video_model;

    /// WAN 2.7 as this program uses it.
    #[video_model(
        id = "wan-2.7",
        name = "WAN 2.7 (ours)",
        vendor = "Alibaba",
        category = "text-to-video"
    )]
    #[derive(Debug, Clone)]
    pub(crate) struct KoiClip {
        /// What the clip shows.
        #[param(required, max_length = 200)]
        prompt: String,
        /// How long it lasts, in seconds.
        #[param(values(S5 = 5, S10 = 10), default = 5)]
        duration: Duration,
        /// The seed, for a clip that can be made again.
        #[param(range(min = 0, max = 2147483647))]
        seed: Option<i64>,
    }
}

use koi::{Duration, KoiClip};
use videohub::{Client, Model};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "koi.mp4".into());

    // Checked before anything is sent: the type's own rules.
    let too_long = KoiClip::builder().prompt("koi ".repeat(100)).build();
    let problems = too_long.validate().expect_err("longer than 200 characters");
    println!("refused before sending: {problems}");

    let request = KoiClip::builder()
        .prompt("koi circling under lily pads")
        .duration(Duration::S10)
        .seed(7)
        .build();
    println!("sends {}", serde_json::Value::Object(request.to_input()));

    let hub = Client::from_env()?;
    let output = hub.generate(&request).await?;
    let bytes = output.save(&path).await?;
    println!("saved {path} ({bytes} bytes)");
    Ok(())
}
