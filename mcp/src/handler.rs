//! The MCP handler: the server's description, its tools (`tools`), resources
//! (`resources`) and tasks (`tasks`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rmcp::model::{
    CancelTaskParams, GetTaskParams, GetTaskResult, Implementation, ListResourcesResult,
    PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities,
    ServerConfig, UpdateTaskParams,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, tool_handler};

use videohub_app::App;

use crate::INSTRUCTIONS;
use crate::resources;
use crate::tasks::{self, Cancelled};

/// What every connection of the server shares: the application (journal, client, jobs in
/// progress), the output directory and the tasks cancelled here.
#[derive(Debug, Clone)]
pub(crate) struct Handler {
    app: App,
    output_dir: Arc<PathBuf>,
    cancelled: Arc<Cancelled>,
}

impl Handler {
    pub(crate) fn new(app: App, output_dir: PathBuf) -> Handler {
        Handler {
            app,
            output_dir: Arc::new(output_dir),
            cancelled: Arc::default(),
        }
    }

    pub(crate) fn app(&self) -> &App {
        &self.app
    }

    /// Where files go, absolute.
    pub(crate) fn output_dir(&self) -> &Path {
        &self.output_dir
    }

    /// The tasks cancelled through this process.
    pub(crate) fn cancelled(&self) -> &Cancelled {
        &self.cancelled
    }
}

#[tool_handler]
impl ServerHandler for Handler {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_tasks()
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
        resources::read(&self.app, &request.uri)
            .await
            .map(Into::into)
    }

    async fn get_task(
        &self,
        request: GetTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetTaskResult, ErrorData> {
        tasks::get(self, &request.task_id).await
    }

    async fn update_task(
        &self,
        request: UpdateTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        tasks::update(self, &request.task_id).await
    }

    async fn cancel_task(
        &self,
        request: CancelTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        tasks::cancel(self, &request.task_id).await
    }
}
