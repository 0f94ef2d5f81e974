//! What the sandbox refuses: a missing or wrong key, an invalid input, unknown models and
//! tasks, and a download carrying `Authorization`.

use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn a_missing_or_wrong_key_gets_401() {
    let sandbox = fast().api_key(KEY).start().await.expect("start");
    let url = format!("{}/hub/v1/video", sandbox.url());
    let http = client();
    let missing = http
        .post(&url)
        .json(&veo_input())
        .send()
        .await
        .expect("answer");
    assert_eq!(missing.status(), 401);
    let body: Value = missing.json().await.expect("JSON");
    assert_eq!(body["error"], "unauthorized");
    let wrong = http
        .post(&url)
        .bearer_auth("sk-other")
        .json(&veo_input())
        .send()
        .await
        .expect("answer");
    assert_eq!(wrong.status(), 401);
    let empty = http
        .post(&url)
        .header("Authorization", "Bearer ")
        .json(&veo_input())
        .send()
        .await
        .expect("answer");
    assert_eq!(empty.status(), 401);
    let poll = http
        .get(format!("{}/hub/v1/tasks/x", sandbox.url()))
        .send()
        .await
        .expect("answer");
    assert_eq!(poll.status(), 401);
    let models = http
        .get(format!("{}/hub/v1/models", sandbox.url()))
        .send()
        .await
        .expect("answer");
    assert_eq!(models.status(), 401);
    submit_ok(&sandbox, &veo_input()).await;

    let counters = sandbox.counters();
    assert_eq!(counters.unauthorized, 5);
    assert_eq!(
        counters.submits_received, 4,
        "every submit is counted, keyed or not"
    );
    assert_eq!(counters.tasks_created, 1);

    // Without a configured key, any non-empty key passes.
    let open = fast().start().await.expect("start");
    let response = http
        .post(format!("{}/hub/v1/video", open.url()))
        .bearer_auth("anything")
        .json(&veo_input())
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn invalid_input_gets_422_naming_the_parameter() {
    let sandbox = fast().start().await.expect("start");
    let cases = [
        (
            json!({"prompt": "a fox", "resolution": "8k"}),
            "resolution",
            "`8k` is not allowed",
        ),
        (json!({"resolution": "720p"}), "prompt", "is required"),
        (
            json!({"prompt": "a fox", "promt": "x"}),
            "promt",
            "did you mean `prompt`?",
        ),
        (
            json!({"prompt": "a fox", "generate_audio": "yes"}),
            "generate_audio",
            "expected boolean",
        ),
    ];
    for (input, param, phrase) in cases {
        let response = submit(&sandbox, &json!({"model": "veo-3.1", "input": input})).await;
        assert_eq!(response.status(), 422, "{input}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["error"], "invalid_input");
        let message = body["message"].as_str().expect("a message");
        assert!(
            message.contains(&format!("`{param}`")),
            "{message} names {param}"
        );
        assert!(message.contains(phrase), "{message} says {phrase}");
        assert_eq!(body["errors"][0]["param"], param);
    }
    // Kling: exactly one of prompt and multi_prompt.
    let both = json!({"model": "kling-v3-pro", "input": {"prompt": "a", "multi_prompt": [{"prompt": "b", "duration": "5"}]}});
    let response = submit(&sandbox, &both).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.expect("JSON");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("`prompt`, `multi_prompt`")
    );
    // The wrong number of images.
    let images = json!({"model": "veo-3.1-first-last", "input": {"prompt": "a", "image_urls": ["https://example.com/1.png"]}});
    let response = submit(&sandbox, &images).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["param"], "image_urls");

    // Not a model, not an object, not JSON.
    let response = submit(&sandbox, &json!({"input": {"prompt": "a"}})).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["param"], "model");
    let response = submit(&sandbox, &json!({"model": "veo-3.1", "input": "a fox"})).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["param"], "input");
    let response = client()
        .post(format!("{}/hub/v1/video", sandbox.url()))
        .bearer_auth(KEY)
        .body("{not json")
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 400);
    assert_eq!(sandbox.counters().tasks_created, 0);
}

#[tokio::test]
async fn unknown_models_and_tasks_get_404() {
    let sandbox = fast().start().await.expect("start");
    let response = submit(
        &sandbox,
        &json!({"model": "veo-9", "input": {"prompt": "a"}}),
    )
    .await;
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], "model_not_found");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("veo-9")
    );
    assert_eq!(
        get(&sandbox, "/hub/v1/tasks/no-such-task").await.status(),
        404
    );
    assert_eq!(get(&sandbox, "/hub/v1/models/veo-9").await.status(), 404);
    assert_eq!(get(&sandbox, "/hub/v1/nothing").await.status(), 404);
    assert_eq!(sandbox.counters().tasks_created, 0);
}

#[tokio::test]
async fn the_file_origin_refuses_authorization() {
    let sandbox = fast().start().await.expect("start");
    let task_id = submit_ok(&sandbox, &veo_input()).await;
    let answers = poll_until_ready(&sandbox, &task_id).await;
    let url = answers.last().expect("answers")["data"]["video"]["url"]
        .as_str()
        .expect("url")
        .to_owned();

    let keyed = client()
        .get(&url)
        .bearer_auth(KEY)
        .send()
        .await
        .expect("answer");
    assert_eq!(keyed.status(), 403);
    let any = client()
        .get(&url)
        .header("Authorization", "Basic eDp5")
        .send()
        .await
        .expect("answer");
    assert_eq!(any.status(), 403);
    let unknown = client()
        .get(format!("{}/files/nope/nope.mp4", sandbox.download_url()))
        .send()
        .await
        .expect("answer");
    assert_eq!(unknown.status(), 404);
    let plain = client().get(&url).send().await.expect("answer");
    assert_eq!(plain.status(), 200);

    let counters = sandbox.counters();
    assert_eq!(counters.authorized_downloads, 2);
    assert_eq!(counters.downloads, 2);
}
