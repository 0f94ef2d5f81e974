//! The state every handler shares: the configuration, the tasks, the counters and the
//! fault draws.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use axum::http::{HeaderMap, header};
use videohub::ModelSchema;

use crate::faults::{FaultKind, FaultPoint, FaultSpec};
use crate::tasks::{TaskDuration, TaskStore};
use videohub::Media;

use crate::builder::{SandboxBuilder, SubmitShape};
use crate::fixtures::{SAMPLE_MP4, SAMPLE_PNG};
use crate::handle::Counters;
use crate::models::compiled_models;

/// The file the sandbox serves for finished tasks of one kind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sample {
    /// The fixture.
    pub(crate) bytes: &'static [u8],
    pub(crate) content_type: &'static str,
    /// The size served: the fixture's, or more for a padded video.
    pub(crate) size: u64,
}

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) models: Vec<ModelSchema>,
    /// JSON Schemas served in place of the ones written from `models`, by model id.
    pub(crate) input_schemas: HashMap<String, serde_json::Value>,
    pub(crate) api_key: Option<String>,
    pub(crate) submit_shape: SubmitShape,
    pub(crate) faults: FaultSpec,
    pub(crate) time_scale: f64,
    pub(crate) durations: TaskDuration,
    pub(crate) model_durations: HashMap<String, TaskDuration>,
    /// The file origin's base URL, e.g. `http://127.0.0.1:40123`.
    pub(crate) files_url: String,
    /// The size of every video served; the fixture's when 0 or smaller.
    pub(crate) video_size: u64,
    pub(crate) tasks: Mutex<TaskStore>,
    pub(crate) counters: CounterCells,
    /// How many draws each fault point has made, in [`FaultPoint`] order.
    draws: [AtomicU64; 4],
}

impl Shared {
    /// The state of a sandbox configured by `builder`, whose files are served at `files_url`.
    pub(crate) fn new(builder: SandboxBuilder, files_url: String) -> Self {
        Shared {
            models: builder.models.unwrap_or_else(compiled_models),
            input_schemas: builder.input_schemas,
            api_key: builder.api_key,
            submit_shape: builder.submit_shape,
            faults: builder.faults,
            time_scale: builder.time_scale,
            durations: builder.durations,
            model_durations: builder.model_durations,
            files_url,
            video_size: builder.video_size.max(SAMPLE_MP4.len() as u64),
            tasks: Mutex::new(TaskStore::new(
                builder.max_tasks,
                scaled(builder.retention, builder.time_scale),
            )),
            counters: CounterCells::default(),
            draws: Default::default(),
        }
    }

    /// The file served for every finished task of this kind; `None` for a kind the sandbox
    /// has no sample of (it serves no capability that yields it).
    pub(crate) fn sample(&self, media: Media) -> Option<Sample> {
        match media {
            Media::Video => Some(Sample {
                bytes: SAMPLE_MP4,
                content_type: "video/mp4",
                size: self.video_size,
            }),
            Media::Image => Some(Sample {
                bytes: SAMPLE_PNG,
                content_type: "image/png",
                size: SAMPLE_PNG.len() as u64,
            }),
            Media::Audio => None,
        }
    }

    pub(crate) fn tasks(&self) -> MutexGuard<'_, TaskStore> {
        // A panic while holding the lock leaves the store consistent: every change is one call.
        self.tasks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn model(&self, id: &str) -> Option<&ModelSchema> {
        self.models.iter().find(|m| m.id == id)
    }

    /// The fault of the next request at `point`, counted when it happens.
    pub(super) fn draw(&self, point: FaultPoint) -> Option<FaultKind> {
        let index = self.draws[point as usize].fetch_add(1, Ordering::Relaxed);
        let fault = self.faults.fault_for(point, index);
        if fault.is_some() {
            CounterCells::bump(&self.counters.faults_injected);
        }
        fault
    }

    pub(super) fn authorized(&self, headers: &HeaderMap) -> bool {
        let key = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|k| !k.is_empty());
        let ok = match (key, &self.api_key) {
            (Some(given), Some(expected)) => given == expected,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if !ok {
            CounterCells::bump(&self.counters.unauthorized);
        }
        ok
    }
}

/// The live counters behind [`Counters`].
#[derive(Debug, Default)]
pub(crate) struct CounterCells {
    pub(super) submits_received: AtomicU64,
    pub(super) tasks_created: AtomicU64,
    pub(super) polls: AtomicU64,
    pub(super) downloads: AtomicU64,
    pub(super) unauthorized: AtomicU64,
    pub(super) authorized_downloads: AtomicU64,
    pub(super) ranged_downloads: AtomicU64,
    pub(super) faults_injected: AtomicU64,
    pub(super) duplicate_tasks: AtomicU64,
}

impl CounterCells {
    pub(super) fn bump(cell: &AtomicU64) -> u64 {
        cell.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn snapshot(&self) -> Counters {
        let read = |cell: &AtomicU64| cell.load(Ordering::Relaxed);
        Counters {
            submits_received: read(&self.submits_received),
            tasks_created: read(&self.tasks_created),
            polls: read(&self.polls),
            downloads: read(&self.downloads),
            unauthorized: read(&self.unauthorized),
            authorized_downloads: read(&self.authorized_downloads),
            ranged_downloads: read(&self.ranged_downloads),
            faults_injected: read(&self.faults_injected),
            duplicate_tasks: read(&self.duplicate_tasks),
        }
    }
}

/// A simulated duration in real time: `simulated` × `time_scale`.
fn scaled(simulated: Duration, time_scale: f64) -> Duration {
    Duration::try_from_secs_f64(simulated.as_secs_f64() * time_scale).unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CAPABILITIES;

    #[test]
    fn every_capability_served_has_a_sample_of_its_files() {
        let shared = Shared::new(SandboxBuilder::default(), String::new());
        for capability in CAPABILITIES {
            let media = capability.output().expect("a capability with files");
            let sample = shared.sample(media).expect("a sample");
            assert_eq!(sample.content_type.split('/').next(), Some(media.as_str()));
            assert!(sample.size >= sample.bytes.len() as u64);
        }
    }
}
