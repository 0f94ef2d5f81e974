//! Asking the user before a submit that may bill twice: `retry_job` with `force` on a job
//! whose outcome is unknown asks through elicitation, in either era of the protocol.
//!
//! Up to protocol 2025-11-25 the server sends `elicitation/create` to the client during the
//! call. From 2026-07-28 servers send no requests: the call answers `input_required` with
//! the question, and the client calls again with the user's answer (see `era`). A client
//! that cannot ask (it declared no form elicitation) gets a refusal: the resend is the
//! user's to do.

use std::collections::BTreeMap;

use rmcp::RoleServer;
use rmcp::model::{
    CallToolResult, ElicitRequest, ElicitRequestParams, ElicitResult, ElicitationAction,
    ElicitationSchema, InputRequest, InputRequiredResult, InputResponses,
};
use rmcp::service::RequestContext;
use videohub_journal::Job;

use crate::era;
use crate::report::refused;

/// The key of the question among a call's input requests.
const QUESTION: &str = "send_again";

/// The user's answer, or how to get it.
pub(crate) enum Answer {
    /// Send it again.
    Yes,
    /// Do not: the tool's answer says why.
    No(CallToolResult),
    /// Ask the client (2026-07-28 and later): the call's answer.
    Ask(InputRequiredResult),
}

/// Asks the user whether to send job `job` (of unknown outcome) again; `responses` are the
/// answers a client of the 2026-07-28 era sent with its new call.
pub(crate) async fn second_submit(
    context: &RequestContext<RoleServer>,
    responses: Option<InputResponses>,
    job: &Job,
) -> Answer {
    let stateless = era::stateless(context);
    if stateless && let Some(answer) = responses.as_ref().and_then(|r| r.get(QUESTION)) {
        return match serde_json::from_value::<ElicitResult>(answer.clone()) {
            Ok(result) => decided(result.action, job),
            Err(e) => Answer::No(refused(format!(
                "job {} was not sent again: the answer to the question could not be read ({e})",
                job.id
            ))),
        };
    }
    if !asks_forms(context) {
        return Answer::No(cannot_ask(
            job,
            "this client cannot ask the user (no form elicitation)",
        ));
    }
    let question = ElicitRequestParams::FormElicitationParams {
        meta: None,
        message: question(job),
        requested_schema: ElicitationSchema::new(BTreeMap::new()),
    };
    if stateless {
        let request = InputRequest::Elicitation(ElicitRequest::new(question));
        return Answer::Ask(InputRequiredResult::from_input_requests(BTreeMap::from([
            (QUESTION.to_owned(), request),
        ])));
    }
    match context.peer.create_elicitation(question).await {
        Ok(result) => decided(result.action, job),
        Err(e) => Answer::No(cannot_ask(
            job,
            &format!("the user could not be asked ({e})"),
        )),
    }
}

/// Whether the client declared form elicitation (a bare `elicitation: {}` means forms).
fn asks_forms(context: &RequestContext<RoleServer>) -> bool {
    context
        .client_capabilities()
        .and_then(|c| c.elicitation)
        .is_some_and(|e| e.form.is_some() || e.url.is_none())
}

fn question(job: &Job) -> String {
    let prompt = job
        .prompt()
        .map(|p| format!(" \"{p}\""))
        .unwrap_or_default();
    format!(
        "Send job {} ({}{prompt}) to the hub again? Its first submit may have created a task at the hub, billed if it completes: a second submit may bill twice. Check the hub's tasks first.",
        job.id, job.model
    )
}

fn decided(action: ElicitationAction, job: &Job) -> Answer {
    match action {
        ElicitationAction::Accept => Answer::Yes,
        // Declined, dismissed, or an answer this server does not know.
        _ => Answer::No(refused(format!(
            "job {} was not sent again: the user declined (a second submit may bill twice)",
            job.id
        ))),
    }
}

/// The refusal when the user cannot be asked: the same explanation as without `force`,
/// and how the user sends it again.
fn cannot_ask(job: &Job, why: &str) -> CallToolResult {
    refused(format!(
        "{} {why}: after checking the hub, the user sends it again with `videohub jobs retry {} --force`",
        unknown_outcome(job),
        job.id
    ))
}

/// Why a job of unknown outcome is not sent again without the user.
pub(crate) fn unknown_outcome(job: &Job) -> String {
    format!(
        "job {} was not sent again: its submit may or may not have created a task at the hub ({}), billed if it completes, and a second submit may bill twice.",
        job.id,
        job.error.as_deref().unwrap_or("no answer was recorded")
    )
}
