//! Object stores (S3, Google Cloud Storage, Azure Blob) as destinations: each bucket's
//! store opened once per client and kept (`Buckets`), its errors told without credentials,
//! and the upload a download streams into.
//!
//! - `config`: a store configured from each cloud's standard settings;
//! - `aws_profile`: the AWS CLI's shared files, for `AWS_PROFILE`;
//! - `upload`: the parts of a multipart upload sent as the bytes come, in bounded memory.

mod aws_profile;
mod config;
mod upload;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use object_store::multipart::MultipartStore;
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::error::{Error, Result};
use crate::object_url::{ObjectUrl, Scheme};
use crate::redact::Redactor;

pub(crate) use config::known_option;
pub(crate) use upload::{ObjectSink, part_size};

/// What a store does for videohub: objects, and multipart uploads by id.
pub(crate) trait Store: ObjectStore + MultipartStore {}

impl<T: ObjectStore + MultipartStore> Store for T {}

/// One bucket's store, and the credentials it was given (removed from its messages).
pub(crate) struct Bucket {
    store: Arc<dyn Store>,
    /// `scheme://bucket`, to name it.
    root: String,
    secrets: Vec<String>,
}

impl fmt::Debug for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bucket").field("root", &self.root).finish()
    }
}

impl Bucket {
    fn new(url: &ObjectUrl, store: Arc<dyn Store>, secrets: Vec<String>) -> Bucket {
        let root = format!("{}://{}", url.scheme(), url.bucket());
        // Short values cannot be told from ordinary words (a test key of `k`).
        let secrets = secrets.into_iter().filter(|s| s.len() >= 4).collect();
        Bucket {
            store,
            root,
            secrets,
        }
    }

    /// The store.
    pub(crate) fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// The store's handle, shared with the tasks that send parts.
    pub(crate) fn shared(&self) -> Arc<dyn Store> {
        Arc::clone(&self.store)
    }

    /// The store's key of the object `url` names.
    pub(crate) fn key(&self, url: &ObjectUrl) -> Result<Key> {
        Key::parse(url.key()).map_err(|e| Error::BadDestination {
            destination: url.to_string(),
            reason: e.to_string(),
        })
    }

    /// `error` as it is shown: the store's message without the credentials it was given,
    /// bounded, and whether it names a cause another try will not mend.
    pub(crate) fn error(
        &self,
        action: &'static str,
        url: &ObjectUrl,
        error: object_store::Error,
    ) -> Error {
        let refused = matches!(
            error,
            object_store::Error::NotFound { .. }
                | object_store::Error::PermissionDenied { .. }
                | object_store::Error::Unauthenticated { .. }
        ) || is_missing_bucket(&error);
        Error::Storage {
            action,
            url: url.to_string(),
            message: self.shown(&error.to_string()),
            refused,
        }
    }

    /// `text` without the credentials, signatures and tokens, at most 600 characters.
    fn shown(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in &self.secrets {
            text = text.replace(secret.as_str(), "[redacted]");
        }
        let text = Redactor::default().string(text);
        let text = SIGNED.replace_all(&text, "$1=[redacted]");
        match text.char_indices().nth(600) {
            Some((at, _)) => format!("{}…", &text[..at]),
            None => text.into_owned(),
        }
    }

    /// Proves that objects can be written at `url`: a small object beside it put and
    /// deleted. A missing bucket, a denied write or a bad credential fails here.
    pub(crate) async fn probe(&self, url: &ObjectUrl) -> Result<()> {
        let name = format!(".videohub-probe-{:016x}", fastrand::u64(..));
        let probe = match url.key().rsplit_once('/') {
            Some((folder, _)) => format!("{folder}/{name}"),
            None => name,
        };
        let probe_url: ObjectUrl = format!("{}/{probe}", self.root).parse()?;
        let key = self.key(&probe_url)?;
        let payload = PutPayload::from_static(b"videohub destination check\n");
        self.store
            .put(&key, payload)
            .await
            .map_err(|e| self.error("cannot write to", url, e))?;
        self.store
            .delete(&key)
            .await
            .map_err(|e| self.error("cannot remove the trial object of", url, e))
    }
}

/// Query parameters that sign a request (`X-Amz-Signature`, `sig`, …).
static SIGNED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)\b(x-amz-signature|x-amz-credential|x-amz-security-token|sig|signature)=[^&\s<]+",
    )
    .expect("a valid pattern")
});

fn is_missing_bucket(error: &object_store::Error) -> bool {
    let text = error.to_string();
    text.contains("NoSuchBucket") || text.contains("ContainerNotFound")
}

/// The buckets a client has opened, each once.
#[derive(Default)]
pub(crate) struct Buckets {
    /// The client's own settings, applied after the environment's.
    options: Vec<(String, String)>,
    open: Mutex<HashMap<(Scheme, String), Arc<Bucket>>>,
}

impl Buckets {
    /// Buckets configured from the environment, then `options`.
    pub(crate) fn new(options: Vec<(String, String)>) -> Buckets {
        Buckets {
            options,
            open: Mutex::default(),
        }
    }

    /// The store of `url`'s bucket, opened on first use with the environment as it is then.
    pub(crate) fn get(&self, url: &ObjectUrl) -> Result<Arc<Bucket>> {
        let id = (url.scheme(), url.bucket().to_owned());
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bucket) = open.get(&id) {
            return Ok(Arc::clone(bucket));
        }
        let vars: Vec<(String, String)> = std::env::vars().collect();
        let bucket = Arc::new(config::open(url, &vars, &self.options)?);
        open.insert(id, Arc::clone(&bucket));
        Ok(bucket)
    }
}

/// An object saved: where, how large, its SHA-256 and the store's `ETag`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    /// The object.
    pub url: ObjectUrl,
    /// Its size in bytes.
    pub size: u64,
    /// The SHA-256 of its bytes, in lowercase hex.
    pub sha256: String,
    /// The store's entity tag of the object, when it gave one.
    pub etag: Option<String>,
}

/// A multipart upload started in a store: its object and the id the store gave it.
/// Recorded before its first part, it can be aborted by another process
/// ([`Client::abort_upload`](crate::Client::abort_upload)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    url: ObjectUrl,
    id: String,
}

impl Upload {
    /// The upload `id` of `url`, as recorded.
    pub fn new(url: ObjectUrl, id: impl Into<String>) -> Upload {
        Upload { url, id: id.into() }
    }

    /// The object it uploads.
    pub fn url(&self) -> &ObjectUrl {
        &self.url
    }

    /// The store's id of the upload.
    pub fn id(&self) -> &str {
        &self.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_lose_credentials_and_signatures() {
        let url: ObjectUrl = "s3://b/k".parse().unwrap();
        let store = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name("b")
            .with_region("us-east-1")
            .build()
            .unwrap();
        let bucket = Bucket::new(
            &url,
            Arc::new(store),
            vec!["AKIAEXAMPLE".into(), "wJalr/secret+key".into(), "k".into()],
        );
        let shown = bucket.shown(
            "<AWSAccessKeyId>AKIAEXAMPLE</AWSAccessKeyId> wJalr/secret+key \
             https://h/b/k?X-Amz-Signature=abc123&X-Amz-Credential=AKIA%2F20 Bearer tok3n",
        );
        for secret in ["AKIAEXAMPLE", "wJalr", "abc123", "AKIA%2F20", "tok3n"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("https://h/b/k"), "{shown}");
        assert!(format!("{bucket:?}").contains("s3://b"));
    }
}
