//! Who may reach a front-end served over HTTP on this machine (the studio, the MCP server):
//! the rules are written once here, as one axum middleware, [`guard`].
//!
//! A request is answered only when
//! - its `Host` names this machine's loopback (`localhost`, `127.0.0.1`, `[::1]`, any port),
//!   unless the server was opened to other hosts: a web page elsewhere cannot point a DNS
//!   name at 127.0.0.1 and reach the server (403);
//! - it has no `Origin`, or a loopback one (`http(s)://localhost|127.0.0.1|[::1]`, any port):
//!   a page of another site open in the user's browser cannot call it (403);
//! - it carries `Authorization: Bearer <token>` when the server has a [`Token`] (401
//!   otherwise); the header is then removed, so nothing after the guard can log it;
//! - its body is at most the server's bound (413).
//!
//! ```
//! use videohub_app::access::{Access, Token, guard};
//!
//! let access = Access::loopback()
//!     .token(Token::new("0123456789abcdef0123").unwrap())
//!     .max_body(4 << 20);
//! let router: axum::Router = axum::Router::new()
//!     .route("/", axum::routing::get(|| async { "hello" }))
//!     .layer(axum::middleware::from_fn_with_state(access.shared(), guard));
//! ```

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The host names of this machine's loopback, as a `Host` or an `Origin` names them.
const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// The fewest characters a token may have.
const MIN_TOKEN: usize = 16;

/// The secret a client shows in `Authorization: Bearer …`. Its `Debug` shows no character
/// of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// A token chosen by the user: at least 16 visible ASCII characters.
    pub fn new(text: impl Into<String>) -> Result<Token, TokenError> {
        let text = text.into();
        if text.len() < MIN_TOKEN || !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(TokenError);
        }
        Ok(Token(text))
    }

    /// A new random token: 24 bytes from the system's generator, in hex.
    pub fn generate() -> std::io::Result<Token> {
        let mut bytes = [0u8; 24];
        getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
        Ok(Token(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// The secret itself, to show to the user once.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// Whether `presented` is this token, in a time that does not depend on where they
    /// differ.
    fn matches(&self, presented: &[u8]) -> bool {
        let expected = self.0.as_bytes();
        expected.len() == presented.len()
            && expected
                .iter()
                .zip(presented)
                .fold(0u8, |differ, (a, b)| differ | (a ^ b))
                == 0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(…)")
    }
}

/// A token too short, or with characters a header cannot carry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a token needs at least {MIN_TOKEN} characters, letters, digits or punctuation without spaces"
)]
pub struct TokenError;

/// Which `Host` names are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hosts {
    /// This machine's loopback names only.
    Loopback,
    /// Any: the server listens beyond this machine, and its token protects it.
    Any,
}

/// The rules of one server.
#[derive(Debug, Clone)]
pub struct Access {
    hosts: Hosts,
    token: Option<Token>,
    max_body: usize,
}

impl Access {
    /// Requests to this machine's loopback names, from no browser page but this machine's,
    /// without token, with bodies of up to 1 MiB.
    pub fn loopback() -> Access {
        Access {
            hosts: Hosts::Loopback,
            token: None,
            max_body: 1 << 20,
        }
    }

    /// Answers requests whatever host they name (for a server listening beyond this
    /// machine, which a [`Token`] then protects).
    pub fn any_host(mut self) -> Access {
        self.hosts = Hosts::Any;
        self
    }

    /// Requires `Authorization: Bearer <token>` on every request.
    pub fn token(mut self, token: Token) -> Access {
        self.token = Some(token);
        self
    }

    /// The largest request body answered, in bytes.
    pub fn max_body(mut self, bytes: usize) -> Access {
        self.max_body = bytes;
        self
    }

    /// The rules, to share with [`guard`] (`from_fn_with_state`).
    pub fn shared(self) -> Arc<Access> {
        Arc::new(self)
    }

