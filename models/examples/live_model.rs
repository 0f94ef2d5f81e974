//! A model known only at run time: its JSON Schema read from the hub, the input checked
//! against it before anything is sent, then submitted and saved.
//!
//! ```sh
//! cargo run -p videohub --example live_model -- veo-3.1-fast out.mp4
//! ```

use videohub::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let model = args.next().unwrap_or_else(|| "veo-3.1-fast".into());
    let path = args.next().unwrap_or_else(|| "out.mp4".into());
    let hub = Client::from_env()?;

    let schema = hub.live_schema(&model).await?; // GET /hub/v1/models/{model}
    for param in schema.view().params.iter() {
        println!(
            "{}: {}{}",
            param.name,
            param.ty,
            if param.required { " (required)" } else { "" }
        );
    }

    // A value the schema does not allow is caught here, with the parameter named.
    let wrong = serde_json::json!({"prompt": "a fox", "duration": "3 hours"});
    match hub.submit_checked(&schema, object(wrong)).await {
        Err(Error::InvalidRequest(errors)) => println!("refused before sending: {errors}"),
        other => return Err(format!("expected a refusal, got {other:?}").into()),
    }

    let input = serde_json::json!({"prompt": "a red fox in fresh snow"});
    let task = hub.submit_checked(&schema, object(input)).await?;
    let bytes = task.wait().await?.save(&path).await?;
    println!("saved {path} ({bytes} bytes) from {model}");
    Ok(())
}

fn object(value: serde_json::Value) -> videohub::JsonObject {
    value.as_object().cloned().unwrap_or_default()
}
