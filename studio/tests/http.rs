//! The studio over HTTP: every endpoint, bad input, and the API key kept out of every answer.

mod common;

use std::time::Duration;

use common::{KEY, Setup};
use serde_json::{Value, json};
use videohub_journal::NewJob;

const QUICK: Duration = Duration::from_millis(500);

async fn generated(setup: &Setup, model: &str, input: Value) -> Value {
    let (status, job) = setup
        .post("/api/generate", json!({"model": model, "input": input}))
        .await;
    assert_eq!(status, 201, "{job}");
    assert_eq!(job["model"], model);
    setup.settled(job["id"].as_str().unwrap()).await
}

#[tokio::test]
async fn a_generated_job_is_shown_with_its_video_served_in_ranges() {
    let setup = Setup::start(QUICK, "").await;
    let job = generated(
        &setup,
        "veo-3.1",
        json!({"prompt": "a fox", "duration": "4s"}),
    )
    .await;
    assert_eq!(job["state"], "downloaded", "{job}");
    assert_eq!(job["prompt"], "a fox");
    assert_eq!(job["problem"], Value::Null);
    let url = job["video_url"].as_str().unwrap();
    assert!(
        job["file_path"]
            .as_str()
            .unwrap()
            .starts_with(setup.videos().to_str().unwrap())
    );

    let whole = setup.http.get(setup.url(url)).send().await.unwrap();
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.headers()["content-type"], "video/mp4");
    assert_eq!(
        whole.bytes().await.unwrap().len(),
        setup.sandbox.video_size() as usize
    );
    let part = setup
        .http
        .get(setup.url(url))
        .header("range", "bytes=4-11")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(
        &part.bytes().await.unwrap()[..],
        &videohub_sandbox::SAMPLE_MP4[4..12]
    );

    // Filters: model, status, text.
    let count = |v: &Value| v["jobs"].as_array().unwrap().len();
    assert_eq!(count(&setup.get("/api/jobs?model=veo-3.1").await.1), 1);
    assert_eq!(count(&setup.get("/api/jobs?model=wan-2.7").await.1), 0);
    assert_eq!(count(&setup.get("/api/jobs?status=downloaded").await.1), 1);
    assert_eq!(count(&setup.get("/api/jobs?status=failed").await.1), 0);
    assert_eq!(count(&setup.get("/api/jobs?text=FOX").await.1), 1);
    assert_eq!(count(&setup.get("/api/jobs?text=badger").await.1), 0);
    let (status, bad) = setup.get("/api/jobs?status=done").await;
    assert_eq!(status, 400);
    assert!(
        bad["error"]
            .as_str()
            .unwrap()
            .contains("unknown job state `done`")
    );
}

