//! The opening every request of the hub's API goes through before its handler: count it,
//! authorise it, draw its fault; and the faults applied around the handler.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::state::{CounterCells, Shared};
use super::{AppState, error, unauthorized};
use crate::conn::ConnControl;
use crate::faults::{FaultKind, FaultPoint};

/// The kind of API request a route serves, for [`gate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Gate {
    /// A submit: counted, authorised, faults drawn at [`FaultPoint::Submit`].
    Submit,
    /// A poll: counted, authorised, faults drawn at [`FaultPoint::Poll`].
    Poll,
    /// A catalog read: authorised only.
    Catalog,
}

impl Gate {
    fn count(self, shared: &Shared) {
        match self {
            Gate::Submit => CounterCells::bump(&shared.counters.submits_received),
            Gate::Poll => CounterCells::bump(&shared.counters.polls),
            Gate::Catalog => return,
        };
    }

    fn fault_point(self) -> Option<FaultPoint> {
        match self {
            Gate::Submit => Some(FaultPoint::Submit),
            Gate::Poll => Some(FaultPoint::Poll),
            Gate::Catalog => None,
        }
    }
}

/// The middleware in front of the API's handlers: counts the request (authorised or not),
/// refuses it without a valid key, and applies the fault drawn for it before and after
/// the handler.
pub(super) async fn gate(
    State((shared, gate)): State<(AppState, Gate)>,
    request: Request,
    next: Next,
) -> Response {
    gate.count(&shared);
    if !shared.authorized(request.headers()) {
        return unauthorized();
    }
    let Some(point) = gate.fault_point() else {
        return next.run(request).await;
    };
    let conn = request
        .extensions()
        .get::<ConnControl>()
        .cloned()
        .unwrap_or_default();
    let fault = shared.draw(point);
    if let Some(answer) = fault_before(fault, &shared, &conn).await {
        return answer;
    }
    let answer = next.run(request).await;
    fault_after(fault, answer, &conn).await
}

/// Applies a fault that happens before the request is processed; `None` to go on.
async fn fault_before(
    fault: Option<FaultKind>,
    shared: &Shared,
    conn: &ConnControl,
) -> Option<Response> {
    match fault? {
        FaultKind::Status500 => Some(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "the sandbox failed on purpose (fault 500)",
        )),
        FaultKind::Status502 => Some(
            (
                StatusCode::BAD_GATEWAY,
                [(header::CONTENT_TYPE, "text/html")],
                "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>",
            )
                .into_response(),
        ),
        FaultKind::Status503 => Some(
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"detail": "the service is temporarily overloaded (fault 503)"})),
            )
                .into_response(),
        ),
        FaultKind::RateLimited => {
            let mut response = error(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many requests (fault 429)");
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(shared.faults.retry_after));
            Some(response)
        }
        FaultKind::RateLimitedBare => Some(error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests (fault 429-bare)",
        )),
        FaultKind::ResetBefore => Some(conn.reset().await),
        FaultKind::Slow => {
            tokio::time::sleep(shared.faults.slow).await;
            None
        }
        _ => None,
    }
}

/// Applies a fault that happens after the request is processed to its `answer`.
async fn fault_after(fault: Option<FaultKind>, answer: Response, conn: &ConnControl) -> Response {
    match fault {
        Some(FaultKind::ResetAfter) => conn.reset().await,
        Some(kind @ (FaultKind::Malformed | FaultKind::Truncated)) => {
            let body = match axum::body::to_bytes(answer.into_body(), usize::MAX).await {
                Ok(body) => body,
                Err(_) => Bytes::new(),
            };
            let text = String::from_utf8_lossy(&body);
            let garbled = if kind == FaultKind::Malformed {
                text.replace('"', "'")
            } else {
                text.chars().take(text.chars().count() / 2).collect()
            };
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                garbled,
            )
                .into_response()
        }
        _ => answer,
    }
}
