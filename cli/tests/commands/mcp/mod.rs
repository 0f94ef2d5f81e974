//! `videohub mcp` driven by MCP clients, as agents run it, against a sandbox hub started by
//! each test: over standard input and output here, over HTTP in `http`, with tasks in
//! `tasks`, and by clients written elsewhere (the Python SDK, the Inspector) in `clients`.

pub(crate) mod agent;
mod clients;
mod http;
mod tasks;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use agent::{Answer, Fixture, KEY, Kind, assert_downloaded_video, follow, structured, text};
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};

fn fox() -> Value {
    json!({"prompt": "a red fox in snow"})
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tools_are_listed_with_their_schemas() {
    let fixture = Fixture::start(Duration::from_millis(50), 1.0).await;
    let agent = fixture.connect().await;
    let info = agent
        .client
        .peer_info()
        .expect("the server introduced itself");
    assert!(
        info.instructions
            .as_deref()
            .unwrap_or("")
            .contains("get_job"),
        "the instructions give the workflow"
    );
    let tools = agent.client.list_all_tools().await.unwrap();
    let names: BTreeSet<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "describe_model",
            "generate",
            "get_job",
            "list_models",
            "retry_job",
            "search_history"
        ])
    );
    for tool in &tools {
        assert_eq!(tool.input_schema["type"], "object", "{}", tool.name);
        let output = tool.output_schema.as_ref().expect("an output schema");
        assert!(
            output.contains_key("properties"),
            "{}: {output:?}",
            tool.name
        );
    }
    let generate = tools.iter().find(|t| t.name == "generate").unwrap();
    let required = &generate.input_schema["required"];
    assert_eq!(required, &json!(["model", "input"]));
    for argument in ["output", "request_id", "wait_seconds"] {
        assert!(
            generate.input_schema["properties"].get(argument).is_some(),
            "{argument}"
        );
    }
    let job_fields = &generate.output_schema.as_ref().unwrap()["properties"];
    for field in [
        "job_id", "state", "model", "task_id", "path", "uri", "error",
    ] {
        assert!(job_fields.get(field).is_some(), "{field}");
    }

    let models = structured(
        &agent
            .call("list_models", json!({"category": "text-to-video"}))
            .await,
    );
    let veo = models["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "veo-3.1")
        .expect("veo-3.1 listed");
    assert_eq!(
        (veo["capability"].as_str(), veo["compiled"].as_bool()),
        (Some("video"), Some(true))
    );
    let lite = structured(
        &agent
            .call("describe_model", json!({"model": "veo-3.1-lite"}))
            .await,
    );
    let resolution = &lite["input_schema"]["properties"]["resolution"];
    assert_eq!(resolution["enum"], json!(["720p", "1080p"]), "{lite}");
    assert!(
        lite["input_schema"]["required"]
            .as_array()
            .unwrap()
            .contains(&json!("prompt"))
    );
    let unknown = agent
        .call("describe_model", json!({"model": "veo-3.1-lyte"}))
        .await;
    assert_eq!(unknown.is_error, Some(true));
    assert!(
        text(&unknown).contains("did you mean `veo-3.1-lite`?"),
        "{}",
        text(&unknown)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_input_is_a_tool_error_and_nothing_is_sent() {
    let fixture = Fixture::start(Duration::from_millis(50), 1.0).await;
    let agent = fixture.connect().await;
    let result = agent
        .call(
            "generate",
            json!({"model": "veo-3.1-lite", "input": {"prompt": "a fox", "resolution": "4k", "resolutoin": "x"}}),
        )
        .await;
    assert_eq!(result.is_error, Some(true), "{result:?}");
    let message = text(&result);
    assert!(message.contains("nothing was sent"), "{message}");
    assert!(
        message
            .contains("parameter `resolution`: `4k` is not allowed; allowed values: 720p, 1080p"),
        "{message}"
    );
    assert!(message.contains("did you mean `resolution`?"), "{message}");
    let escape = agent
        .call(
            "generate",
            json!({"model": "veo-3.1", "input": fox(), "output": "../elsewhere.mp4"}),
        )
        .await;
    assert_eq!(escape.is_error, Some(true), "{escape:?}");
    assert_eq!(fixture.hub.counters().submits_received, 0);
    let history = structured(&agent.call("search_history", json!({})).await);
    assert_eq!(history["jobs"], json!([]), "nothing recorded either");
}

#[tokio::test(flavor = "multi_thread")]
async fn generate_answers_before_the_task_ends_and_get_job_waits_for_the_file() {
    let fixture = Fixture::start(Duration::from_secs(3), 1.0).await;
    let agent = fixture.connect().await;
    let started = structured(
        &agent
            .call(
                "generate",
                json!({"model": "veo-3.1", "input": fox(), "output": "fox.mp4", "wait_seconds": 0}),
            )
            .await,
    );
    assert_eq!(started["state"], "submitted", "{started}");
    assert_eq!(started["finished"], false);
    assert!(started["task_id"].is_string());
    let job_id = started["job_id"].as_str().unwrap().to_owned();

    let before = agent.progress_count();
    let (done, _) = follow(&agent, &job_id, 50.0).await;
    assert!(
        agent.progress_count() > before,
        "progress while get_job waited"
    );
    let path = assert_downloaded_video(&done);
    assert_eq!(path, fixture.outputs().join("fox.mp4"));

    // The file is a resource of the server; a video is read as a description and its link.
    let uri = structured(&done)["uri"].as_str().unwrap().to_owned();
    let resources = agent.client.list_all_resources().await.unwrap();
    assert!(resources.iter().any(|r| r.uri == uri), "{resources:?}");
    let read = agent
        .client
        .read_resource(rmcp::model::ReadResourceRequestParams::new(uri.clone()))
        .await
        .unwrap();
    let described = serde_json::to_string(&read).unwrap();
    assert!(described.contains("not sent inline"), "{described}");

    // One submit, one task; the key appears in no answer and no log line.
    let counters = fixture.hub.counters();
    assert_eq!((counters.submits_received, counters.tasks_created), (1, 1));
    let history = agent.call("search_history", json!({"query": "fox"})).await;
    assert_eq!(structured(&history)["jobs"][0]["job_id"], job_id.as_str());
    for answer in [serde_json::to_string(&done).unwrap(), text(&history)] {
        assert!(!answer.contains(KEY));
    }
    let log = agent.close().await;
    assert!(
        log.contains("DEBUG"),
        "RUST_LOG is honoured on standard error"
    );
    assert!(!log.contains(KEY), "the key in a log line");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_request_id_twice_is_one_job_and_one_task() {
    let fixture = Fixture::start(Duration::from_secs(1), 1.0).await;
    let request =
        json!({"model": "veo-3.1", "input": fox(), "request_id": "call-7", "wait_seconds": 0});
    let first = fixture.connect().await;
    let sent = structured(&first.call("generate", request.clone()).await);
    first.client.cancel().await.unwrap();
    // The client retries the call on another server process.
    let second = fixture.connect().await;
    let mut retry = request.clone();
    retry["wait_seconds"] = json!(50);
    let again = second.call("generate", retry).await;
    assert_eq!(structured(&again)["job_id"], sent["job_id"]);
    assert_downloaded_video(&again);
    let counters = fixture.hub.counters();
    assert_eq!((counters.submits_received, counters.tasks_created), (1, 1));
    // The same request id for another request is refused.
    let mut other = request;
    other["input"]["prompt"] = json!("a grey wolf");
    let refused = second.call("generate", other).await;
    assert_eq!(refused.is_error, Some(true));
    assert!(
        text(&refused).contains("already used"),
        "{}",
        text(&refused)
    );
    assert_eq!(fixture.hub.counters().submits_received, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_of_a_killed_client_is_finished_by_the_next_one() {
    let fixture = Fixture::start(Duration::from_secs(4), 1.0).await;
    let first = fixture.connect().await;
    let sent = structured(
        &first
            .call(
                "generate",
                json!({"model": "veo-3.1", "input": fox(), "wait_seconds": 0}),
            )
            .await,
    );
    let job_id = sent["job_id"].as_str().unwrap().to_owned();
    let waiting = {
        let peer = first.client.peer().clone();
        let params = CallToolRequestParams::new("get_job").with_arguments(
            json!({"job_id": job_id, "wait_seconds": 50})
                .as_object()
                .cloned()
                .unwrap(),
        );
        tokio::spawn(async move { peer.call_tool(params).await })
    };
    // Killed in the middle of the wait, once the server reported progress.
    let before = first.progress_count();
    for _ in 0..1200 {
        if first.progress_count() > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(first.progress_count() > before, "no progress reported");
    first.kill().await;
    assert!(
        waiting.await.unwrap().is_err(),
        "the killed wait has no answer"
    );

    let second = fixture.connect().await;
    let (done, _) = follow(&second, &job_id, 50.0).await;
    assert_downloaded_video(&done);
    let counters = fixture.hub.counters();
    assert_eq!((counters.submits_received, counters.tasks_created), (1, 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ten_minute_render_completes_through_calls_that_each_answer_in_time() {
    // Ten minutes of hub time, at a fiftieth of real time.
    let scale = 0.02;
    let fixture = Fixture::start(Duration::from_secs(600), scale).await;
    let agent = fixture.connect().await;
    let sent = structured(
        &agent
            .call(
                "generate",
                json!({"model": "veo-3.1", "input": fox(), "wait_seconds": 2}),
            )
            .await,
    );
    assert_eq!(sent["finished"], false, "{sent}");
    let job_id = sent["job_id"].as_str().unwrap();
    let (done, calls) = follow(&agent, job_id, 2.0).await;
    assert!(calls >= 2, "one call waited for the whole render");
    assert_downloaded_video(&done);
    let task = structured(&done)["task_id"].as_str().unwrap().to_owned();
    let report = fixture.hub.task_report(&task).unwrap();
    assert_eq!(report.duration, Duration::from_secs(600).mul_f64(scale));
    assert_eq!(fixture.hub.counters().tasks_created, 1);
    assert!(Path::new(&fixture.outputs()).is_dir());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_of_unknown_outcome_is_sent_again_only_once_the_user_confirms() {
    // Every submit creates its task, then the connection is cut before the answer.
    let faults = "seed=3,rate=1,kinds=reset-after,on=submit";
    let fixture = Fixture::with_faults(Duration::from_millis(50), 1.0, faults).await;
    let agent = fixture.connect().await;
    let sent = structured(
        &agent
            .call(
                "generate",
                json!({"model": "veo-3.1", "input": fox(), "wait_seconds": 0}),
            )
            .await,
    );
    assert_eq!(
        (sent["state"].as_str(), sent["finished"].as_bool()),
        (Some("outcome_unknown"), Some(true)),
        "{sent}"
    );
    assert!(sent["next"].as_str().unwrap().contains("force"), "{sent}");
    let job_id = sent["job_id"].as_str().unwrap().to_owned();
    let polled = structured(
        &agent
            .call("get_job", json!({"job_id": job_id, "wait_seconds": 0}))
            .await,
    );
    assert_eq!(polled["state"], "outcome_unknown");
    let refused = agent.call("retry_job", json!({"job_id": job_id})).await;
    assert_eq!(refused.is_error, Some(true), "{refused:?}");
    assert!(text(&refused).contains("force: true"), "{}", text(&refused));
    // A client that cannot ask its user: the resend is the user's to do.
    let forced = agent
        .call("retry_job", json!({"job_id": job_id, "force": true}))
        .await;
    assert_eq!(forced.is_error, Some(true), "{forced:?}");
    assert!(
        text(&forced).contains(&format!("videohub jobs retry {job_id} --force")),
        "{}",
        text(&forced)
    );
    assert_eq!(
        fixture.hub.counters().submits_received,
        1,
        "never resent silently"
    );

    // Clients that ask their user, in both eras: asked once per call; sent again only when
    // the user accepts.
    let mut submits = 1;
    for stateless in [false, true] {
        for answer in [Answer::Decline, Answer::Accept] {
            let kind = Kind {
                stateless,
                answer: Some(answer),
                ..Kind::default()
            };
            let asking = fixture.connect_as(kind).await;
            let result = asking
                .call_answering(
                    "retry_job",
                    json!({"job_id": job_id, "force": true, "wait_seconds": 0}),
                )
                .await;
            let questions = asking.questions();
            assert_eq!(questions.len(), 1, "{kind:?}: {questions:?}");
            assert!(questions[0].contains("may bill twice"), "{}", questions[0]);
            assert!(questions[0].contains(&job_id), "{}", questions[0]);
            if answer == Answer::Accept {
                submits += 1;
                assert_eq!(structured(&result)["job_id"], job_id.as_str());
            } else {
                assert_eq!(result.is_error, Some(true), "{result:?}");
                assert!(text(&result).contains("declined"), "{}", text(&result));
            }
            assert_eq!(fixture.hub.counters().submits_received, submits, "{kind:?}");
            asking.close().await;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn jobs_of_an_in_process_sandbox_end_with_its_process() {
    let fixture = Fixture::start(Duration::from_millis(50), 1.0).await;
    let first = fixture.connect_in_process().await;
    let generate = json!({"model": "veo-3.1", "input": fox(), "wait_seconds": 0});
    let done = structured(&first.call("generate", generate.clone()).await);
    let (done, _) = follow(&first, done["job_id"].as_str().unwrap(), 50.0).await;
    assert_downloaded_video(&done);
    // A job left running when the process (and its sandbox) is killed.
    let left = structured(&first.call("generate", generate).await);
    assert_eq!(left["state"], "submitted", "{left}");
    first.kill().await;

    let second = fixture.connect_in_process().await;
    let job_id = left["job_id"].as_str().unwrap();
    let report = structured(
        &second
            .call("get_job", json!({"job_id": job_id, "wait_seconds": 0}))
            .await,
    );
    assert_eq!(report["state"], "submitted", "{report}");
    assert!(
        report["error"]
            .as_str()
            .unwrap()
            .contains("in-process sandbox"),
        "{report}"
    );
}

/// How a test ends a stdio server whose client sent one request.
#[derive(Debug, Clone, Copy)]
enum End {
    /// SIGTERM, the client keeping standard input open.
    Terminate,
    /// The client closes standard input.
    Close,
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stdio_server_stops_on_sigterm_or_its_client_going_at_any_point() {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let ping = json!({"jsonrpc": "2.0", "id": 0, "method": "ping"});
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"}}});
    // A ping is answered before a client chose an era (and opened a session): the server
    // is listening, and no request of the session came yet.
    for (request, end, code) in [
        (&ping, End::Terminate, 143),
        (&initialize, End::Terminate, 143),
        (&ping, End::Close, 0),
    ] {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_videohub"))
            .args(["--sandbox", "--store"])
            .arg(dir.path().join("journal.sqlite3"))
            .args(["mcp", "--output-dir"])
            .arg(dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut answers = BufReader::new(child.stdout.take().unwrap()).lines();
        stdin
            .write_all(format!("{request}\n").as_bytes())
            .await
            .unwrap();
        let answer = answers.next_line().await.unwrap().expect("an answer");
        assert!(answer.contains(r#""result""#), "{answer}");
        let open_input = match end {
            End::Terminate => {
                let pid = child.id().unwrap().to_string();
                let sent = std::process::Command::new("kill")
                    .args(["-TERM", &pid])
                    .status()
                    .unwrap();
                assert!(sent.success());
                Some(stdin)
            }
            End::Close => {
                drop(stdin);
                None
            }
        };
        let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
            .await
            .unwrap_or_else(|_| panic!("{request} then {end:?}: the server is still running"))
            .unwrap();
        let mut log = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut log)
            .await
            .unwrap();
        assert_eq!(status.code(), Some(code), "{request} then {end:?}: {log}");
        assert!(!log.contains("error"), "{log}");
        drop(open_input);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn outputs_saved_to_a_bucket_are_linked_and_read_by_their_object_url() {
    let s3 = videohub_tests::stores::S3Server::start();
    s3.create_bucket("renders").await;
    let fixture = Fixture::start(Duration::from_millis(50), 1.0)
        .await
        .saving_to("s3://renders/agent/", s3.env());
    let agent = fixture.connect().await;

    let done = agent
        .call(
            "generate",
            json!({"model": "veo-3.1", "input": fox(), "output": "fox.mp4", "wait_seconds": 30}),
        )
        .await;

    let job = structured(&done);
    assert_eq!(job["state"], "downloaded", "{job}");
    let url = "s3://renders/agent/fox.mp4";
    assert_eq!((&job["path"], &job["uri"]), (&json!(url), &json!(url)));
    let link = done.content.iter().find_map(|c| c.as_resource_link());
    assert_eq!(link.expect("a resource link").uri, url);
    assert_eq!(
        s3.object("renders", "agent/fox.mp4").await.unwrap(),
        videohub_sandbox::SAMPLE_MP4
    );
    let resources = agent.client.list_all_resources().await.unwrap();
    assert!(resources.iter().any(|r| r.uri == url), "{resources:?}");
    let read = agent
        .client
        .read_resource(rmcp::model::ReadResourceRequestParams::new(url))
        .await
        .unwrap();
    let described = serde_json::to_string(&read).unwrap();
    assert!(
        described.contains("not sent inline") && described.contains(url),
        "{described}"
    );
    assert_eq!(fixture.hub.counters().tasks_created, 1);
    let log = agent.close().await;
    for secret in [
        videohub_tests::stores::ACCESS_KEY_ID,
        videohub_tests::stores::SECRET_ACCESS_KEY,
    ] {
        assert!(!log.contains(secret) && !described.contains(secret));
    }
}
