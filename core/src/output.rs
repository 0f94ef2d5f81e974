//! A finished task's output: its files (videos, images, audio) read from `data`, and the
//! raw JSON.

use std::fmt;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::hub::Hub;
use crate::{Capability, Media};

/// The output of a finished task.
///
/// Files are read from every known shape of `data`, for each [`Media`] kind (shown for
/// videos): `{"video": {"url", "content_type", "file_name", "file_size"}}`,
/// `{"videos": [{"url"}]}` and `{"video_url"}` (plus the lenient variants
/// `{"video": "<url>"}`, `{"videos": ["<url>"]}` and `{"video_urls": [..]}`). Anything else
/// is still in [`Output::data`].
///
/// When the task's capability is known (a typed task, a submitted one, one given
/// [`Task::with_capability`](crate::Task::with_capability), or an answer that names it),
/// [`Output::file`] is only ever a file of its kind: an image in a video task's answer is
/// not taken for the video.
///
/// ```
/// use videohub_core::{Client, Media, TaskState};
///
/// let answer = serde_json::json!({
///     "id": "t-1", "status": "completed",
///     "data": {"video": {"url": "https://cdn.example/v/81", "file_name": "clip.webm", "file_size": 1024}},
/// });
/// let client = Client::new("sk-example")?;
/// let output = TaskState::from_json(answer).unwrap().into_output(&client, "t-1")?;
/// let file = output.file().unwrap();
/// assert_eq!(file.media(), Media::Video);
/// assert_eq!(file.extension(), "webm"); // the hub's file name wins over `mp4`
/// assert_eq!(file.file_size(), Some(1024));
/// // `output.save("clip.webm").await?` downloads it: streamed, checked, atomic.
/// # Ok::<(), videohub_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Output {
    hub: Hub,
    task_id: String,
    capability: Option<Capability>,
    data: Value,
    raw: Value,
    files: Vec<OutputFile>,
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut data = self.data.clone();
        self.hub.redactor().value(&mut data);
        f.debug_struct("Output")
            .field("task_id", &self.task_id)
            .field("capability", &self.capability)
            .field("files", &self.files)
            .field("data", &data)
            .finish()
    }
}

impl Output {
    pub(crate) fn new(
        hub: Hub,
        task_id: String,
        capability: Option<Capability>,
        data: Option<Value>,
        raw: Value,
    ) -> Self {
        let data = data.unwrap_or(Value::Null);
        // Files of the task's kind first; videos first when the kind is unknown.
        let first = capability.map_or(Some(Media::Video), Capability::output);
        let files = files_in(&data, first)
            .into_iter()
            .map(|meta| OutputFile {
                meta,
                hub: hub.clone(),
            })
            .collect();
        Output {
            hub,
            task_id,
            capability,
            data,
            raw,
            files,
        }
    }

    /// The task id.
    pub fn task_id(&self) -> &str {
        &self.task_id
    }

    /// What the task generates, when known.
    pub fn capability(&self) -> Option<Capability> {
        self.capability
    }

    /// Every file found in `data`, of any kind, those of the task's kind first.
    pub fn files(&self) -> &[OutputFile] {
        &self.files
    }

    /// The task's file: the first of the kind its capability yields (for a video task, its
    /// video); the first file of any kind when the capability is unknown.
    pub fn file(&self) -> Option<&OutputFile> {
        match self.capability {
            Some(capability) => {
                let kind = capability.output()?;
                self.files.iter().find(|f| f.media() == kind)
            }
            None => self.files.first(),
        }
    }

    /// The task's `data`, as the hub sent it (`null` when absent): what the files are read
    /// from. Its `Debug` replaces the client's key, if the hub repeated it there.
    pub fn data(&self) -> &Value {
        &self.data
    }

    /// The whole last task answer, as the hub sent it (with the client's key replaced by
    /// `[redacted]` wherever the hub repeated it, when the state came from a [`Task`](crate::Task)).
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// Saves the task's [`file`](Output::file) to `path` (see [`OutputFile::save`]);
    /// [`Error::NoOutputFile`] when the output has none. Returns the number of bytes written.
    pub async fn save(&self, path: impl AsRef<Path>) -> Result<u64> {
        match self.file() {
            Some(file) => file.save(path).await,
            None => Err(Error::NoOutputFile {
                task_id: self.task_id.clone(),
            }),
        }
    }
}

/// What the hub says about one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileMeta {
    pub(crate) media: Media,
    pub(crate) url: String,
    pub(crate) content_type: Option<String>,
    pub(crate) file_name: Option<String>,
    pub(crate) file_size: Option<u64>,
}

/// One generated file (a video, an image, an audio clip): its URL and what the hub says
/// about it.
#[derive(Clone)]
pub struct OutputFile {
    pub(crate) meta: FileMeta,
    pub(crate) hub: Hub,
}

