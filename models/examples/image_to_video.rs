//! Image to video from a local file: the image is sent inline, the video saved.
//!
//! ```sh
//! cargo run -p videohub --example image_to_video -- still.png moving.mp4
//! ```

use videohub::models::veo::{Veo31Image, veo_3_1_image};
use videohub::{Client, Image};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(image), Some(path)) = (args.next(), args.next()) else {
        eprintln!("usage: image_to_video IMAGE_FILE OUTPUT.mp4");
        std::process::exit(2);
    };
    let hub = Client::from_env()?;

    let request = Veo31Image::builder()
        .prompt("the scene slowly comes to life")
        .image(Image::from_file(&image)?) // read, typed by its bytes, sent as a data: URI
        .duration(veo_3_1_image::Duration::S4)
        .build();

    let output = hub.generate(&request).await?; // submit and wait with the default policy
    let bytes = output.save(&path).await?;
    println!("saved {path} ({bytes} bytes) from {image}");
    Ok(())
}
