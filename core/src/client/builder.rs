//! Building a [`Client`]: key, base URL, timeouts, user agent, HTTP client and retries.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;

use super::Client;
use crate::clock::{Clock, TokioClock};
use crate::error::{Error, Result};
use crate::hub::DownloadSettings;
use crate::wire::{ApiKey, RetryPolicy, Transport, TransportConfig};

/// The hub's base URL when none is configured.
pub const DEFAULT_BASE_URL: &str = "https://api.mountsea.ai";
/// The environment variable holding the API key.
pub const API_KEY_ENV: &str = "MOUNTSEA_API_KEY";
/// The environment variable that overrides the base URL.
pub const BASE_URL_ENV: &str = "MOUNTSEA_BASE_URL";

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_DOWNLOAD_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 64;
const DEFAULT_DOWNLOAD_RETRIES: u32 = 5;
/// The largest file a download saves when no other limit is set: 8 GiB.
pub const DEFAULT_MAX_DOWNLOAD_SIZE: u64 = 8 << 30;

/// Configures a [`Client`]; made by [`Client::builder`].
///
/// ```
/// use std::time::Duration;
/// use videohub_core::{Client, RetryPolicy};
///
/// let client = Client::builder()
///     .api_key("sk-example")
///     .base_url("https://api.mountsea.ai")
///     .timeout(Duration::from_secs(30))
///     .retry(RetryPolicy::default().max_retries(5))
///     .build()?;
/// assert!(!format!("{client:?}").contains("sk-example"));
/// # Ok::<(), videohub_core::Error>(())
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    api_key: Option<String>,
    base_url: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    download_idle_timeout: Duration,
    download_retries: u32,
    max_download_size: u64,
    user_agent: Option<String>,
    http_client: Option<reqwest::Client>,
    allow_insecure_http: bool,
    retry: RetryPolicy,
    max_concurrent_requests: usize,
    /// The clock of retries and polls; tokio's when `None`.
    clock: Option<Arc<dyn Clock>>,
    /// Settings of the object stores, over the environment's.
    #[cfg(feature = "object-store")]
    storage_options: Vec<(String, String)>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("ClientBuilder");
        f.field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("download_idle_timeout", &self.download_idle_timeout)
            .field("download_retries", &self.download_retries)
            .field("max_download_size", &self.max_download_size)
            .field("user_agent", &self.user_agent)
            .field("custom_http_client", &self.http_client.is_some())
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("retry", &self.retry)
            .field("max_concurrent_requests", &self.max_concurrent_requests)
            .field("custom_clock", &self.clock.is_some());
        // The options' names only: their values may be credentials.
        #[cfg(feature = "object-store")]
        let keys: Vec<&str> = self
            .storage_options
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        #[cfg(feature = "object-store")]
        f.field("storage_options", &keys);
        f.finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            api_key: None,
            base_url: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            download_idle_timeout: DEFAULT_DOWNLOAD_IDLE_TIMEOUT,
            download_retries: DEFAULT_DOWNLOAD_RETRIES,
            max_download_size: DEFAULT_MAX_DOWNLOAD_SIZE,
            user_agent: None,
            http_client: None,
            allow_insecure_http: false,
            retry: RetryPolicy::default(),
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
            clock: None,
            #[cfg(feature = "object-store")]
            storage_options: Vec::new(),
        }
    }
}

impl ClientBuilder {
    /// Sets the API key, sent as `Authorization: Bearer <key>` to the hub only.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Sets the hub's base URL (default [`DEFAULT_BASE_URL`]). A path prefix is kept.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Sets the timeout of one API request, from sending to the whole answer (default 60 s).
    /// Downloads are not bound by it; see [`ClientBuilder::download_idle_timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the timeout of opening a connection (default 10 s). Ignored with a custom
    /// [`ClientBuilder::http_client`], which keeps its own.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets how long a download may receive nothing, neither the answer's headers nor body
    /// bytes, before the attempt is abandoned (default 60 s). The download is then tried
    /// again (see [`ClientBuilder::download_retries`]).
    pub fn download_idle_timeout(mut self, timeout: Duration) -> Self {
        self.download_idle_timeout = timeout;
        self
    }

    /// Sets how many times a download interrupted by network trouble (a reset, a broken
    /// body, the idle timeout, or a 408, 429 or 5xx from the file host) is tried again
    /// before [`OutputFile::save`](crate::OutputFile::save) gives up (default 5; 0 tries once). The
    /// waits between tries follow the backoff of the [`RetryPolicy`] (its retry count is
    /// not used for downloads). Each try resumes where the last one stopped when the host
    /// serves byte ranges.
    pub fn download_retries(mut self, retries: u32) -> Self {
        self.download_retries = retries;
        self
    }

    /// Sets the largest file a download saves, in bytes (default
    /// [`DEFAULT_MAX_DOWNLOAD_SIZE`], 8 GiB). A file announced larger (by the hub's
    /// `file_size` or the host's `Content-Length`) is not requested further, and one that
    /// grows past it is abandoned: [`Error::DownloadTooLarge`], nothing saved.
    pub fn max_download_size(mut self, bytes: u64) -> Self {
        self.max_download_size = bytes;
        self
    }

