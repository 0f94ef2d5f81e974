//! Resume a task by id in a new process: one run submits and prints the id; a later run
//! (after a crash, on another machine) waits for that task and saves its video.
//!
//! ```sh
//! id=$(cargo run -q -p videohub --example resume -- submit)
//! cargo run -q -p videohub --example resume -- wait "$id" fox.mp4
//! ```

use videohub::Client;
use videohub::models::wan::Wan27;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let hub = Client::from_env()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["submit"] => {
            let request = Wan27::builder().prompt("a koi pond at dawn").build();
            let task = hub.submit(&request).await?;
            // Nothing but the id is needed to come back to it.
            println!("{}", task.id());
        }
        ["wait", id, path] => {
            let task = hub.task::<Wan27>(*id); // typed: its output is a video
            let output = task.wait().await?;
            let bytes = output.save(path).await?;
            println!("saved {path} ({bytes} bytes) from task {id}");
        }
        _ => {
            eprintln!("usage: resume submit | resume wait TASK_ID OUTPUT.mp4");
            std::process::exit(2);
        }
    }
    Ok(())
}
