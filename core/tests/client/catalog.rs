//! The hub's catalog, read leniently.

use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

#[tokio::test]
async fn the_catalog_is_read_leniently() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/hub/v1/models"))
        .and(query_param("capability", "video"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"models": [
            {"id": "veo-3.1", "name": "Veo 3.1", "vendor": "Google", "category": "text-to-video", "extra": 1},
            {"model": "kling-v3-pro", "category": "image-to-video"},
            {"unrelated": true}
        ]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/hub/v1/models/veo-3.1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "veo-3.1", "category": "text-to-video",
            "input_schema": {"type": "object", "properties": {"prompt": {"type": "string"}}},
            "example": {"prompt": "a fox"}
        })))
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let models = client
        .models(videohub_core::Capability::Video)
        .await
        .expect("list");
    assert_eq!(
        models.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        ["veo-3.1", "kling-v3-pro"]
    );
    assert_eq!(models[0].vendor.as_deref(), Some("Google"));
    assert_eq!(models[0].raw["extra"], 1);
    assert_eq!(
        models[1].category_kind(),
        Some(videohub_core::schema::Category::ImageToVideo)
    );
    let veo = client.model("veo-3.1").await.expect("model");
    assert_eq!(
        veo.input_schema.as_ref().expect("schema")["properties"]["prompt"]["type"],
        "string"
    );
    assert_eq!(veo.example, Some(json!({"prompt": "a fox"})));
}
