//! The hub client: submit requests, resume tasks, read the catalog.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::Capability;
use crate::config::ClientBuilder;
use crate::error::{Error, Result};
use crate::http::{decode_json, excerpt};
use crate::model::Model;
use crate::output::Output;
use crate::poll::{DurationHistory, PollPolicy};
use crate::task::{Dynamic, SubmitReceipt, Task};
use crate::transport::Transport;

/// A connection to the hub. Cheap to clone: clones share one connection pool.
///
/// ```no_run
/// # async fn run() -> videohub_core::Result<()> {
/// use videohub_core::Client;
///
/// let hub = Client::from_env()?; // MOUNTSEA_API_KEY, MOUNTSEA_BASE_URL
/// let task = hub.task_by_id("hub-123");
/// let output = task.wait().await?;
/// output.save("out.mp4").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    downloads: DownloadSettings,
    /// Recent task durations per model, for learned poll schedules.
    durations: DurationHistory,
}

/// How downloads behave: they do not go through the API's retry loop.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DownloadSettings {
    /// How long a download may receive nothing.
    pub(crate) idle_timeout: Duration,
    /// How many times an interrupted download is tried again.
    pub(crate) retries: u32,
    /// The largest file saved, in bytes.
    pub(crate) max_size: u64,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let transport = &self.inner.transport;
        let downloads = &self.inner.downloads;
        f.debug_struct("Client")
            .field("base_url", &transport.base_url().as_str())
            .field("api_key", transport.api_key())
            .field("timeout", &transport.timeout())
            .field("download_idle_timeout", &downloads.idle_timeout)
            .field("download_retries", &downloads.retries)
            .field("max_download_size", &downloads.max_size)
            .field("allow_insecure_http", &transport.allow_insecure_http())
            .field("retry", &transport.retry_policy())
            .finish()
    }
}

impl Client {
    /// A client sending its API requests through `transport`.
    pub(crate) fn from_parts(transport: Transport, downloads: DownloadSettings) -> Client {
        Client {
            inner: Arc::new(Inner {
                transport,
                downloads,
                durations: DurationHistory::default(),
            }),
        }
    }

    /// Where the API requests go through.
    pub(crate) fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    /// The settings of downloads.
    pub(crate) fn downloads(&self) -> DownloadSettings {
        self.inner.downloads
    }

    /// The task durations this client learned.
    pub(crate) fn durations(&self) -> &DurationHistory {
        &self.inner.durations
    }
}

impl Client {
    /// A builder with the defaults (no key; base URL [`DEFAULT_BASE_URL`](crate::DEFAULT_BASE_URL)).
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `MOUNTSEA_API_KEY` (required) and `MOUNTSEA_BASE_URL`
    /// (optional). Fails with [`Error::MissingApiKey`], which says how to set the key.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env().build()
    }

    /// A client with this key and every default.
    pub fn new(api_key: impl Into<String>) -> Result<Client> {
        Client::builder().api_key(api_key).build()
    }

    /// The hub's base URL.
    pub fn base_url(&self) -> &Url {
        self.inner.transport.base_url()
    }

    /// Validates `request`, then submits it to the endpoint of `M::CAPABILITY`. Nothing is
    /// sent when validation fails ([`Error::InvalidRequest`]).
    ///
    /// A submit is resent only when the hub cannot have accepted it; otherwise an unclear
    /// outcome is [`Error::SubmitOutcomeUnknown`].
    pub async fn submit<M: Model>(&self, request: &M) -> Result<Task<M>> {
        request.validate()?;
        let receipt = self
            .submit_raw(M::CAPABILITY.endpoint(), M::ID, request)
            .await?;
        Ok(Task::submitted(
            self.clone(),
            Some(M::ID.to_owned()),
            Some(M::CAPABILITY),
            receipt,
        ))
    }

    /// Submits an untyped `input` to a model of `capability` by id, for models not compiled
    /// in. The caller validates the input (e.g. with
    /// [`ModelSchema::validate_input`](crate::ModelSchema::validate_input), or calls
    /// [`Client::submit_checked`]).
    pub async fn submit_input(
        &self,
        capability: Capability,
        model_id: &str,
        input: Map<String, Value>,
    ) -> Result<Task<Dynamic>> {
        self.submit_input_to(capability.endpoint(), model_id, input)
            .await
    }

    /// Like [`Client::submit_input`], to a path of the same `{model, input}` shape given as
    /// it is (e.g. one a journal recorded).
    pub async fn submit_input_to(
        &self,
        endpoint: &str,
        model_id: &str,
        input: Map<String, Value>,
    ) -> Result<Task<Dynamic>> {
        let receipt = self.submit_raw(endpoint, model_id, &input).await?;
        Ok(Task::submitted(
            self.clone(),
            Some(model_id.to_owned()),
            Capability::from_endpoint(endpoint),
            receipt,
        ))
    }

    /// Submits `request` and waits for its output with the default [`PollPolicy`].
    pub async fn generate<M: Model>(&self, request: &M) -> Result<Output> {
        self.generate_with(request, PollPolicy::default()).await
    }

    /// Submits `request` and waits for its output with `policy`.
    pub async fn generate_with<M: Model>(&self, request: &M, policy: PollPolicy) -> Result<Output> {
        self.submit(request).await?.wait_with(policy).await
    }

    /// A handle on an existing task of model `M`, e.g. one submitted by another process.
    pub fn task<M: Model>(&self, id: impl Into<String>) -> Task<M> {
        Task::resumed(
            self.clone(),
            id.into(),
            Some(M::ID.to_owned()),
            Some(M::CAPABILITY),
        )
    }

    /// A handle on an existing task of any model (see [`Task::with_capability`] when what
    /// it generates is known).
    pub fn task_by_id(&self, id: impl Into<String>) -> Task<Dynamic> {
        Task::resumed(self.clone(), id.into(), None, None)
    }

    async fn submit_raw<I: Serialize + ?Sized>(
        &self,
        endpoint: &str,
        model_id: &str,
        input: &I,
    ) -> Result<SubmitReceipt> {
        let url = self.endpoint(endpoint, &[]);
        let body = submit_body(model_id, input)?;
        // Boxed, like polls: a spawned task holding a submit stays small after it.
        let accepted = Box::pin(self.post_submit(url, model_id, &body)).await?;
        let unknown = |reason: String| Error::SubmitOutcomeUnknown {
            model: model_id.to_owned(),
            reason,
            status: None,
        };
        let value =
            decode_json(&accepted).map_err(|e| unknown(format!("the answer was not JSON: {e}")))?;
        let receipt = SubmitReceipt::from_json(value).ok_or_else(|| {
            unknown(format!(
                "the answer named no task id: {}",
                excerpt(&accepted)
            ))
        })?;
        tracing::info!(task_id = %receipt.task_id, model = model_id, "task submitted");
        Ok(receipt)
    }
}

/// The body of a submit, `{"model": …, "input": …}`, serialized once straight from the
/// request: no intermediate JSON tree.
pub fn submit_body<I: Serialize + ?Sized>(model: &str, input: &I) -> Result<Vec<u8>> {
    #[derive(Serialize)]
    struct SubmitBody<'a, I: ?Sized> {
        model: &'a str,
        input: &'a I,
    }
    serde_json::to_vec(&SubmitBody { model, input }).map_err(|e| Error::Encode {
        message: e.to_string(),
    })
}
