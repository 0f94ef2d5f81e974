//! Text to video, saved to a file: build a request, submit it, wait, save.
//!
//! ```sh
//! videohub sandbox --port 8787 &   # or your real key and hub
//! export MOUNTSEA_BASE_URL=http://127.0.0.1:8787 MOUNTSEA_API_KEY=sandbox
//! cargo run -p videohub --example text_to_video -- fox.mp4
//! ```

use std::time::Duration;

use videohub::models::veo::{Veo31, veo_3_1};
use videohub::{Client, Error, PollPolicy};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "fox.mp4".into());
    let hub = Client::from_env()?; // MOUNTSEA_API_KEY, MOUNTSEA_BASE_URL

    let request = Veo31::builder()
        .prompt("a red fox trotting through fresh snow")
        .resolution(veo_3_1::Resolution::P1080)
        .duration(veo_3_1::Duration::S4)
        .build();

    let task = hub.submit(&request).await?; // checked first: nothing is sent if invalid
    println!("task {} submitted", task.id());

    let policy = PollPolicy::default().deadline(Duration::from_secs(15 * 60));
    match task.wait_with(policy).await {
        Ok(output) => {
            let bytes = output.save(&path).await?;
            println!("saved {path} ({bytes} bytes)");
            Ok(())
        }
        Err(Error::TaskFailed { code, message, .. }) => {
            eprintln!("the hub could not make it: {code:?} {message:?}");
            std::process::exit(3)
        }
        Err(error) => Err(error.into()),
    }
}