impl fmt::Debug for OutputFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutputFile")
            .field("media", &self.meta.media)
            .field("url", &self.hub.redactor().text(&self.meta.url))
            .field("content_type", &self.meta.content_type)
            .field("file_name", &self.meta.file_name)
            .field("file_size", &self.meta.file_size)
            .finish()
    }
}

impl OutputFile {
    /// The kind of file, told by the key it was found under (`video`, `images`, …).
    pub fn media(&self) -> Media {
        self.meta.media
    }

    /// The extension to save the file under: that of the hub's file name when it has one
    /// (`clip.webm` → `webm`), else the usual one of its kind (`mp4`, `png`, `mp3`).
    pub fn extension(&self) -> &str {
        self.file_name()
            .and_then(|name| Path::new(name).extension())
            .and_then(|ext| ext.to_str())
            .filter(|ext| !ext.is_empty() && ext.chars().all(|c| c.is_ascii_alphanumeric()))
            .unwrap_or(self.meta.media.extension())
    }

    /// The download URL.
    pub fn url(&self) -> &str {
        &self.meta.url
    }

    /// The MIME type, when stated (e.g. `video/mp4`).
    pub fn content_type(&self) -> Option<&str> {
        self.meta.content_type.as_deref()
    }

    /// The file name, when stated.
    pub fn file_name(&self) -> Option<&str> {
        self.meta.file_name.as_deref()
    }

    /// The size in bytes, when stated; a download of another size fails.
    pub fn file_size(&self) -> Option<u64> {
        self.meta.file_size
    }
}

/// The files in `data`: those of `first` (the task's own kind) first, then the others.
fn files_in(data: &Value, first: Option<Media>) -> Vec<FileMeta> {
    let order = first
        .into_iter()
        .chain(Media::ALL.into_iter().filter(|m| Some(*m) != first));
    let mut found = Vec::new();
    for media in order {
        let [one, list, url, urls] = media.output_keys();
        let of = |value: &Value| file_of(media, value);
        found.extend(data.get(one).and_then(of));
        if let Some(Value::Array(files)) = data.get(list) {
            found.extend(files.iter().filter_map(of));
        }
        found.extend(data.get(url).and_then(of));
        if let Some(Value::Array(urls)) = data.get(urls) {
            found.extend(urls.iter().filter_map(of));
        }
    }
    let mut seen = std::collections::HashSet::with_capacity(found.len());
    found.retain(|file| seen.insert(file.url.clone()));
    found
}

fn file_of(media: Media, value: &Value) -> Option<FileMeta> {
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    match value {
        Value::String(_) => Some(FileMeta {
            media,
            url: text(Some(value))?,
            content_type: None,
            file_name: None,
            file_size: None,
        }),
        Value::Object(map) => Some(FileMeta {
            media,
            url: text(map.get("url"))?,
            content_type: text(map.get("content_type")),
            file_name: text(map.get("file_name")),
            file_size: map.get("file_size").and_then(|s| match s {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            }),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn urls(data: Value) -> Vec<String> {
        files_in(&data, Some(Media::Video))
            .into_iter()
            .map(|f| f.url)
            .collect()
    }

    #[test]
    fn every_shape() {
        let full = files_in(
            &json!({"video": {"url": "https://c/a.mp4", "content_type": "video/mp4",
            "file_name": "a.mp4", "file_size": 1234}}),
            Some(Media::Video),
        );
        assert_eq!(full[0].file_size, Some(1234));
        assert_eq!(full[0].content_type.as_deref(), Some("video/mp4"));
        assert_eq!(full[0].media, Media::Video);
        assert_eq!(
            urls(json!({"videos": [{"url": "https://c/1"}, {"url": "https://c/2"}]})),
            ["https://c/1", "https://c/2"]
        );
        assert_eq!(urls(json!({"video_url": "https://c/x"})), ["https://c/x"]);
        assert_eq!(
            urls(json!({"video": "https://c/s", "video_urls": ["https://c/s", "https://c/t"]})),
            ["https://c/s", "https://c/t"]
        );
        assert!(urls(json!({"text": "hello"})).is_empty());
        assert!(urls(Value::Null).is_empty());
    }

    #[test]
    fn files_of_the_task_kind_come_first_and_are_typed() {
        let data = json!({"image": {"url": "https://c/thumb.png"}, "videos": ["https://c/v.mp4"],
            "audio_url": "https://c/a.mp3"});
        let of_video = files_in(&data, Some(Media::Video));
        let kinds: Vec<_> = of_video.iter().map(|f| (f.media, f.url.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (Media::Video, "https://c/v.mp4"),
                (Media::Image, "https://c/thumb.png"),
                (Media::Audio, "https://c/a.mp3")
            ]
        );
        assert_eq!(files_in(&data, Some(Media::Image))[0].media, Media::Image);
        assert_eq!(files_in(&data, None)[0].media, Media::Image);
    }
}