    /// Why `request` is refused, if it is.
    fn refusal(&self, request: &Request) -> Option<Refusal> {
        let headers = request.headers();
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        if self.hosts == Hosts::Loopback && !is_loopback_authority(host) {
            return Some(Refusal::forbidden(format!(
                "this server answers only requests to localhost, 127.0.0.1 or [::1], not `{host}`"
            )));
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("");
            if !is_loopback_origin(origin) {
                return Some(Refusal::forbidden(format!(
                    "this server answers no web page of another site (Origin `{origin}`)"
                )));
            }
        }
        if let Some(token) = &self.token {
            let presented = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| bearer(v.as_bytes()));
            if !presented.is_some_and(|p| token.matches(p)) {
                return Some(Refusal {
                    status: StatusCode::UNAUTHORIZED,
                    message: "this server needs its token: send `Authorization: Bearer <token>` \
                              (the token is printed when the server starts, or is the one it \
                              was given)"
                        .into(),
                });
            }
        }
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|length| length > self.max_body as u64) {
            return Some(self.too_large());
        }
        None
    }

    fn too_large(&self) -> Refusal {
        Refusal {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: format!(
                "the request's body is larger than this server takes ({} bytes)",
                self.max_body
            ),
        }
    }
}

/// A refused request: its status and why, answered as `{"error": message}`.
struct Refusal {
    status: StatusCode,
    message: String,
}

impl Refusal {
    fn forbidden(message: String) -> Refusal {
        Refusal {
            status: StatusCode::FORBIDDEN,
            message,
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.message }).to_string();
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"videohub\""),
            );
        }
        response
    }
}

/// The axum middleware applying `access` to every request (see the module's rules).
pub async fn guard(State(access): State<Arc<Access>>, request: Request, next: Next) -> Response {
    if let Some(refusal) = access.refusal(&request) {
        tracing::warn!(
            status = refusal.status.as_u16(),
            uri = %request.uri(),
            "refused a request: {}",
            refusal.message
        );
        return refusal.into_response();
    }
    let (mut parts, body) = request.into_parts();
    parts.headers.remove(header::AUTHORIZATION);
    let Ok(body) = axum::body::to_bytes(body, access.max_body).await else {
        return access.too_large().into_response();
    };
    next.run(Request::from_parts(parts, Body::from(body))).await
}

/// The token of an `Authorization: Bearer <token>` value.
fn bearer(value: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = value.split_at_checked(7)?;
    scheme
        .eq_ignore_ascii_case(b"bearer ")
        .then(|| rest.trim_ascii())
}

/// Whether a `Host` value (`name` or `name:port`) names this machine's loopback.
pub fn is_loopback_authority(authority: &str) -> bool {
    let name = match authority.rsplit_once(':') {
        Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => authority,
    };
    LOOPBACK_NAMES
        .iter()
        .any(|loopback| name.eq_ignore_ascii_case(loopback))
}

/// Whether an `Origin` value is a page of this machine's loopback
/// (`http(s)://localhost|127.0.0.1|[::1]`, any port).
pub fn is_loopback_origin(origin: &str) -> bool {
    let lower = origin.to_ascii_lowercase();
    let authority = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"));
    authority.is_some_and(|a| !a.contains('/') && is_loopback_authority(a))
}

/// An address a server may listen on: a loopback one, or any with `remote` allowed.
pub fn check_address(addr: SocketAddr, remote: bool) -> Result<(), RemoteAddress> {
    if addr.ip().is_loopback() || remote {
        Ok(())
    } else {
        Err(RemoteAddress(addr))
    }
}

