//! Starting a generation on the journal: the input checked against its model, the job
//! recorded (its folder tried first) before anything is sent, once per request id.

use std::path::PathBuf;

use videohub::{JsonObject, ValidationErrors};
use videohub_journal::{Job, NewJob, Runner};

use crate::model::Model;

/// Why a generation was not started; nothing was sent.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The input breaks the model's rules.
    #[error("invalid input for `{model}`; nothing was sent")]
    Invalid {
        /// The model id.
        model: String,
        /// Every problem, each naming its parameter.
        errors: ValidationErrors,
    },
    /// The request id names an earlier generation of another model or input.
    #[error(
        "the request id `{request_id}` was already used for job {job_id} ({model} with another input); a new request needs a new id"
    )]
    RequestReused {
        /// The request id given.
        request_id: String,
        /// The job it names.
        job_id: String,
        /// That job's model.
        model: String,
    },
    /// The journal refused it: the output folder does not take files, or the journal
    /// cannot be written.
    #[error(transparent)]
    Journal(#[from] videohub_journal::Error),
}

/// A generation to start.
#[derive(Debug)]
pub struct Generation<'a> {
    /// The model.
    pub model: &'a Model,
    /// Its input.
    pub input: JsonObject,
    /// Where its file goes (a name template, see [`crate::destination`]).
    pub output: PathBuf,
    /// The caller's id of this request: the same id, from any process, gives the same job
    /// and never a second submit.
    pub request_id: Option<String>,
}

/// Checks the input, then records the job as pending, held by `runner`, under the hub name
/// `hub`. With a request id already recorded, the job it names (when it is the same model
/// and input).
pub(crate) async fn start(
    runner: &Runner,
    hub: &str,
    generation: Generation<'_>,
) -> Result<Job, StartError> {
    let Generation {
        model,
        input,
        output,
        request_id,
    } = generation;
    model
        .validate(&input)
        .map_err(|errors| StartError::Invalid {
            model: model.id().to_owned(),
            errors,
        })?;
    let new = NewJob::new(hub, model.view(), input, output);
    let Some(request_id) = request_id else {
        return Ok(runner.record(&new).await?);
    };
    let key = videohub_journal::request_key(hub, &request_id);
    let (job, _) = runner.record_keyed(&new, &key).await?;
    if job.model == new.model && job.input == new.input {
        Ok(job)
    } else {
        Err(StartError::RequestReused {
            request_id,
            job_id: job.id,
            model: job.model,
        })
    }
}
