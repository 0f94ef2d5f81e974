//! The protocol's two eras, as a request shows them.
//!
//! Up to 2025-11-25 a client opens a session with `initialize`, and the server may send it
//! requests of its own during a call (`elicitation/create`). From 2026-07-28 every request
//! carries its version and the client's capabilities, the server sends no request of its
//! own (it answers `input_required`, and the client calls again with the answers), and
//! extensions such as tasks (`io.modelcontextprotocol/tasks`, SEP-2663) are of this era.

use rmcp::RoleServer;
use rmcp::model::ProtocolVersion;
use rmcp::service::RequestContext;

/// Whether the request is of the 2026-07-28 era (or later).
pub(crate) fn stateless(context: &RequestContext<RoleServer>) -> bool {
    context
        .protocol_version()
        .is_some_and(|v| v.as_str() >= ProtocolVersion::V_2026_07_28.as_str())
}
