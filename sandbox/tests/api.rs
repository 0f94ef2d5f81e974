//! The sandbox's API over real HTTP: the happy path, keys, validation, catalog, bounds.

mod common;

use std::borrow::Cow;
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use videohub::schema::{Category, ImageInputs, Literal, ParamSchema, ParamType, Range};
use videohub_sandbox::{
    Counters, FaultKind, FaultPoint, FaultSpec, ModelSchema, SAMPLE_MP4, Sandbox, SubmitShape,
    load_models,
};

#[tokio::test]
async fn submit_poll_download_with_the_compiled_models() {
    // The default models: the catalog compiled into the videohub crate.
    let sandbox = fast().start().await.expect("start");
    assert_eq!(sandbox.models().len(), videohub::models::catalog().len());

    let task_id = submit_ok(&sandbox, &veo_input()).await;
    assert_eq!(task_id.len(), 36, "a UUID: {task_id}");
    assert_eq!(task_id.matches('-').count(), 4);

    let answers = poll_until_ready(&sandbox, &task_id).await;
    for answer in &answers[..answers.len() - 1] {
        assert!(["pending", "processing"].contains(&answer["status"].as_str().unwrap_or_default()));
        assert!(answer.get("data").is_none());
    }
    let done = answers.last().expect("one answer");
    assert_eq!(done["status"], "completed");
    assert_eq!(done["task_id"], task_id.as_str());
    assert!(done["elapsed_ms"].is_u64());
    let video = &done["data"]["video"];
    assert_eq!(video["content_type"], "video/mp4");
    assert_eq!(video["file_size"], SAMPLE_MP4.len());
    let file_name = video["file_name"].as_str().expect("a file name");
    assert!(file_name.ends_with(".mp4"));
    let url = video["url"].as_str().expect("a URL");
    assert!(
        url.starts_with(sandbox.download_url()),
        "{url} is on the file origin"
    );
    assert_ne!(sandbox.download_url(), sandbox.url());

    let response = client().get(url).send().await.expect("download");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "video/mp4");
    let bytes = response.bytes().await.expect("the whole file");
    let fixture = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/sample.mp4"))
        .expect("fixture");
    assert_eq!(bytes.as_ref(), fixture.as_slice());
    assert_eq!(&bytes[4..8], b"ftyp", "an MP4 starts with an ftyp box");

    let counters = sandbox.counters();
    assert_eq!(counters.submits_received, 1);
    assert_eq!(counters.tasks_created, 1);
    assert_eq!(counters.polls, answers.len() as u64);
    assert_eq!(counters.downloads, 1);
    assert_eq!(counters.unauthorized, 0);
    assert_eq!(counters.authorized_downloads, 0);
    assert_eq!(counters.faults_injected, 0);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_long_submit_shape() {
    let sandbox = fast()
        .models(fixture_models())
        .submit_shape(SubmitShape::Full)
        .start()
        .await
        .expect("start");
    let response = submit(
        &sandbox,
        &json!({"model": "wan-2.7", "input": {"prompt": "a lighthouse at night"}}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.expect("JSON");
    let task_id = answer["task_id"].as_str().expect("task_id");
    assert!(task_id.starts_with("hub-"), "{task_id}");
    assert!(answer.get("taskId").is_none());
    assert_eq!(answer["status"], "pending");
    assert_eq!(answer["capability"], "video");
    assert_eq!(answer["model"], "wan-2.7");
    assert_eq!(answer["vendor"], "Alibaba");
    assert_eq!(answer["mode"], "text-to-video");
    let created_at = answer["created_at"].as_str().expect("created_at");
    assert!(
        created_at.ends_with('Z') && created_at.contains('T'),
        "{created_at}"
    );
    let answers = poll_until_ready(&sandbox, task_id).await;
    assert_eq!(answers.last().expect("answers")["status"], "completed");

    assert_eq!("task_id".parse(), Ok(SubmitShape::Full));
    assert_eq!("taskId".parse(), Ok(SubmitShape::TaskId));
    assert!("taskid".parse::<SubmitShape>().is_err());
}

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

#[tokio::test]
async fn counters_are_served_as_json() {
    let sandbox = fast().start().await.expect("start");
    submit_ok(&sandbox, &veo_input()).await;
    let _ = client()
        .get(format!("{}/hub/v1/models", sandbox.url()))
        .send()
        .await
        .expect("401");
    let served: Counters = client()
        .get(format!("{}/__sandbox/counters", sandbox.url()))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("counters");
    assert_eq!(served, sandbox.counters());
    assert_eq!(served.submits_received, 1);
    assert_eq!(served.tasks_created, 1);
    assert_eq!(served.unauthorized, 1);
}

#[tokio::test]
async fn beyond_max_tasks_submits_get_429() {
    let sandbox = slow_tasks().max_tasks(2).start().await.expect("start");
    submit_ok(&sandbox, &veo_input()).await;
    submit_ok(&sandbox, &veo_input()).await;
    let response = submit(&sandbox, &veo_input()).await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], "too_many_tasks");
    let counters = sandbox.counters();
    assert_eq!((counters.submits_received, counters.tasks_created), (3, 2));

    // Finished tasks past their retention make room.
    let recycled = fast()
        .max_tasks(1)
        .task_retention(Duration::ZERO)
        .start()
        .await
        .expect("start");
    let first = submit_ok(&recycled, &veo_input()).await;
    poll_until_ready(&recycled, &first).await;
    submit_ok(&recycled, &veo_input()).await;
    assert_eq!(
        get(&recycled, &format!("/hub/v1/tasks/{first}"))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn retention_runs_on_simulated_time() {
    // Ten minutes of simulated time are nothing at a time scale of 0: a finished task makes
    // room for the next at once.
    let sandbox = Sandbox::builder()
        .time_scale(0.0)
        .max_tasks(1)
        .start()
        .await
        .expect("start");
    let first = submit_ok(&sandbox, &veo_input()).await;
    poll_until_ready(&sandbox, &first).await;
    submit_ok(&sandbox, &veo_input()).await;
    assert_eq!(sandbox.counters().tasks_created, 2);
}

#[tokio::test]
async fn a_full_sandbox_forgets_only_the_oldest_finished_task() {
    let sandbox = Sandbox::builder()
        .time_scale(0.0)
        .max_tasks(2)
        .start()
        .await
        .expect("start");
    let first = submit_ok(&sandbox, &veo_input()).await;
    let second = submit_ok(&sandbox, &veo_input()).await;
    poll_until_ready(&sandbox, &first).await;
    poll_until_ready(&sandbox, &second).await;
    submit_ok(&sandbox, &veo_input()).await;
    let status = |id: String| {
        let sandbox = &sandbox;
        async move { get(sandbox, &format!("/hub/v1/tasks/{id}")).await.status() }
    };
    assert_eq!(status(first).await, 404, "the oldest made room");
    assert_eq!(status(second).await, 200, "the other is kept until needed");
}

#[tokio::test]
async fn tasks_can_end_failed_or_timeout() {
    let failing = fast()
        .faults(FaultSpec::always([FaultKind::Failed]))
        .start()
        .await
        .expect("start");
    let task_id = submit_ok(&failing, &veo_input()).await;
    let done = poll_until_ready(&failing, &task_id)
        .await
        .pop()
        .expect("answer");
    assert_eq!(done["status"], "failed");
    assert!(done["error_code"].is_string() || done["error_code"].is_number());
    assert!(
        done["error_message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    assert!(done.get("data").is_none());

    let timing_out = fast()
        .faults(FaultSpec::always([FaultKind::Timeout]))
        .start()
        .await
        .expect("start");
    let task_id = submit_ok(&timing_out, &veo_input()).await;
    let done = poll_until_ready(&timing_out, &task_id)
        .await
        .pop()
        .expect("answer");
    assert_eq!(done["status"], "timeout");
    assert_eq!(done["ready"], true);
    assert!(done["error_code"].is_string());

    // Faults limited to tasks leave submits and polls alone.
    let spec: FaultSpec = "seed=3,kinds=all,on=task".parse().expect("spec");
    assert!(spec.fault_for(FaultPoint::Submit, 0).is_none());
    assert!(spec.fault_for(FaultPoint::Task, 0).is_some());
}

#[tokio::test]
async fn the_catalog_lists_models_with_their_json_schema() {
    let mut models = fixture_models();
    models.push(mystery_model());
    let sandbox = fast().models(models.clone()).start().await.expect("start");

    let list: Value = get(&sandbox, "/hub/v1/models?capability=video")
        .await
        .json()
        .await
        .expect("JSON");
    let data = list["data"].as_array().expect("a data list");
    assert_eq!(data.len(), 21);
    assert_eq!(data[0]["id"], "veo-3.1");
    assert_eq!(data[0]["category"], "text-to-video");
    assert_eq!(data[0]["vendor"], "Google");
    let images: Value = get(&sandbox, "/hub/v1/models?capability=image")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(images["data"].as_array().map(Vec::len), Some(0));

    for model in &models {
        let detail: Value = get(&sandbox, &format!("/hub/v1/models/{}", model.id))
            .await
            .json()
            .await
            .expect("JSON");
        assert_eq!(detail["id"], model.id.as_ref());
        let schema = &detail["input_schema"];
        assert_eq!(schema["type"], "object");
        assert_eq!(
            &ModelSchema::from_json_schema(&model.id, schema),
            model,
            "round trip of {}",
            model.id
        );
        // The example is accepted by the sandbox itself.
        let example = json!({"model": model.id, "input": detail["example"]});
        assert_eq!(
            submit(&sandbox, &example).await.status(),
            200,
            "example of {}",
            model.id
        );
    }
}

#[tokio::test]
async fn compiled_models_round_trip_through_json_schema() {
    for model in videohub::models::catalog() {
        let json = model.to_json_schema();
        assert_eq!(
            &ModelSchema::from_json_schema(&model.id, &json),
            *model,
            "{}",
            model.id
        );
        assert!(
            model.validate_input(&model.example_input()).is_ok(),
            "example of {}",
            model.id
        );
    }
}

/// A model the videohub crate does not compile, as the hub's unknown ids will be.
fn mystery_model() -> ModelSchema {
    let mut prompt = ParamSchema::new("prompt", ParamType::String);
    prompt.required = true;
    let mut strength = ParamSchema::new("strength", ParamType::Number);
    strength.range = Some(Range::inclusive(Literal::Float(0.0), Literal::Float(1.0)));
    strength.default = Some(Literal::Float(0.5));
    ModelSchema {
        id: "mystery-edit".into(),
        name: "Mystery Edit".into(),
        vendor: "Unknown".into(),
        category: Category::VideoEdit,
        description: "An edit model known only from the live catalog.".into(),
        params: Cow::Owned(vec![prompt, strength]),
        image_inputs: Some(ImageInputs {
            param: "image_urls".into(),
            min: 1,
            max: 1,
            roles: Cow::Owned(vec!["the video to edit".into()]),
        }),
        constraints: Cow::Borrowed(&[]),
    }
}

#[tokio::test]
async fn model_lists_load_leniently_and_fail_clearly() {
    assert_eq!(fixture_models().len(), 20);
    let bare = load_models(r#"[{"id": "x", "name": "X", "vendor": "V", "category": "text-to-video", "params": [], "extra": 1}]"#)
        .expect("a bare list");
    assert_eq!(bare[0].id, "x");
    assert!(load_models("{").is_err());
    assert!(
        load_models(r#"{"nothing": []}"#)
            .unwrap_err()
            .to_string()
            .contains("`models` array")
    );
    let bad = load_models(r#"[{"id": "broken", "params": []}]"#)
        .unwrap_err()
        .to_string();
    assert!(bad.starts_with("model #0 (broken) cannot be read"), "{bad}");

    let sandbox = Sandbox::builder()
        .models(bare)
        .start()
        .await
        .expect("start");
    assert_eq!(sandbox.models().len(), 1);
}

/// A port `p` such that `p` and `p + 1` were both free a moment ago.
fn free_port_pair() -> u16 {
    loop {
        let first = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = first.local_addr().expect("addr").port();
        if port < u16::MAX && std::net::TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
}

#[tokio::test]
async fn serve_listens_on_a_fixed_port_and_the_next_until_told_to_stop() {
    let port = free_port_pair();
    let (ready, listening) = tokio::sync::oneshot::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<&str>();
    let served = tokio::spawn(fast().serve(
        std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        move |hub| {
            let urls = (hub.url().to_owned(), hub.download_url().to_owned());
            ready.send(urls).expect("the test waits");
        },
        async { stopped.await.expect("the test stops it") },
    ));
    let (url, files) = listening.await.expect("ready is called");
    assert_eq!(url, format!("http://127.0.0.1:{port}"));
    assert_eq!(files, format!("http://127.0.0.1:{}", port + 1));
    let counters = client()
        .get(format!("{url}/__sandbox/counters"))
        .send()
        .await
        .expect("the hub answers while served");
    assert!(counters.status().is_success());

    stop.send("stopped").expect("serve waits for it");
    let outcome = served.await.expect("no panic").expect("served");
    assert_eq!(
        outcome, "stopped",
        "serve returns what the shutdown future gave"
    );
    let after = client()
        .get(format!("{url}/__sandbox/counters"))
        .send()
        .await;
    assert!(after.is_err(), "nothing listens after the shutdown");
}

#[tokio::test]
async fn serve_needs_a_port_for_the_file_origin() {
    let error = fast()
        .serve(
            std::net::SocketAddr::from(([127, 0, 0, 1], u16::MAX)),
            |_| panic!("nothing is served"),
            async {},
        )
        .await
        .expect_err("no port after 65535");
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
}

#[tokio::test]
async fn only_submits_and_polls_are_counted_and_draw_faults() {
    // Every submit and poll gets a 500; the catalog, the counters and a wrong method do not.
    let sandbox = fast()
        .api_key(KEY)
        .faults(FaultSpec::always([FaultKind::Status500]))
        .start()
        .await
        .expect("start");
    assert_eq!(submit(&sandbox, &veo_input()).await.status(), 500);
    assert_eq!(get(&sandbox, "/hub/v1/tasks/x").await.status(), 500);
    assert_eq!(get(&sandbox, "/hub/v1/models").await.status(), 200);
    assert_eq!(get(&sandbox, "/hub/v1/models/veo-3.1").await.status(), 200);
    let wrong_method = client()
        .get(format!("{}/hub/v1/video", sandbox.url()))
        .send()
        .await
        .expect("answer");
    assert_eq!(wrong_method.status(), 405);
    let counters = client()
        .get(format!("{}/__sandbox/counters", sandbox.url()))
        .send()
        .await
        .expect("answer");
    assert_eq!(counters.status(), 200);

    let counters = sandbox.counters();
    assert_eq!((counters.submits_received, counters.polls), (1, 1));
    assert_eq!(counters.faults_injected, 2);
    assert_eq!(counters.unauthorized, 0);
}
