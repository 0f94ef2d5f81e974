//! An image-generation model of the user's own (`AcmeStill`, text-to-image) through the same
//! macro, client, poller and download as the video models, against the sandbox's
//! `POST /hub/v1/image`.

use videohub::{Capability, Client, Error, Media, Model};
use videohub_sandbox::{SAMPLE_PNG, SandboxHandle, compiled_models};
use videohub_tests::AcmeStill;
use videohub_tests::acme_still::AspectRatio;

mod common;
use common::{hub_with, quick};

async fn hub() -> (SandboxHandle, Client) {
    hub_with(AcmeStill::SCHEMA.clone()).await
}

#[test]
fn the_model_says_it_generates_images() {
    assert_eq!(AcmeStill::CAPABILITY, Capability::Image);
    assert_eq!(AcmeStill::CAPABILITY.endpoint(), "/hub/v1/image");
    assert_eq!(AcmeStill::CAPABILITY.output(), Some(Media::Image));
    let request = AcmeStill::builder().prompt("a lighthouse").build();
    assert_eq!(request.to_input()["aspect_ratio"], "1:1");
}

#[tokio::test]
async fn an_image_is_generated_polled_and_saved_as_a_png() {
    let (sandbox, client) = hub().await;
    let request = AcmeStill::builder()
        .prompt("a lighthouse at dusk")
        .aspect_ratio(AspectRatio::Ratio16x9)
        .build();
    let output = client.generate_with(&request, quick()).await.unwrap();
    assert_eq!(output.raw()["capability"], "image");
    let file = output.file().expect("an image");
    assert_eq!(
        (file.media(), file.extension(), file.content_type()),
        (Media::Image, "png", Some("image/png"))
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("still.{}", file.extension()));
    let bytes = output.save(&path).await.unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), SAMPLE_PNG);
    assert_eq!(bytes, SAMPLE_PNG.len() as u64);
    let counters = sandbox.counters();
    assert_eq!(
        (
            counters.submits_received,
            counters.tasks_created,
            counters.authorized_downloads
        ),
        (1, 1, 0)
    );
}

#[tokio::test]
async fn an_invalid_image_request_is_refused_before_anything_is_sent() {
    let (sandbox, client) = hub().await;
    let request = AcmeStill::builder().prompt("x".repeat(1001)).build();
    let error = client.submit(&request).await.unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error}");
    assert_eq!(sandbox.counters().submits_received, 0);
}

#[tokio::test]
async fn the_catalog_lists_image_models_apart_and_describes_them() {
    let (_sandbox, client) = hub().await;
    let images = client.models(Capability::Image).await.unwrap();
    let ids: Vec<&str> = images.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["acme-still"]);
    let videos = client.models(Capability::Video).await.unwrap();
    assert!(videos.iter().all(|m| m.id != "acme-still"));
    assert_eq!(videos.len(), compiled_models().len());
    // Fetched from the hub, the schema says the same as the compiled one, its category too.
    let fetched = client.model_schema("acme-still").await.unwrap();
    assert_eq!(fetched.category, AcmeStill::SCHEMA.category);
    assert_eq!(fetched.category.capability(), Capability::Image);
}

#[tokio::test]
async fn a_model_submitted_to_the_endpoint_of_another_capability_is_refused() {
    let (sandbox, client) = hub().await;
    let input = AcmeStill::builder().prompt("a fox").build().to_input();
    let error = client
        .submit_unchecked(Capability::Video.endpoint(), "acme-still", input)
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("submit it to POST /hub/v1/image"),
        "{error}"
    );
    assert_eq!(sandbox.counters().tasks_created, 0);
    // Checked against its schema, a dynamic submit goes to the right endpoint.
    let fetched = client.model_schema("acme-still").await.unwrap();
    let input = AcmeStill::builder().prompt("a fox").build().to_input();
    let task = client.submit_checked(&fetched, input).await.unwrap();
    let output = task.wait_with(quick()).await.unwrap();
    assert_eq!(output.file().map(|f| f.media()), Some(Media::Image));
}
