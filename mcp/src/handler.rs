//! The MCP handler: the server's description, its tools (`tools`) and resources
//! (`resources`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rmcp::model::{
    Implementation, ListResourcesResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, tool_handler};

use videohub_app::App;

use crate::INSTRUCTIONS;
use crate::resources;

/// What every connection of the server shares: the application (journal, client, jobs in
/// progress) and the output directory.
#[derive(Debug, Clone)]
pub(crate) struct Handler {
    app: App,
    output_dir: Arc<PathBuf>,
}

impl Handler {
    pub(crate) fn new(app: App, output_dir: PathBuf) -> Handler {
        Handler {
            app,
            output_dir: Arc::new(output_dir),
        }
    }

    pub(crate) fn app(&self) -> &App {
        &self.app
    }

    /// Where files go, absolute.
    pub(crate) fn output_dir(&self) -> &Path {
        &self.output_dir
    }
}

#[tool_handler]
impl ServerHandler for Handler {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(
            Implementation::new("videohub", env!("CARGO_PKG_VERSION"))
                .with_title("videohub: video generation with a journal"),
        )
        .with_instructions(INSTRUCTIONS)
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        resources::list(self.app.journal()).await
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        resources::read(self.app.journal(), &request.uri)
            .await
            .map(Into::into)
    }
}
