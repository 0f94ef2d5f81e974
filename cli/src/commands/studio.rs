//! `videohub studio`: the journal's videos and a playground for every model, in the browser.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use videohub_app::App;
use videohub_journal::{Runner, Stop};
use videohub_studio::Studio;

use crate::args::Global;
use crate::exit::Exit;
use crate::hub::Hub;
use crate::outcome::INTERRUPTED;
use crate::output::Failure;
use crate::output::outln;
use crate::signals::{self, GraceArgs};
use crate::store;

/// `videohub studio`.
#[derive(Debug, clap::Args)]
pub(crate) struct StudioArgs {
    /// The port to listen on (on 127.0.0.1 only).
    #[arg(long, default_value_t = 8790)]
    pub port: u16,
    /// Do not open the page in the default browser.
    #[arg(long)]
    pub no_open: bool,
    /// Where generated videos and images are saved.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub output_dir: PathBuf,
    #[command(flatten)]
    pub grace: GraceArgs,
    #[command(flatten)]
    pub metrics: crate::telemetry::MetricsArgs,
}

/// Serves until Ctrl-C or SIGTERM; then takes no request, lets go of the jobs waiting, gives
/// downloads under way `--grace` to finish (a second signal ends them), and exits 130
/// (Ctrl-C) or 143 (SIGTERM). A job let go stays in the journal as it was, for `jobs resume`
/// or the next studio to continue without a second submit.
pub(crate) async fn run(args: StudioArgs, global: &Global) -> Result<ExitCode, Failure> {
    let hub = &Hub::connect(&global.hub).await?;
    let store = &global.store;
    videohub_app::destination::check_folder(&args.output_dir)
        .map_err(|e| Failure::usage(format!("{e}: the studio cannot save its files")))?;
    let journal = store::open_for(hub, store).await?;
    let _metrics = args.metrics.serve(&journal).await?;
    let stop = Stop::new();
    let stopped = signals::watch(stop.clone(), args.grace.grace);
    let runner = crate::telemetry::traced(Runner::new(journal, hub.client.clone()))
        .poll_policy(hub.poll)
        .with_stop(stop.clone());
    let app = App::new(runner, hub.label()).hub_in_process(hub.is_in_process());
    let studio = Studio::new(app.clone())
        .output_dir(&args.output_dir)
        .start(args.port)
        .await
        .map_err(|e| {
            Failure::new(
                Exit::Api,
                format!("cannot serve the studio on 127.0.0.1:{}: {e}", args.port),
            )
        })?;
    let url = studio.url();
    outln!("videohub studio on {url} (Ctrl-C or SIGTERM stops it)");
    if hub.is_in_process() {
        outln!("  against an in-process sandbox hub: its tasks end with this command");
    }
    if !args.no_open {
        open_browser(&url);
    }
    stop.requested().await;
    // The page's open streams of progress may keep a request going: the jobs are let go
    // whether or not the server has ended within a few seconds.
    let _ = tokio::time::timeout(SHUTDOWN, studio.shutdown()).await;
    app.stop().await;
    Ok(ExitCode::from(stopped.exit_code().unwrap_or(INTERRUPTED)))
}

/// How long the studio waits for its open requests once asked to stop.
const SHUTDOWN: Duration = Duration::from_secs(5);

/// Opens `url` in the default browser; says so and goes on when there is none.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        Ok(mut child) => {
            // Reaped in the background: the opener may outlive this command's wait.
            std::thread::spawn(move || child.wait());
        }
        Err(_) => outln!("  no browser could be opened: visit the address above"),
    }
}
