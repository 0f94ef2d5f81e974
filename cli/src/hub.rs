//! The hub the commands talk to: the real one from the key and URL given, or an in-process
//! sandbox.

use std::time::Duration;

use videohub::{Client, PollPolicy};
use videohub_sandbox::FaultSpec;

use crate::exit::Exit;
use crate::output::Failure;

/// Which hub to talk to.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct HubArgs {
    /// Run against an in-process sandbox hub: no key needed, nothing is billed.
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// The hub's API key.
    #[arg(long, global = true, env = "MOUNTSEA_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// The hub's base URL.
    #[arg(long, global = true, env = "MOUNTSEA_BASE_URL")]
    pub base_url: Option<String>,
    /// The largest file a download saves, e.g. `500MB` or `2GiB` (default 8 GiB).
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
}

/// The journal's name for the hub of `--sandbox`.
pub(crate) const IN_PROCESS: &str = "in-process sandbox";

/// A client, and the sandbox it points at while it lives.
pub(crate) struct Hub {
    pub client: Client,
    /// How tasks are polled: the default, or a quick one against the sandbox.
    pub poll: PollPolicy,
    sandbox: Option<videohub_sandbox::SandboxHandle>,
}

impl Hub {
    /// Connects as the flags and environment say; `--sandbox` starts a local hub first.
    pub(crate) async fn connect(args: &HubArgs) -> Result<Hub, Failure> {
        if args.sandbox {
            let sandbox = videohub_sandbox::Sandbox::builder()
                .time_scale(DEFAULT_TIME_SCALE)
                .faults(fresh())
                .start()
                .await
                .map_err(|e| Failure::new(Exit::Api, format!("cannot start the sandbox: {e}")))?;
            let client = Client::builder()
                .api_key("sandbox")
                .base_url(sandbox.url())
                .max_download_size(max_file_size(args))
                .build()
                .map_err(api)?;
            // The default policy at the sandbox's time scale: a miniature of the real hub.
            let scale = DEFAULT_TIME_SCALE;
            let poll = PollPolicy::default()
                .initial_delay(Duration::from_secs(5).mul_f64(scale))
                .max_interval(Duration::from_secs(15).mul_f64(scale))
                .min_interval(Duration::from_secs(1).mul_f64(scale));
            return Ok(Hub {
                client,
                poll,
                sandbox: Some(sandbox),
            });
        }
        let mut builder = videohub::ClientBuilder::from_env();
        if let Some(key) = &args.api_key {
            builder = builder.api_key(key);
        }
        if let Some(url) = &args.base_url {
            builder = builder.base_url(url);
        }
        builder = builder.max_download_size(max_file_size(args));
        let client = builder.build().map_err(|e| match e {
            videohub::Error::MissingApiKey => Failure::usage(
                "no API key: set it with `export MOUNTSEA_API_KEY=<your key>` or pass `--api-key <key>`; \
                 `--sandbox` runs against a local hub without one",
            ),
            other => api(other),
        })?;
        Ok(Hub {
            client,
            poll: PollPolicy::default(),
            sandbox: None,
        })
    }
}

/// The download limit of `--max-file-size`, or the SDK's default.
fn max_file_size(args: &HubArgs) -> u64 {
    args.max_file_size
        .unwrap_or(videohub::DEFAULT_MAX_DOWNLOAD_SIZE)
}

impl Hub {
    /// The hub of a command that sends nothing (`batch run --dry-run`): the one the flags
    /// name when there is a key, else an in-process sandbox, which knows the compiled models.
    pub(crate) async fn connect_to_check(args: &HubArgs) -> Result<Hub, Failure> {
        if args
            .api_key
            .as_deref()
            .is_some_and(|k| !k.trim().is_empty())
            || args.sandbox
        {
            return Hub::connect(args).await;
        }
        let offline = HubArgs {
            sandbox: true,
            ..args.clone()
        };
        Hub::connect(&offline).await
    }

    /// The hub as the journal names it: its base URL, or `in-process sandbox`, whose tasks
    /// end with the process that started it.
    pub(crate) fn label(&self) -> String {
        if self.is_in_process() {
            IN_PROCESS.to_owned()
        } else {
            self.client.base_url().to_string()
        }
    }

    /// Whether this is the in-process sandbox, which stops with the command.
    pub(crate) fn is_in_process(&self) -> bool {
        self.sandbox.is_some()
    }
}

/// How fast simulated time runs in the sandbox unless told otherwise: a one-minute task
/// takes three seconds.
pub(crate) const DEFAULT_TIME_SCALE: f64 = 0.05;

/// No faults, and task ids that differ from one run to the next (a fault spec's seed makes
/// a run reproducible instead).
pub(crate) fn fresh() -> FaultSpec {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    FaultSpec::none().seed(nanos as u64 ^ u64::from(std::process::id()))
}

/// The failure of a hub call: its exit code by kind, one line, the cause kept for `-v`.
pub(crate) fn api(error: videohub::Error) -> Failure {
    use videohub::Error;
    let exit = Exit::from(&error);
    let message = match &error {
        Error::Transport(e) if e.is_connect() => unreachable(e),
        Error::NoOutputFile { task_id } => {
            format!("{error}; `videohub task status {task_id} --json` shows the hub's answer")
        }
        _ => error.to_string(),
    };
    Failure {
        exit,
        message,
        source: Some(Box::new(error)),
    }
}

/// `could not reach the hub at URL: cause` for a connection that could not be opened (a
/// refused connection, a name that does not resolve, TLS), with the deepest cause.
fn unreachable(error: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let url = error.url().map_or_else(
        || "its address".to_owned(),
        |url| {
            let mut origin = url.clone();
            origin.set_path("");
            origin.set_query(None);
            origin.to_string()
        },
    );
    format!("could not reach the hub at {url}: {cause}")
}

/// A size as `--max-file-size` takes it, e.g. `500MB` or `2GiB`, in bytes.
fn parse_size(text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<bytesize::ByteSize>()
        .map(|size| size.as_u64())
        .map_err(|e| format!("{e} (e.g. 500MB, 2GiB)"))
}
