//! The wire: requests to the hub and what comes back, below everything else of the client.
//!
//! It knows nothing of [`Client`](crate::Client), tasks or outputs:
//! - `body`: the submit's JSON, answers read with a cap, errors made from HTTP answers;
//! - `request`: one request and the verdict on each of its failures;
//! - `retry`: the [`RetryPolicy`] and the one retry loop every request of the SDK goes
//!   through, waiting on the [`Clock`](crate::Clock);
//! - `key`: the API key, only ever a sensitive header;
//! - `transport`: the HTTP client, the hub's address, the limit of requests in flight.

mod body;
mod key;
mod request;
mod retry;
mod transport;

pub use body::submit_body;
pub(crate) use body::{decode_json, excerpt};
pub(crate) use key::ApiKey;
pub use retry::RetryPolicy;
pub(crate) use retry::{GaveUp, Retryable, Verdict, retry, retry_after};
pub(crate) use transport::{Transport, TransportConfig};
