//! The journal's downloaded files as MCP resources: the recent ones listed; an image read
//! returns its bytes, a video or audio file is described and left to its `file://` link
//! (a video is too large to pass through a conversation). A file saved as an object is
//! named by its URL (`s3://bucket/key`), and an image of it is read from its store.

use std::path::{Path, PathBuf};

use base64::Engine;
use rmcp::ErrorData;
use rmcp::model::{ListResourcesResult, ReadResourceResult, Resource, ResourceContents};
use videohub::Destination;
use videohub_app::App;
use videohub_journal::{Job, JobFilter, JobState, Journal};

use crate::report::{file_uri, mime_type};

/// How many of the latest downloads are listed.
const LISTED: u32 = 50;

/// How many downloads a read looks through for the file asked for.
const SEARCHED: u32 = 1000;

/// The largest image a read returns inline.
const MAX_INLINE: u64 = 20 * 1024 * 1024;

async fn downloads(journal: &Journal, limit: u32) -> Result<Vec<Job>, ErrorData> {
    let filter = JobFilter {
        states: vec![JobState::Downloaded],
        limit: Some(limit),
        ..JobFilter::default()
    };
    journal
        .jobs(&filter)
        .await
        .map_err(|e| ErrorData::internal_error(format!("cannot read the journal: {e}"), None))
}

/// Whether `path` names an object rather than a file.
fn is_object(path: &Path) -> bool {
    matches!(Destination::parse(path), Ok(Destination::Object(_)))
}

/// The resource of a downloaded job's file, when the file is still there (an object is
/// taken to be).
fn resource(job: &Job) -> Option<Resource> {
    let path = job
        .file_path
        .as_deref()
        .filter(|p| is_object(p) || p.is_file())?;
    let name = path.file_name()?.to_string_lossy().into_owned();
    let mut resource = Resource::new(file_uri(path)?, name)
        .with_mime_type(mime_type(path))
        .with_title(format!("{} ({})", job.model, job.id));
    if let Some(prompt) = job.prompt() {
        resource = resource.with_description(prompt.to_owned());
    }
    if let Some(size) = job.file_size {
        resource = resource.with_size(size);
    }
    Some(resource)
}

/// The latest downloaded files, newest first.
pub(crate) async fn list(journal: &Journal) -> Result<ListResourcesResult, ErrorData> {
    let jobs = downloads(journal, LISTED).await?;
    Ok(ListResourcesResult::with_all_items(
        jobs.iter().filter_map(resource).collect(),
    ))
}

/// A downloaded file of the journal, and no other: an image's bytes, or a description of
/// a video (or audio) file with its link.
pub(crate) async fn read(app: &App, uri: &str) -> Result<ReadResourceResult, ErrorData> {
    let not_found = || {
        ErrorData::resource_not_found(
            format!("`{uri}` is not a file this server downloaded (resources/list lists them)"),
            None,
        )
    };
    let path = match Destination::parse(uri) {
        Ok(Destination::Object(_)) => Some(PathBuf::from(uri)),
        _ => url::Url::parse(uri)
            .ok()
            .filter(|u| u.scheme() == "file")
            .and_then(|u| u.to_file_path().ok()),
    };
    let path = path.ok_or_else(not_found)?;
    let jobs = downloads(app.journal(), SEARCHED).await?;
    let job = jobs
        .iter()
        .find(|job| job.file_path.as_deref() == Some(path.as_path()))
        .ok_or_else(not_found)?;
    let mime = mime_type(&path);
    let size = job.file_size.unwrap_or_default();
    let contents = if mime.starts_with("image/") && size <= MAX_INLINE {
        let bytes = read_whole(app, &path).await?;
        let blob = base64::engine::general_purpose::STANDARD.encode(bytes);
        ResourceContents::blob(blob, uri).with_mime_type(mime)
    } else {
        if !is_object(&path) && !path.is_file() {
            return Err(gone(
                &path,
                &std::io::Error::from(std::io::ErrorKind::NotFound),
            ));
        }
        let text = format!(
            "{mime} file of {size} bytes at {} (SHA-256 {}), from job {} ({}); open it by its URI, it is not sent inline",
            path.display(),
            job.sha256.as_deref().unwrap_or("?"),
            job.id,
            job.model
        );
        ResourceContents::text(text, uri)
    };
    Ok(ReadResourceResult::new(vec![contents]))
}

/// The bytes of the file or object `path` (an object read by the app's client).
#[cfg_attr(not(feature = "object-store"), allow(unused_variables))]
async fn read_whole(app: &App, path: &Path) -> Result<Vec<u8>, ErrorData> {
    match Destination::parse(path) {
        #[cfg(feature = "object-store")]
        Ok(Destination::Object(url)) => {
            use futures::TryStreamExt;
            let read = app
                .client()
                .read_object(&url, None)
                .await
                .map_err(|e| gone(path, &e))?;
            read.into_stream()
                .try_fold(Vec::new(), |mut bytes, chunk| async move {
                    bytes.extend_from_slice(&chunk);
                    Ok(bytes)
                })
                .await
                .map_err(|e| gone(path, &e))
        }
        #[cfg(not(feature = "object-store"))]
        Ok(Destination::Object(url)) => Err(gone(
            path,
            &format!("reading {}:// needs the object-store feature", url.scheme()),
        )),
        _ => tokio::fs::read(path).await.map_err(|e| gone(path, &e)),
    }
}

fn gone(path: &Path, error: &dyn std::fmt::Display) -> ErrorData {
    ErrorData::resource_not_found(format!("cannot read {}: {error}", path.display()), None)
}
