//! `videohub mcp`: the journal's jobs and every model, for agents, over the Model Context
//! Protocol (standard input and output, or streamable HTTP with `--http`).

use std::path::PathBuf;
use std::process::ExitCode;

use videohub_app::App;
use videohub_app::access::check_address;
use videohub_journal::{Runner, Stop};
use videohub_mcp::{Access, Server, Token};

use crate::args::Global;
use crate::exit::Exit;
use crate::hub::Hub;
use crate::output::Failure;
use crate::signals::{self, GraceArgs};
use crate::store;

/// The variable holding the token HTTP clients must send (one is generated when it is not
/// set).
const TOKEN_VARIABLE: &str = "VIDEOHUB_MCP_TOKEN";

/// `videohub mcp`.
#[derive(Debug, clap::Args)]
pub(crate) struct McpArgs {
    /// Serve the streamable-HTTP transport at http://ADDR/mcp instead (e.g. 127.0.0.1:8791).
    /// Every request must carry `Authorization: Bearer <token>`: the token is
    /// VIDEOHUB_MCP_TOKEN, or one made at start and printed once on standard error.
    #[arg(long, value_name = "ADDR")]
    pub http: Option<std::net::SocketAddr>,
    /// With --http, listen on an address other machines reach (e.g. 0.0.0.0:8791) and answer
    /// any host name: anyone with the token can then spend the hub's credit.
    #[arg(long, requires = "http")]
    pub allow_remote: bool,
    /// Where generated videos and images are saved (default: `videohub` in the videos folder).
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    #[command(flatten)]
    pub grace: GraceArgs,
    #[command(flatten)]
    pub metrics: crate::telemetry::MetricsArgs,
}

/// Serves until the client goes (standard input and output: every job it drives is let go
/// at once), or until Ctrl-C or SIGTERM: then no request is taken, the jobs waiting are let
/// go, downloads under way get `--grace` to finish (a second signal ends them), and it exits
/// 130 (Ctrl-C) or 143 (SIGTERM). A job let go stays in the journal as it was, for `jobs
/// resume` or the next server to continue without a second submit.
pub(crate) async fn run(args: McpArgs, global: &Global) -> Result<ExitCode, Failure> {
    let http = match args.http {
        Some(addr) => {
            check_address(addr, args.allow_remote)
                .map_err(|e| {
                    Failure::usage(format!(
                        "{e}; listen on 127.0.0.1, or pass --allow-remote to answer other machines (which must then send the token)"
                    ))
                })?;
            Some((addr, access(args.allow_remote)?))
        }
        None => None,
    };
    let stop = Stop::new();
    let stopped = signals::watch(stop.clone(), args.grace.grace);
    let signal = {
        let stop = stop.clone();
        async move { stop.requested().await }
    };
    let hub = &Hub::connect(&global.hub).await?;
    let store = &global.store;
    let journal = store::open_for(hub, store).await?;
    let _metrics = args.metrics.serve(&journal).await?;
    let runner = crate::telemetry::traced(Runner::new(journal, hub.client.clone()))
        .poll_policy(hub.poll)
        .with_stop(stop);
    let output_dir = args
        .output_dir
        .unwrap_or_else(videohub_mcp::default_output_dir);
    let app = App::new(runner, hub.label()).hub_in_process(hub.is_in_process());
    let server = Server::new(app).output_dir(&output_dir);
    let served = match http {
        None => server.serve_stdio(signal).await,
        Some((addr, (access, shown))) => {
            let banner = |bound| {
                eprintln!("videohub MCP server on http://{bound}/mcp (Ctrl-C stops it)");
                match &shown {
                    Some(token) => eprintln!(
                        "  token: {}  (clients send `Authorization: Bearer <token>`; set {TOKEN_VARIABLE} to choose it)",
                        token.reveal()
                    ),
                    None => eprintln!(
                        "  token: the one in {TOKEN_VARIABLE} (clients send `Authorization: Bearer <token>`)"
                    ),
                }
            };
            server.serve_http(addr, access, banner, signal).await
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
    Ok(stopped
        .exit_code()
        .map_or(ExitCode::SUCCESS, ExitCode::from))
}

/// Who may call the HTTP server, and the token to show on standard error (none when the
/// user chose it).
fn access(remote: bool) -> Result<(Access, Option<Token>), Failure> {
    let (token, shown) = match std::env::var(TOKEN_VARIABLE) {
        Ok(text) => (
            Token::new(text).map_err(|e| Failure::usage(format!("{TOKEN_VARIABLE}: {e}")))?,
            false,
        ),
        Err(_) => {
            let token = Token::generate().map_err(|e| {
                Failure::new(
                    Exit::Api,
                    format!("cannot make a token for the server: {e}"),
                )
            })?;
            (token, true)
        }
    };
    let access = Access::loopback().token(token.clone());
    let access = if remote { access.any_host() } else { access };
    Ok((access, shown.then_some(token)))
}