/// A server asked to listen beyond this machine without being allowed to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0} is not a loopback address: anyone who can reach it could use the server and spend the hub's credit"
)]
pub struct RemoteAddress(pub SocketAddr);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_and_origins() {
        for host in [
            "localhost",
            "localhost:8791",
            "127.0.0.1:1",
            "[::1]:80",
            "LOCALHOST",
        ] {
            assert!(is_loopback_authority(host), "{host}");
        }
        for host in [
            "",
            "videos.example",
            "127.0.0.2",
            "localhost.example:80",
            "[::2]",
        ] {
            assert!(!is_loopback_authority(host), "{host}");
        }
        for origin in [
            "http://localhost",
            "https://127.0.0.1:6274",
            "http://[::1]:3000",
        ] {
            assert!(is_loopback_origin(origin), "{origin}");
        }
        for origin in [
            "http://evil.example",
            "null",
            "file://",
            "http://localhost.evil.example",
            "ftp://localhost",
            "http://localhost/x",
            "",
        ] {
            assert!(!is_loopback_origin(origin), "{origin}");
        }
    }

    #[test]
    fn tokens() {
        let token = Token::generate().unwrap();
        assert_eq!(token.reveal().len(), 48);
        assert_ne!(token, Token::generate().unwrap());
        assert_eq!(format!("{token:?}"), "Token(…)");
        assert!(token.matches(token.reveal().as_bytes()));
        assert!(!token.matches(&token.reveal().as_bytes()[1..]));
        assert!(Token::new("short").is_err());
        assert!(Token::new("with a space in it, long").is_err());
        assert_eq!(bearer(b"Bearer  abc "), Some(&b"abc"[..]));
        assert_eq!(bearer(b"bearer abc"), Some(&b"abc"[..]));
        assert_eq!(bearer(b"Basic abc"), None);
    }

    /// The status of `request` through a guarded router whose one route answers whether it
    /// saw an `Authorization` header.
    async fn status(access: Access, request: axum::http::request::Builder, body: &str) -> u16 {
        use tower::ServiceExt;
        let router = axum::Router::new()
            .route(
                "/",
                axum::routing::post(|headers: axum::http::HeaderMap| async move {
                    assert!(headers.get(header::AUTHORIZATION).is_none());
                    "ok"
                }),
            )
            .layer(axum::middleware::from_fn_with_state(access.shared(), guard));
        let request = request
            .method("POST")
            .uri("/")
            .body(Body::from(body.to_owned()))
            .unwrap();
        router.oneshot(request).await.unwrap().status().as_u16()
    }

    #[tokio::test]
    async fn the_guard_answers_with_the_status_of_each_rule() {
        let token = Token::new("0123456789abcdef0123").unwrap();
        let locked = || Access::loopback().token(token.clone()).max_body(8);
        let to = |host: &str| Request::builder().header(header::HOST, host);
        let bearer = "Bearer 0123456789abcdef0123";
        let cases = [
            (
                locked(),
                to("127.0.0.1:1").header(header::AUTHORIZATION, bearer),
                200,
            ),
            (locked(), to("localhost"), 401),
            (
                locked(),
                to("localhost").header(header::AUTHORIZATION, "Bearer nope"),
                401,
            ),
            (
                locked(),
                to("localhost")
                    .header(header::AUTHORIZATION, bearer)
                    .header(header::ORIGIN, "http://evil.example"),
                403,
            ),
            (
                locked(),
                to("localhost")
                    .header(header::AUTHORIZATION, bearer)
                    .header(header::ORIGIN, "http://localhost:6274"),
                200,
            ),
            (
                locked(),
                to("videos.example").header(header::AUTHORIZATION, bearer),
                403,
            ),
            (
                locked().any_host(),
                to("videos.example").header(header::AUTHORIZATION, bearer),
                200,
            ),
            (Access::loopback(), to("[::1]:8790"), 200),
        ];
        for (i, (access, request, expected)) in cases.into_iter().enumerate() {
            assert_eq!(status(access, request, "small").await, expected, "case {i}");
        }
        let large = to("localhost").header(header::AUTHORIZATION, bearer);
        assert_eq!(status(locked(), large, "more than eight").await, 413);
    }

    #[test]
    fn addresses() {
        let local: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:0".parse().unwrap();
        assert!(check_address(local, false).is_ok());
        assert!(check_address("[::1]:9".parse().unwrap(), false).is_ok());
        assert!(check_address(any, false).is_err());
        assert!(check_address(any, true).is_ok());
    }
}
