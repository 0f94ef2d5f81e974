//! The OTLP exporter's HTTP client: the workspace's reqwest 0.12, blocking. The exporter
//! sends from the batch processor's own thread, outside any async runtime (where
//! opentelemetry's async clients panic), and a blocking client runs its requests on a
//! thread of its own.

use std::sync::OnceLock;
use std::time::Duration;

use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};

/// How long one export may take.
pub(super) const TIMEOUT: Duration = Duration::from_secs(10);

/// A blocking reqwest client, made on first use on the exporter's thread (a blocking client
/// cannot be made or dropped inside an async runtime).
#[derive(Debug, Default)]
pub(super) struct BlockingClient(OnceLock<reqwest::blocking::Client>);

#[async_trait::async_trait]
impl HttpClient for BlockingClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let client = match self.0.get() {
            Some(client) => client,
            None => {
                let built = reqwest::blocking::Client::builder()
                    .timeout(TIMEOUT)
                    .build()?;
                self.0.get_or_init(|| built)
            }
        };
        let (parts, body) = request.into_parts();
        let request = Request::from_parts(parts, body.to_vec());
        let response = client.execute(request.try_into()?)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes()?;
        let mut answer = Response::builder().status(status).body(body)?;
        *answer.headers_mut() = headers;
        Ok(answer)
    }
}
