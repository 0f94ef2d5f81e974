//! Progress as a stream: each poll of the task is an update (status, time on the hub),
//! the way a progress bar follows a render.
//!
//! ```sh
//! cargo run -p videohub --example progress -- fox.mp4
//! ```

use futures::StreamExt;
use videohub::Client;
use videohub::models::veo::Veo31Fast;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "fox.mp4".into());
    let hub = Client::from_env()?;
    let task = hub
        .submit(&Veo31Fast::builder().prompt("a fox in the snow").build())
        .await?;

    let mut updates = std::pin::pin!(task.updates());
    while let Some(update) = updates.next().await {
        let update = update?; // a poll that failed past its retries ends the stream
        println!(
            "poll {:>2}: {:<10} {:>5.1} s on the hub",
            update.polls,
            update.status().to_string(),
            update.elapsed().as_secs_f64()
        );
        if update.is_ready() {
            let output = update.state.into_output(&hub, task.id())?;
            let bytes = output.save(&path).await?;
            println!("saved {path} ({bytes} bytes)");
            return Ok(());
        }
    }
    Err("the task was not followed to its end".into())
}