    /// Sets the `User-Agent` (default `videohub/<version>`). Ignored with a custom
    /// [`ClientBuilder::http_client`], which keeps its own.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Uses this `reqwest::Client` (proxies, certificates, pools of your own). The API key is
    /// added to each hub request, never to the client's default headers. Its redirect
    /// policy is its own: build it with [`redirect_policy`](crate::redirect_policy) to keep
    /// the URL rules on every hop.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Allows plain `http://` to hosts other than loopback (default: only `localhost`,
    /// `127.0.0.0/8` and `::1`). The key then crosses the network unencrypted.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Sets the retry policy of requests (see [`RetryPolicy`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sets how many API requests (submits, polls, catalog reads) the client and its clones
    /// have in flight at once; further ones wait their turn (64 by default, at least 1).
    /// This bounds the connections, and the memory, of a process that tracks thousands of
    /// tasks: each connection costs about 30 KiB. Downloads are not counted.
    pub fn max_concurrent_requests(mut self, requests: usize) -> Self {
        self.max_concurrent_requests = requests.clamp(1, tokio::sync::Semaphore::MAX_PERMITS);
        self
    }

    /// Sets the clock every wait of the client runs on: retry backoffs, poll intervals,
    /// download retries, deadlines (default [`TokioClock`]). See [`Clock`] for a clock whose
    /// waits take no time, for tests.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Sets one setting of the object stores outputs are saved to, over the environment's:
    /// a key of the `object_store` crate's configuration (`aws_endpoint`,
    /// `aws_access_key_id`, `google_service_account`, `azure_storage_account_name`,
    /// `azure_storage_use_emulator`, …, case ignored), applied to every store that knows
    /// it. By default each store reads its cloud's standard settings (see
    /// [`OutputFile::save`](crate::OutputFile::save)). [`build`](ClientBuilder::build) fails
    /// on a key no store knows. Values are never shown (`Debug` names the keys).
    #[cfg(feature = "object-store")]
    pub fn storage_option(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.storage_options.push((key.into(), value.into()));
        self
    }

    /// Builds the client. Fails without a key, or with a base URL that is not `https://`
    /// (or `http://` to loopback, unless insecure HTTP is allowed).
    pub fn build(self) -> Result<Client> {
        let api_key = ApiKey::new(self.api_key.as_deref().ok_or(Error::MissingApiKey)?)?;
        let raw = self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL).trim();
        let base_url = Url::parse(raw).map_err(|e| Error::Config {
            message: format!("base URL `{raw}`: {e}"),
        })?;
        if base_url.cannot_be_a_base() || base_url.host().is_none() {
            return Err(Error::Config {
                message: format!("base URL `{raw}` has no host"),
            });
        }
        crate::url_rules::check(&base_url, self.allow_insecure_http).map_err(|reason| {
            Error::Config {
                message: format!("base URL `{raw}`: {reason}"),
            }
        })?;
        #[cfg(feature = "object-store")]
        if let Some((key, _)) = self
            .storage_options
            .iter()
            .find(|(key, _)| !crate::objects::known_option(key))
        {
            return Err(Error::Config {
                message: format!("`{key}` is not a setting of any object store"),
            });
        }
        let http = match self.http_client {
            Some(client) => client,
            None => {
                let user_agent = self
                    .user_agent
                    .unwrap_or_else(|| format!("videohub/{}", env!("CARGO_PKG_VERSION")));
                reqwest::Client::builder()
                    .user_agent(user_agent)
                    .redirect(crate::url_rules::redirect_policy(self.allow_insecure_http))
                    .connect_timeout(self.connect_timeout)
                    .build()
                    .map_err(|e| Error::Config {
                        message: format!("cannot build the HTTP client: {e}"),
                    })?
            }
        };
        let transport = Transport::new(TransportConfig {
            http,
            base_url,
            api_key,
            timeout: self.timeout,
            allow_insecure_http: self.allow_insecure_http,
            retry: self.retry,
            max_in_flight: self.max_concurrent_requests,
            clock: self.clock.unwrap_or_else(|| Arc::new(TokioClock)),
        });
        let downloads = DownloadSettings {
            idle_timeout: self.download_idle_timeout,
            retries: self.download_retries,
            max_size: self.max_download_size,
        };
        #[cfg(feature = "object-store")]
        let client = Client::from_parts(
            transport,
            downloads,
            crate::objects::Buckets::new(self.storage_options),
        );
        #[cfg(not(feature = "object-store"))]
        let client = Client::from_parts(transport, downloads);
        Ok(client)
    }

    /// A builder filled from `MOUNTSEA_API_KEY` and `MOUNTSEA_BASE_URL` (when set).
    pub fn from_env() -> Self {
        let mut builder = ClientBuilder::default();
        if let Some(key) = std::env::var(API_KEY_ENV)
            .ok()
            .filter(|k| !k.trim().is_empty())
        {
            builder = builder.api_key(key);
        }
        if let Some(url) = std::env::var(BASE_URL_ENV)
            .ok()
            .filter(|u| !u.trim().is_empty())
        {
            builder = builder.base_url(url);
        }
        builder
    }
}