#[tokio::test]
async fn an_image_model_of_the_hub_is_offered_generated_and_shown_as_an_image() {
    let setup = Setup::start(QUICK, "").await;
    let (_, models) = setup.get("/api/models").await;
    let still = models["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "acme-still")
        .expect("the hub's image model is offered");
    assert_eq!(
        (&still["category"], &still["compiled"]),
        (&json!("text-to-image"), &json!(false))
    );
    let job = generated(&setup, "acme-still", json!({"prompt": "a lighthouse"})).await;
    assert_eq!(job["state"], "downloaded", "{job}");
    assert_eq!(job["endpoint"], "/hub/v1/image");
    assert_eq!(job["media"], "image");
    assert!(
        job["file_path"].as_str().unwrap().ends_with(".png"),
        "{job}"
    );
    let file = setup
        .http
        .get(setup.url(job["video_url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(file.headers()["content-type"], "image/png");
    assert_eq!(
        &file.bytes().await.unwrap()[..],
        videohub_sandbox::SAMPLE_PNG
    );
}

#[tokio::test]
async fn invalid_input_is_refused_with_the_command_lines_messages_and_nothing_sent() {
    let setup = Setup::start(QUICK, "").await;
    let (status, answer) = setup
        .post(
            "/api/validate",
            json!({"model": "veo-3.1-lite", "input": {"resolution": "4k"}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        answer["errors"],
        json!([
            {"param": "prompt", "message": "parameter `prompt`: is required but was not given"},
            {"param": "resolution", "message": "parameter `resolution`: `4k` is not allowed; allowed values: 720p, 1080p"},
        ])
    );
    let (status, answer) = setup
        .post(
            "/api/generate",
            json!({"model": "kling-v3-pro", "input": {"prompt": "a", "multi_prompt": [{"prompt": "b", "duration": "5"}]}}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        answer["errors"][0]["message"],
        "parameters `prompt`, `multi_prompt`: exactly one of these must be given, found 2"
    );
    assert_eq!(setup.get("/api/jobs").await.1["jobs"], json!([]));
    assert_eq!(setup.sandbox.counters().submits_received, 0);
    let (status, answer) = setup
        .post("/api/validate", json!({"model": "kling-v3-pro", "input": {"multi_prompt": [{"prompt": "b", "duration": "5"}]}}))
        .await;
    assert_eq!((status, &answer["errors"]), (200, &json!([])));
}

#[tokio::test]
async fn a_live_model_is_checked_by_its_json_schema() {
    let setup = Setup::start(QUICK, "").await;
    let input = json!({"prompt": "a koi", "image": "not a uri", "seed": null});
    let (status, answer) = setup
        .post(
            "/api/validate",
            json!({"model": common::LIVE_MODEL, "input": input}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        answer["errors"],
        json!([{"param": "image", "message": "parameter `image`: `not a uri` is not a valid uri"}])
    );
    let (status, _) = setup
        .post(
            "/api/generate",
            json!({"model": common::LIVE_MODEL, "input": input}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(setup.sandbox.counters().submits_received, 0);
}

#[tokio::test]
async fn an_unknown_model_is_named_in_the_form_and_on_its_card() {
    let setup = Setup::start(QUICK, "").await;
    let message = "unknown model `veo-3.2` (did you mean `veo-3`?)";
    let (status, answer) = setup.get("/api/models/veo-3.2").await;
    assert_eq!((status, answer["error"].as_str().unwrap()), (404, message));
    for path in ["/api/validate", "/api/generate"] {
        let (status, answer) = setup
            .post(path, json!({"model": "veo-3.2", "input": {"prompt": "x"}}))
            .await;
        assert_eq!((status, answer["error"].as_str().unwrap()), (404, message));
    }
    // A job of the journal for a model this hub does not have: the hub refused it.
    let job = setup
        .runner
        .submit(
            NewJob {
                hub: setup.sandbox.url().into(),
                model: "veo-3.2".into(),
                endpoint: videohub::Capability::Video.endpoint().into(),
                input: json!({"prompt": "x"}).as_object().unwrap().clone(),
                output_path: setup.videos().join("{task_id}.mp4"),
            },
            |_| {},
        )
        .await
        .unwrap();
    let (status, card) = setup.get(&format!("/api/jobs/{}", job.id)).await;
    assert_eq!(status, 200);
    assert_eq!(card["state"], "failed");
    assert_eq!(card["video_url"], Value::Null);
    assert!(
        card["problem"]
            .as_str()
            .unwrap()
            .contains("the hub refused the submit"),
        "{card}"
    );
    let (status, answer) = setup.get(&format!("/api/jobs/{}/video", job.id)).await;
    assert_eq!((status, &answer["error"]), (404, &card["problem"]));
    let (status, answer) = setup.get("/api/jobs/no-such-job").await;
    assert_eq!(status, 404);
    assert!(
        answer["error"].as_str().unwrap().contains("no-such-job"),
        "{answer}"
    );
}

#[tokio::test]
async fn a_deleted_video_file_is_said_so_on_its_card() {
    let setup = Setup::start(QUICK, "").await;
    let job = generated(&setup, "wan-2.7", json!({"prompt": "a koi pond"})).await;
    let path = job["file_path"].as_str().unwrap().to_owned();
    std::fs::remove_file(&path).unwrap();
    let (_, card) = setup
        .get(&format!("/api/jobs/{}", job["id"].as_str().unwrap()))
        .await;
    assert_eq!(card["state"], "downloaded");
    assert_eq!(card["video_url"], Value::Null);
    assert_eq!(
        card["problem"],
        format!("the video file {path} is gone: it was deleted or moved")
    );
    let (status, answer) = setup.get(job["video_url"].as_str().unwrap()).await;
    assert_eq!((status, &answer["error"]), (404, &card["problem"]));
    // A directory where the file was.
    std::fs::create_dir(&path).unwrap();
    let (_, card) = setup.get("/api/jobs").await;
    assert!(
        card["jobs"][0]["problem"]
            .as_str()
            .unwrap()
            .contains("is not a file any more")
    );
}

#[tokio::test]
async fn a_job_whose_output_never_came_shows_the_hubs_reason() {
    let setup = Setup::start(QUICK, "seed=3,rate=1,kinds=failed").await;
    let job = generated(&setup, "veo-3.1", json!({"prompt": "a fox"})).await;
    assert_eq!(job["state"], "failed", "{job}");
    assert_eq!(job["video_url"], Value::Null);
    let problem = job["problem"].as_str().unwrap();
    assert!(!problem.is_empty());
    assert_eq!(job["problem"], job["error"]);
    let (status, answer) = setup
        .get(&format!("/api/jobs/{}/video", job["id"].as_str().unwrap()))
        .await;
    assert_eq!((status, answer["error"].as_str().unwrap()), (404, problem));
}

#[tokio::test]
async fn an_uploaded_image_becomes_a_data_uri() {
    let setup = Setup::start(QUICK, "").await;
    let png = b"\x89PNG\r\n\x1a\nrest";
    let answer: Value = setup
        .http
        .post(setup.url("/api/image"))
        .header("content-type", "image/png")
        .body(png.to_vec())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        answer["data_uri"],
        videohub::Image::from_bytes(png, "image/png").as_str()
    );
    let refused = setup
        .http
        .post(setup.url("/api/image"))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 415);
}

#[tokio::test]
async fn only_local_host_names_and_pages_are_answered() {
    let setup = Setup::start(QUICK, "").await;
    let answer = setup
        .http
        .get(setup.url("/api/jobs"))
        .header("host", "attacker.example:80")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 403);
    assert!(setup.studio.url().starts_with("http://127.0.0.1:"));
    // A page of another site open in the browser cannot start a paid generation.
    let generate = |origin: &'static str| {
        setup
            .http
            .post(setup.url("/api/generate"))
            .header("origin", origin)
            .json(&json!({"model": "veo-3.1", "input": {"prompt": "a fox"}}))
            .send()
    };
    let foreign = generate("http://videos.example").await.unwrap();
    assert_eq!(foreign.status(), 403);
    let message: Value = foreign.json().await.unwrap();
    assert!(message["error"].as_str().unwrap().contains("another site"));
    assert_eq!(setup.sandbox.counters().submits_received, 0);
    let own = generate("http://127.0.0.1:8790").await.unwrap();
    assert!(own.status().is_success(), "{own:?}");
}

#[tokio::test]
async fn the_api_key_reaches_no_page_and_no_endpoint() {
    let setup = Setup::start(QUICK, "").await;
    let done = generated(&setup, "veo-3.1", json!({"prompt": "a fox"})).await;
    let id = done["id"].as_str().unwrap().to_owned();
    let mut seen = Vec::new();
    let gets = [
        "/".to_owned(),
        "/assets/app.js".into(),
        "/assets/form.js".into(),
        "/assets/gallery.js".into(),
        "/assets/style.css".into(),
        "/assets/nothing.js".into(),
        "/api/models".into(),
        "/api/models/veo-3.1".into(),
        "/api/models/kling-v3-pro-image".into(),
        "/api/models/nope".into(),
        "/api/jobs".into(),
        "/api/jobs?status=downloaded&text=fox&model=veo-3.1".into(),
        "/api/jobs?status=bogus".into(),
        format!("/api/jobs/{id}"),
        format!("/api/jobs/{id}/video"),
        "/api/jobs/nope".into(),
        "/api/jobs/nope/video".into(),
        "/no/such/page".into(),
    ];
    for path in &gets {
        let answer = setup.http.get(setup.url(path)).send().await.unwrap();
        seen.push((
            path.clone(),
            format!("{:?}", answer.headers()),
            answer.bytes().await.unwrap(),
        ));
    }
    let posts = [
        (
            "/api/validate",
            json!({"model": "veo-3.1", "input": {"prompt": "x"}}),
        ),
        ("/api/validate", json!({"model": "nope", "input": {}})),
        ("/api/generate", json!({"model": "veo-3.1", "input": {}})),
        (
            "/api/generate",
            json!({"model": "veo-3.1", "input": {"prompt": "another"}}),
        ),
        ("/api/generate", json!({"model": "nope"})),
    ];
    for (path, body) in posts {
        let answer = setup
            .http
            .post(setup.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        seen.push((
            path.to_owned(),
            format!("{:?}", answer.headers()),
            answer.bytes().await.unwrap(),
        ));
    }
    let image = setup
        .http
        .post(setup.url("/api/image"))
        .header("content-type", "image/png")
        .body(vec![1, 2, 3])
        .send()
        .await
        .unwrap();
    seen.push((
        "/api/image".into(),
        format!("{:?}", image.headers()),
        image.bytes().await.unwrap(),
    ));
    // The second job, once it ran, too.
    let (_, jobs) = setup.get("/api/jobs").await;
    let second = jobs["jobs"][0]["id"].as_str().unwrap().to_owned();
    let second = setup.settled(&second).await;
    seen.push((
        "second job".into(),
        String::new(),
        second.to_string().into(),
    ));
    assert!(seen.len() > 20);
    for (path, headers, body) in seen {
        let body = String::from_utf8_lossy(&body);
        assert!(!body.contains(KEY), "{path} answered with the key: {body}");
        assert!(
            !headers.contains(KEY),
            "{path} sent the key in a header: {headers}"
        );
    }
}
