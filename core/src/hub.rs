//! The handle that tasks, polls, outputs and downloads share: the transport, the settings
//! of downloads, the object stores opened and the task durations learned. A [`Client`](crate::Client) is a facade
//! over one; its clones, and every task and file they hand out, hold the same.

use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::learned::DurationHistory;
use crate::redact::Redactor;
use crate::wire::Transport;

/// How downloads behave: they do not go through the API's retry count.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DownloadSettings {
    /// How long a download may receive nothing.
    pub(crate) idle_timeout: Duration,
    /// How many times an interrupted download is tried again.
    pub(crate) retries: u32,
    /// The largest file saved, in bytes.
    pub(crate) max_size: u64,
}

/// The shared handle: cheap to clone, one connection pool behind every clone.
#[derive(Clone)]
pub(crate) struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    /// The object stores of the buckets saved to, each opened once.
    #[cfg(feature = "object-store")]
    buckets: crate::objects::Buckets,
    downloads: DownloadSettings,
    /// Recent task durations per model, for learned poll schedules.
    durations: DurationHistory,
}

impl Hub {
    /// A handle sending its API requests through `transport`.
    pub(crate) fn new(
        transport: Transport,
        downloads: DownloadSettings,
        #[cfg(feature = "object-store")] buckets: crate::objects::Buckets,
    ) -> Hub {
        Hub {
            inner: Arc::new(Inner {
                transport,
                #[cfg(feature = "object-store")]
                buckets,
                downloads,
                durations: DurationHistory::default(),
            }),
        }
    }

    /// Where the API requests go through.
    pub(crate) fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    /// What removes the key from the hub's text before it is shown or stored.
    pub(crate) fn redactor(&self) -> &Redactor {
        self.inner.transport.redactor()
    }

    /// The object stores of the buckets saved to.
    #[cfg(feature = "object-store")]
    pub(crate) fn buckets(&self) -> &crate::objects::Buckets {
        &self.inner.buckets
    }

    /// The settings of downloads.
    pub(crate) fn downloads(&self) -> DownloadSettings {
        self.inner.downloads
    }

    /// The task durations learned by this handle's clients.
    pub(crate) fn durations(&self) -> &DurationHistory {
        &self.inner.durations
    }

    /// The clock every wait of this handle runs on.
    pub(crate) fn clock(&self) -> &dyn Clock {
        self.inner.transport.clock()
    }
}
