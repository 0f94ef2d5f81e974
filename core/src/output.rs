//! A finished task's output: the video URLs read from `data`, and the raw JSON.

use std::fmt;
use std::path::Path;

use serde_json::Value;

use crate::client::Client;
use crate::error::{Error, Result};

/// The output of a finished task.
///
/// The video URLs are read from every known shape of `data`:
/// `{"video": {"url", "content_type", "file_name", "file_size"}}`, `{"videos": [{"url"}]}`
/// and `{"video_url"}` (plus the lenient variants `{"video": "<url>"}`, `{"videos": ["<url>"]}`
/// and `{"video_urls": [..]}`). Anything else is still in [`Output::data`].
#[derive(Clone)]
pub struct Output {
    task_id: String,
    data: Value,
    raw: Value,
    videos: Vec<Video>,
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Output")
            .field("task_id", &self.task_id)
            .field("videos", &self.videos)
            .field("data", &self.data)
            .finish()
    }
}

impl Output {
    pub(crate) fn new(client: Client, task_id: String, data: Option<Value>, raw: Value) -> Self {
        let data = data.unwrap_or(Value::Null);
        let videos = videos_in(&data)
            .into_iter()
            .map(|meta| Video {
                meta,
                client: client.clone(),
            })
            .collect();
        Output {
            task_id,
            data,
            raw,
            videos,
        }
    }

    /// The task id.
    pub fn task_id(&self) -> &str {
        &self.task_id
    }

    /// Every video found in `data`, in order.
    pub fn videos(&self) -> &[Video] {
        &self.videos
    }

    /// The first video, if any.
    pub fn video(&self) -> Option<&Video> {
        self.videos.first()
    }

    /// The task's `data`, as the hub sent it (`null` when absent).
    pub fn data(&self) -> &Value {
        &self.data
    }

    /// The whole last task answer, as the hub sent it.
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// Saves the first video to `path` (see [`Video::save`]); [`Error::NoVideo`] when the
    /// output has none. Returns the number of bytes written.
    pub async fn save(&self, path: impl AsRef<Path>) -> Result<u64> {
        match self.video() {
            Some(video) => video.save(path).await,
            None => Err(Error::NoVideo {
                task_id: self.task_id.clone(),
            }),
        }
    }
}

/// What the hub says about one video file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VideoMeta {
    pub(crate) url: String,
    pub(crate) content_type: Option<String>,
    pub(crate) file_name: Option<String>,
    pub(crate) file_size: Option<u64>,
}

/// One generated video: its URL and what the hub says about it.
#[derive(Clone)]
pub struct Video {
    pub(crate) meta: VideoMeta,
    pub(crate) client: Client,
}

impl fmt::Debug for Video {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Video")
            .field("url", &self.meta.url)
            .field("content_type", &self.meta.content_type)
            .field("file_name", &self.meta.file_name)
            .field("file_size", &self.meta.file_size)
            .finish()
    }
}

impl Video {
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

fn videos_in(data: &Value) -> Vec<VideoMeta> {
    let mut found = Vec::new();
    if let Some(video) = data.get("video") {
        found.extend(video_of(video));
    }
    if let Some(Value::Array(videos)) = data.get("videos") {
        found.extend(videos.iter().filter_map(video_of));
    }
    if let Some(url) = data.get("video_url") {
        found.extend(video_of(url));
    }
    if let Some(Value::Array(urls)) = data.get("video_urls") {
        found.extend(urls.iter().filter_map(video_of));
    }
    let mut seen = std::collections::HashSet::with_capacity(found.len());
    found.retain(|video| seen.insert(video.url.clone()));
    found
}

fn video_of(value: &Value) -> Option<VideoMeta> {
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    match value {
        Value::String(_) => Some(VideoMeta {
            url: text(Some(value))?,
            content_type: None,
            file_name: None,
            file_size: None,
        }),
        Value::Object(map) => Some(VideoMeta {
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
        videos_in(&data).into_iter().map(|v| v.url).collect()
    }

    #[test]
    fn every_shape() {
        let full = videos_in(
            &json!({"video": {"url": "https://c/a.mp4", "content_type": "video/mp4",
            "file_name": "a.mp4", "file_size": 1234}}),
        );
        assert_eq!(full[0].file_size, Some(1234));
        assert_eq!(full[0].content_type.as_deref(), Some("video/mp4"));
        assert_eq!(
            urls(json!({"videos": [{"url": "https://c/1"}, {"url": "https://c/2"}]})),
            ["https://c/1", "https://c/2"]
        );
        assert_eq!(urls(json!({"video_url": "https://c/x"})), ["https://c/x"]);
        assert_eq!(
            urls(json!({"video": "https://c/s", "video_urls": ["https://c/s", "https://c/t"]})),
            ["https://c/s", "https://c/t"]
        );
        assert!(urls(json!({"image": {"url": "https://c/i.png"}})).is_empty());
        assert!(urls(Value::Null).is_empty());
    }
}
