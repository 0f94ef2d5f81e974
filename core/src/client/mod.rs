//! The hub client: the facade over everything below it, and its whole public API in one
//! place: build a client, submit requests, resume tasks, read the catalog, keep what it
//! learned of task durations. `builder` holds its configuration.

mod builder;
#[cfg(feature = "object-store")]
mod objects;
#[cfg(test)]
mod tests;

use std::fmt;
use std::time::Duration;

use reqwest::Url;
use serde::Serialize;
use serde_json::{Map, Value};

pub use builder::{
    API_KEY_ENV, BASE_URL_ENV, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_DOWNLOAD_SIZE,
};
#[cfg(feature = "object-store")]
pub use objects::{ObjectInfo, ObjectRead};

use crate::Capability;
use crate::catalog::{self, ModelInfo};
use crate::error::{Error, Result};
use crate::hub::{DownloadSettings, Hub};
use crate::learned::TaskDurations;
use crate::model::Model;
use crate::output::Output;
use crate::poll::PollPolicy;
#[cfg(feature = "live-schema")]
use crate::schema::LiveSchema;
use crate::schema::{InputSchema, ModelSchema};
use crate::task::{Dynamic, SubmitReceipt, Task, TaskState};
use crate::wire::{Transport, decode_json, excerpt, submit_body};

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
    hub: Hub,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let transport = self.hub.transport();
        let downloads = self.hub.downloads();
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
    fn from_parts(
        transport: Transport,
        downloads: DownloadSettings,
        #[cfg(feature = "object-store")] buckets: crate::objects::Buckets,
    ) -> Client {
        #[cfg(feature = "object-store")]
        let hub = Hub::new(transport, downloads, buckets);
        #[cfg(not(feature = "object-store"))]
        let hub = Hub::new(transport, downloads);
        Client { hub }
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
        self.hub.transport().base_url()
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
            self.hub.clone(),
            Some(M::ID.to_owned()),
            Some(M::CAPABILITY),
            receipt,
        ))
    }

    /// Sends `input` to model `model_id` at `endpoint` (e.g.
    /// [`Capability::Video.endpoint()`](Capability::endpoint)) as it is, unchecked: for an
    /// input checked before (a request a journal recorded, sent again by a later process).
    /// A model not known at compile time is otherwise sent with
    /// [`Client::submit_checked`], which checks first.
    pub async fn submit_unchecked(
        &self,
        endpoint: &str,
        model_id: &str,
        input: Map<String, Value>,
    ) -> Result<Task<Dynamic>> {
        let receipt = self.submit_raw(endpoint, model_id, &input).await?;
        Ok(Task::submitted(
            self.hub.clone(),
            Some(model_id.to_owned()),
            Capability::from_endpoint(endpoint),
            receipt,
        ))
    }

    #[doc(hidden)]
    #[deprecated(note = "use `submit_checked`, or `submit_unchecked(capability.endpoint(), …)`")]
    pub async fn submit_input(
        &self,
        capability: Capability,
        model_id: &str,
        input: Map<String, Value>,
    ) -> Result<Task<Dynamic>> {
        self.submit_unchecked(capability.endpoint(), model_id, input)
            .await
    }

    #[doc(hidden)]
    #[deprecated(note = "renamed `submit_unchecked`")]
    pub async fn submit_input_to(
        &self,
        endpoint: &str,
        model_id: &str,
        input: Map<String, Value>,
    ) -> Result<Task<Dynamic>> {
        self.submit_unchecked(endpoint, model_id, input).await
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
            self.hub.clone(),
            id.into(),
            Some(M::ID.to_owned()),
            Some(M::CAPABILITY),
        )
    }

    /// A handle on an existing task of any model (see [`Task::with_capability`] when what
    /// it generates is known).
    pub fn task_by_id(&self, id: impl Into<String>) -> Task<Dynamic> {
        Task::resumed(self.hub.clone(), id.into(), None, None)
    }

    async fn submit_raw<I: Serialize + ?Sized>(
        &self,
        endpoint: &str,
        model_id: &str,
        input: &I,
    ) -> Result<SubmitReceipt> {
        let url = self.hub.transport().endpoint(endpoint, &[]);
        let body = submit_body(model_id, input)?;
        // Boxed, like polls: a spawned task holding a submit stays small after it.
        let accepted = Box::pin(self.hub.transport().post_submit(url, model_id, &body)).await?;
        let redactor = self.hub.redactor();
        let unknown = |reason: String| Error::SubmitOutcomeUnknown {
            model: model_id.to_owned(),
            reason,
            status: None,
        };
        // Read as the hub wrote it: only what is kept to be shown has the key removed.
        let value = decode_json(&accepted, redactor)
            .map_err(|e| unknown(format!("the answer was not JSON: {e}")))?;
        let mut receipt = SubmitReceipt::from_json(value).ok_or_else(|| {
            unknown(format!(
                "the answer named no task id: {}",
                excerpt(&accepted, redactor)
            ))
        })?;
        redactor.value(&mut receipt.raw);
        tracing::info!(
            name: "videohub.submitted",
            task_id = %receipt.task_id,
            model = model_id,
            "task submitted"
        );
        Ok(receipt)
    }

    /// Lists the hub's models of one capability (`GET /hub/v1/models?capability=video`).
    /// Entries without an id are skipped.
    pub async fn models(&self, capability: Capability) -> Result<Vec<ModelInfo>> {
        catalog::models(&self.hub, capability).await
    }

    /// One model with its `input_schema` and `example` (`GET /hub/v1/models/{model}`).
    pub async fn model(&self, id: &str) -> Result<ModelInfo> {
        catalog::model(&self.hub, id).await
    }

    /// The live hub's schema of a model (`GET /hub/v1/models/{model}`), for models not
    /// compiled in; [`Error::Decode`] when the hub describes no `input_schema`.
    pub async fn model_schema(&self, id: &str) -> Result<ModelSchema> {
        let info = self.model(id).await?;
        info.schema().ok_or_else(|| Error::Decode {
            message: format!("the hub describes no input schema for model `{id}`"),
            excerpt: excerpt(info.raw.to_string().as_bytes(), self.hub.redactor()),
        })
    }

    /// The live hub's schema of a model with its JSON Schema compiled (feature
    /// `live-schema`, on by default)
    /// (`GET /hub/v1/models/{model}`): the view of [`Client::model_schema`], and inputs
    /// checked by a JSON Schema validator ([`LiveSchema::validate`]). [`Error::Decode`]
    /// when the hub describes no `input_schema` or one that cannot be compiled.
    #[cfg(feature = "live-schema")]
    pub async fn live_schema(&self, id: &str) -> Result<LiveSchema> {
        let info = self.model(id).await?;
        info.live_schema()
    }

    /// Checks `input` against `schema`, then submits it to the schema's model: the dynamic
    /// counterpart of [`Client::submit`], for a model known only at run time. `schema` is
    /// a compiled [`ModelSchema`] (e.g. from [`videohub::models::find`]) or the live hub's
    /// [`LiveSchema`] (checked by a JSON Schema validator). Nothing is sent when the input is
    /// invalid ([`Error::InvalidRequest`]).
    ///
    /// ```no_run
    /// # async fn run(client: videohub_core::Client) -> videohub_core::Result<()> {
    /// let schema = client.live_schema("hailuo-02").await?;
    /// let input = serde_json::json!({"prompt": "a red fox in snow", "duration": 6});
    /// let task = client.submit_checked(&schema, input.as_object().cloned().unwrap_or_default()).await?;
    /// task.wait().await?.save("fox.mp4").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// [`videohub::models::find`]: https://docs.rs/videohub/latest/videohub/models/fn.find.html
    pub async fn submit_checked<S: InputSchema + ?Sized>(
        &self,
        schema: &S,
        input: Map<String, Value>,
    ) -> Result<Task<Dynamic>> {
        schema.check(&input)?;
        self.submit_unchecked(schema.capability().endpoint(), schema.model_id(), input)
            .await
    }

    #[doc(hidden)]
    #[deprecated(note = "`submit_checked` takes a `LiveSchema` too")]
    #[cfg(feature = "live-schema")]
    pub async fn submit_live(
        &self,
        schema: &LiveSchema,
        input: Map<String, Value>,
    ) -> Result<Task<Dynamic>> {
        self.submit_checked(schema, input).await
    }

    /// A snapshot of the task durations this client learned, per model (the last 32 of
    /// each), to save and load into a later client with
    /// [`Client::remember_task_durations`].
    pub fn task_durations(&self) -> TaskDurations {
        self.hub.durations().snapshot()
    }

    /// Adds saved durations to what this client learned, as if it had seen those tasks
    /// complete, in order: the next wait for a task of such a model uses a learned schedule
    /// once 3 durations of it are known. Durations that are not positive and finite are
    /// skipped.
    pub fn remember_task_durations(&self, durations: &TaskDurations) {
        for (model, durations) in durations.iter() {
            for duration in durations {
                self.hub.durations().record(model, duration);
            }
        }
    }

    /// The median duration of `model`'s tasks as this client learned it from the tasks it
    /// saw complete (at least 3; the last 32 count), or `None`.
    pub fn typical_duration(&self, model: &str) -> Option<Duration> {
        let schedule = self.hub.durations().schedule(model)?;
        Duration::try_from_secs_f64(schedule.median()).ok()
    }
}

impl TaskState {
    /// The outcome of a finished task: its output (whose files `client` downloads), or the
    /// error the hub reported.
    ///
    /// `failed`, `timeout` and `cancelled` become [`Error::TaskFailed`],
    /// [`Error::TaskTimedOut`] and [`Error::TaskCancelled`]. A finished task with another
    /// status is an output when it has data, a failure when it has an error code or message.
    pub fn into_output(self, client: &Client, task_id: &str) -> Result<Output> {
        self.into_output_on(&client.hub, task_id)
    }
}
