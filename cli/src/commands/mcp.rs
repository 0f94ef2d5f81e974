//! `videohub mcp`: the journal's jobs and every model, for agents, over the Model Context
//! Protocol (standard input and output, or streamable HTTP with `--http`).

use std::path::PathBuf;
use std::process::ExitCode;

use videohub_app::App;
use videohub_journal::Runner;
use videohub_mcp::Server;

use crate::args::Global;
use crate::exit::Exit;
use crate::hub::Hub;
use crate::output::Failure;
use crate::store;

/// `videohub mcp`.
#[derive(Debug, clap::Args)]
pub(crate) struct McpArgs {
    /// Serve the streamable-HTTP transport at http://ADDR/mcp instead (e.g. 127.0.0.1:8791).
    #[arg(long, value_name = "ADDR")]
    pub http: Option<std::net::SocketAddr>,
    /// Where generated videos and images are saved (default: `videohub` in the videos folder).
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

/// Serves until Ctrl-C.
pub(crate) async fn run(args: McpArgs, global: &Global) -> Result<ExitCode, Failure> {
    let hub = &Hub::connect(&global.hub).await?;
    let store = &global.store;
    // Standard output carries the protocol alone: logs go to standard error.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .try_init();
    let journal = store::open_for(hub, store).await?;
    let runner = Runner::new(journal, hub.client.clone()).poll_policy(hub.poll);
    let output_dir = args
        .output_dir
        .unwrap_or_else(videohub_mcp::default_output_dir);
    let app = App::new(runner, hub.label()).hub_in_process(hub.is_in_process());
    let server = Server::new(app).output_dir(&output_dir);
    let served = match args.http {
        None => server.serve_stdio().await,
        Some(addr) => {
            let shutdown = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            server
                .serve_http(
                    addr,
                    |bound| {
                        eprintln!("videohub MCP server on http://{bound}/mcp (Ctrl-C stops it)")
                    },
                    shutdown,
                )
                .await
        }
    };
    served.map_err(|e| {
        Failure::new(
            Exit::Api,
            format!(
                "the MCP server stopped (files in {}): {e}",
                output_dir.display()
            ),
        )
    })?;
    Ok(ExitCode::SUCCESS)
}
