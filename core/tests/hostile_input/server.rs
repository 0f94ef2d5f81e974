//! Through a local server: the client's reading of any answer, on every status, and of
//! bodies past their caps.

use proptest::prelude::*;
use serde_json::{Map, json};
use videohub_core::{Capability, Error};

use crate::common::{Conn, RawServer};
use crate::strategies::{body, config, json_value, text};

/// An HTTP/1.1 answer with any status and body bytes.
fn reply(status: u16, body: &[u8]) -> Vec<u8> {
    let mut bytes = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// The largest error the client may build from a hostile body: the error body is read up
/// to 64 KiB, and everything else the client keeps of it is an excerpt.
const ERROR_TEXT_BOUND: usize = 64 * 1024 + 1024;

/// One request of each kind against a server that answers `status` with `body`.
async fn ask_hub(status: u16, body: Vec<u8>) {
    let server = RawServer::start(vec![Conn::Reply(reply(status, &body))]).await;
    let client = crate::common::client(&server.base);
    let outcomes = [
        client.task_by_id("task-1").status().await.map(|_| ()),
        client.models(Capability::Video).await.map(|_| ()),
        client.model("veo-3.1").await.map(|_| ()),
        client
            .submit_unchecked(Capability::Video.endpoint(), "veo-3.1", Map::new())
            .await
            .map(|_| ()),
    ];
    for outcome in outcomes {
        match outcome {
            Ok(()) => assert!(
                (200..300).contains(&status),
                "{status} was taken for success"
            ),
            Err(error) => {
                let shown = error.to_string();
                assert!(shown.len() <= ERROR_TEXT_BOUND, "{} bytes", shown.len());
                for shown in [&shown, &format!("{error:?}")] {
                    assert!(
                        !shown.contains(crate::common::KEY),
                        "the key is shown: {shown}"
                    );
                }
                if let Some(code) = error.status() {
                    assert_eq!(code, status);
                }
            }
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

proptest! {
    #![proptest_config(config(40))]

    /// Error bodies (JSON of any shape, plain text, bytes) on every status the hub may use,
    /// and success answers with garbage, through the client's real reading path.
    #[test]
    fn client_reads_any_answer(
        status in prop::sample::select(vec![200u16, 201, 400, 401, 402, 403, 404, 409, 422, 429, 500, 502, 503, 418]),
        body in prop_oneof![
            body(),
            json_value().prop_map(|v| serde_json::to_vec(&json!({ "error": v, "code": v })).expect("json")),
            (json_value(), text()).prop_map(|(v, m)| {
                serde_json::to_vec(&json!({ "error": { "message": m, "code": v }, "detail": v })).expect("json")
            }),
        ],
    ) {
        runtime().block_on(ask_hub(status, body));
    }
}

/// A success body past the 8 MiB cap is refused, not read whole.
#[test]
fn oversized_success_body_is_refused() {
    let mut body = b"{\"models\":[".to_vec();
    while body.len() <= 9 * 1024 * 1024 {
        body.extend_from_slice(b"\"veo-3.1\",");
    }
    body.extend_from_slice(b"\"x\"]}");
    runtime().block_on(async {
        let server = RawServer::start(vec![Conn::Reply(reply(200, &body))]).await;
        let error = crate::common::client(&server.base)
            .models(Capability::Video)
            .await
            .expect_err("too large");
        assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    });
}

/// An error body of several megabytes is read only up to its cap.
#[test]
fn huge_error_body_is_cut() {
    let message = "x".repeat(4 * 1024 * 1024);
    let body = serde_json::to_vec(&json!({ "message": message })).expect("json");
    runtime().block_on(async {
        let server = RawServer::start(vec![Conn::Reply(reply(400, &body))]).await;
        let error = crate::common::client(&server.base)
            .task_by_id("t")
            .status()
            .await
            .expect_err("bad request");
        assert_eq!(error.status(), Some(400));
        assert!(error.to_string().len() <= ERROR_TEXT_BOUND);
    });
}
