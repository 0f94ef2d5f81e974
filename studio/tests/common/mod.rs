//! A studio on an in-process sandbox, with a journal and an output directory of its own.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;
use videohub::{Client, Model, PollPolicy};
use videohub_journal::{Journal, Runner};
use videohub_sandbox::{FaultSpec, Sandbox, SandboxHandle, TaskDuration, compiled_models};
use videohub_studio::{Studio, StudioHandle};

/// The sandbox's key: no answer of the studio may contain it.
pub const KEY: &str = "sk-studio-secret-7f3a9c";

pub struct Setup {
    pub sandbox: SandboxHandle,
    pub studio: StudioHandle,
    pub runner: Runner,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
}

/// The id of the live model of the sandbox (Replicate's WAN 2.5 image-to-video schema).
pub const LIVE_MODEL: &str = "wan-2.5-i2v-live";

impl Setup {
    /// Tasks take `task` on the hub; `faults` as the sandbox reads them (none when empty).
    pub async fn start(task: Duration, faults: &str) -> Setup {
        Setup::start_saving_to(task, faults, None).await
    }

    /// [`Setup::start`], the studio saving to `output` (a prefix of objects) with the
    /// stores' `settings` (the variables of [`videohub_tests::stores::S3Server::env`]).
    #[cfg(feature = "object-store")]
    pub async fn saving_to(output: &str, settings: Vec<(&'static str, String)>) -> Setup {
        Setup::start_saving_to(Duration::from_millis(500), "", Some((output, settings))).await
    }

    async fn start_saving_to(
        task: Duration,
        faults: &str,
        output: Option<(&str, Vec<(&'static str, String)>)>,
    ) -> Setup {
        let faults: FaultSpec = if faults.is_empty() {
            FaultSpec::none()
        } else {
            faults.parse().expect("a fault spec")
        };
        // The compiled models, an image model of the hub's the studio does not know, and a
        // live model whose JSON Schema is Replicate's as published (`format: uri`, `nullable`).
        let live_json: serde_json::Value = serde_json::from_str(include_str!(
            "../../../tests/fixtures/schemas/replicate-wan-2.5-i2v.json"
        ))
        .expect("the fixture is JSON");
        let live = videohub::ModelSchema::from_json_schema(LIVE_MODEL, &live_json);
        let models = compiled_models()
            .into_iter()
            .chain([videohub_tests::AcmeStill::SCHEMA.clone(), live]);
        let sandbox = Sandbox::builder()
            .models(models)
            .input_schema(LIVE_MODEL, live_json)
            .api_key(KEY)
            .durations(TaskDuration::Fixed(task))
            .faults(faults)
            .start()
            .await
            .expect("the sandbox starts");
        #[allow(unused_mut)]
        let mut builder = Client::builder().api_key(KEY).base_url(sandbox.url());
        #[cfg(feature = "object-store")]
        for (key, value) in output.iter().flat_map(|(_, settings)| settings) {
            builder = builder.storage_option(key.to_ascii_lowercase(), value);
        }
        let client = builder.build().expect("a client");
        let dir = tempfile::tempdir().expect("a temp dir");
        let journal = Journal::open(dir.path().join("journal.sqlite3"))
            .await
            .expect("the journal opens");
        let poll = PollPolicy::default()
            .initial_delay(Duration::from_millis(100))
            .max_interval(Duration::from_millis(300));
        let runner = Runner::new(journal, client).poll_policy(poll);
        let videos = dir.path().join("videos");
        std::fs::create_dir(&videos).expect("the videos directory");
        let output_dir = output.map_or(videos, |(output, _)| PathBuf::from(output));
        let studio = Studio::new(videohub_app::App::new(runner.clone(), sandbox.url()))
            .output_dir(&output_dir)
            .start(0)
            .await
            .expect("the studio starts");
        Setup {
            sandbox,
            studio,
            runner,
            dir,
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.studio.url(), path.trim_start_matches('/'))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let answer = self
            .http
            .get(self.url(path))
            .send()
            .await
            .expect("an answer");
        let status = answer.status().as_u16();
        (status, answer.json().await.expect("JSON"))
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let answer = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("an answer");
        let status = answer.status().as_u16();
        (status, answer.json().await.expect("JSON"))
    }

    /// Waits until job `id` is no longer running, and returns it as the page sees it.
    pub async fn settled(&self, id: &str) -> Value {
        let start = Instant::now();
        loop {
            let (status, job) = self.get(&format!("/api/jobs/{id}")).await;
            assert_eq!(status, 200, "{job}");
            if job["running"] == false {
                return job;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "job {id} did not settle: {job}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn videos(&self) -> PathBuf {
        self.dir.path().join("videos")
    }
}
