//! Where a file is saved: a local path, or an object in a bucket (`s3://bucket/key`,
//! `gs://bucket/key`, `az://container/key`). Told apart by their text, so that every place
//! taking a path takes an object URL too; `file://` names a path. Parsing needs no feature:
//! without `object-store`, an object URL is refused by name rather than taken for a folder
//! called `s3:`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::error::{Error, Result};

/// A kind of object store, by the scheme of its URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Scheme {
    /// Amazon S3, or a store speaking its API (MinIO, R2, Ceph…): `s3://bucket/key`.
    S3,
    /// Google Cloud Storage: `gs://bucket/key`.
    Gcs,
    /// Azure Blob Storage: `az://container/key`.
    Azure,
}

impl Scheme {
    /// Every scheme.
    pub const ALL: [Scheme; 3] = [Scheme::S3, Scheme::Gcs, Scheme::Azure];

    /// The scheme's name in URLs: `s3`, `gs`, `az`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::S3 => "s3",
            Scheme::Gcs => "gs",
            Scheme::Azure => "az",
        }
    }

    fn named(name: &str) -> Option<Scheme> {
        Scheme::ALL
            .into_iter()
            .find(|scheme| scheme.as_str().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An object in a bucket, or a prefix (a key ending in `/`, or none) where objects go:
/// `s3://bucket/videos/fox.mp4`, `gs://bucket/runs/`, `az://container`.
///
/// The key is taken as written (no percent-decoding), with `/` between its segments; a
/// segment that is empty, `.` or `..` is refused, so a key never climbs out of its prefix.
///
/// ```
/// use videohub_core::{ObjectUrl, Scheme};
///
/// let url: ObjectUrl = "s3://studio-renders/fleet/fox.mp4".parse()?;
/// assert_eq!(url.scheme(), Scheme::S3);
/// assert_eq!((url.bucket(), url.key()), ("studio-renders", "fleet/fox.mp4"));
/// assert!(url.names_object());
/// let prefix: ObjectUrl = "gs://studio-renders/fleet/".parse()?;
/// assert_eq!(prefix.join("fox.mp4")?, "gs://studio-renders/fleet/fox.mp4".parse()?);
/// assert!("s3://studio-renders/../x".parse::<ObjectUrl>().is_err());
/// # Ok::<(), videohub_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectUrl {
    scheme: Scheme,
    bucket: String,
    key: String,
}

impl ObjectUrl {
    /// The store's kind.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The bucket (for Azure, the container).
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The key inside the bucket: empty for the bucket itself, ending in `/` for a prefix.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Whether the URL names an object (a key not empty, not ending in `/`), not a prefix.
    pub fn names_object(&self) -> bool {
        !self.key.is_empty() && !self.key.ends_with('/')
    }

    /// [`Error::BadDestination`] unless the URL names an object.
    #[cfg(feature = "object-store")]
    pub(crate) fn expect_object(&self) -> Result<()> {
        if self.names_object() {
            return Ok(());
        }
        Err(Error::BadDestination {
            destination: self.to_string(),
            reason: "it names a bucket or a prefix (ending in `/`), not an object".into(),
        })
    }

    /// The object or prefix `name` (one or more `/`-separated segments) under this URL,
    /// taken as a prefix: `s3://b/runs` joined with `fox.mp4` is `s3://b/runs/fox.mp4`.
    /// A name that is empty, absolute, or holds an empty, `.` or `..` segment is refused:
    /// it stays inside the prefix.
    pub fn join(&self, name: &str) -> Result<ObjectUrl> {
        let bad = |reason: &str| Error::BadDestination {
            destination: format!("{self} + {name}"),
            reason: reason.to_owned(),
        };
        if name.is_empty() || name.starts_with('/') {
            return Err(bad("the name must be relative and not empty"));
        }
        let key = match self.key.as_str() {
            "" => name.to_owned(),
            prefix if prefix.ends_with('/') => format!("{prefix}{name}"),
            prefix => format!("{prefix}/{name}"),
        };
        check_key(&key).map_err(|reason| bad(&reason))?;
        Ok(ObjectUrl {
            key,
            ..self.clone()
        })
    }

    /// The object URL a path's text holds: `Ok(None)` for a path (`file://` ones included),
    /// an error for a URL of a scheme no store serves or one that names no bucket.
    fn in_text(text: &str) -> Result<Option<ObjectUrl>> {
        let Some((scheme, rest)) = text.split_once("://") else {
            return Ok(None);
        };
        // `C:\…` and `./a://b` are paths: a scheme is two letters or more, and nothing else.
        if scheme.len() < 2 || !scheme.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Ok(None);
        }
        if scheme.eq_ignore_ascii_case("file") {
            return Ok(None);
        }
        let bad = |reason: String| Error::BadDestination {
            destination: text.to_owned(),
            reason,
        };
        let scheme = Scheme::named(scheme).ok_or_else(|| {
            bad(format!(
                "`{scheme}://` is not a store videohub saves to (s3://, gs://, az:// or a path)"
            ))
        })?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty()
            || !bucket
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(bad(format!(
                "`{bucket}` is not a bucket name (letters, digits, `-`, `_` and `.`)"
            )));
        }
        if !key.is_empty() {
            check_key(key.strip_suffix('/').unwrap_or(key)).map_err(bad)?;
        }
        Ok(Some(ObjectUrl {
            scheme,
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        }))
    }
}

/// Why `key` (without a final `/`) is no key an object may have.
fn check_key(key: &str) -> Result<(), String> {
    if key.chars().any(char::is_control) {
        return Err("a key holds no control characters".into());
    }
    match key
        .split('/')
        .find(|s| s.is_empty() || *s == "." || *s == "..")
    {
        Some(segment) => Err(format!(
            "a key's segments are not empty, `.` or `..` (found `{segment}`)"
        )),
        None => Ok(()),
    }
}

impl fmt::Display for ObjectUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.bucket)?;
        if !self.key.is_empty() {
            write!(f, "/{}", self.key)?;
        }
        Ok(())
    }
}

impl FromStr for ObjectUrl {
    type Err = Error;

    fn from_str(text: &str) -> Result<ObjectUrl> {
        ObjectUrl::in_text(text)?.ok_or_else(|| Error::BadDestination {
            destination: text.to_owned(),
            reason: "not an object URL (s3://bucket/key, gs://bucket/key, az://container/key)"
                .into(),
        })
    }
}

/// Where a file goes: a path on this machine, or an object in a bucket.
///
/// [`Destination::parse`] reads what a user typed where a path is taken: `s3://`, `gs://`
/// and `az://` URLs name objects, `file://` URLs and everything else name paths.
///
/// ```
/// use std::path::PathBuf;
/// use videohub_core::Destination;
///
/// assert!(matches!(Destination::parse("s3://b/fox.mp4")?, Destination::Object(_)));
/// assert_eq!(Destination::parse("file:///tmp/fox.mp4")?, Destination::Path(PathBuf::from("/tmp/fox.mp4")));
/// assert_eq!(Destination::parse("out/fox.mp4")?, Destination::Path(PathBuf::from("out/fox.mp4")));
/// assert!(Destination::parse("ftp://host/fox.mp4").is_err());
/// # Ok::<(), videohub_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Destination {
    /// A file (or folder) on this machine.
    Path(PathBuf),
    /// An object (or prefix) in a bucket.
    Object(ObjectUrl),
}

impl Destination {
    /// The destination `path` names: an object for an `s3://`, `gs://` or `az://` URL, a
    /// path for a `file://` URL or any other text. [`Error::BadDestination`] for a URL of
    /// another scheme (`ftp://…`), one without a bucket, or a key that climbs (`..`).
    pub fn parse(path: impl AsRef<Path>) -> Result<Destination> {
        let path = path.as_ref();
        let Some(text) = path.to_str() else {
            return Ok(Destination::Path(path.to_path_buf()));
        };
        if let Some(object) = ObjectUrl::in_text(text)? {
            return Ok(Destination::Object(object));
        }
        match text.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("file") => {
                // `file:///abs/path` or `file://localhost/abs/path`.
                let rest = rest.strip_prefix("localhost").unwrap_or(rest);
                if !rest.starts_with('/') {
                    return Err(Error::BadDestination {
                        destination: text.to_owned(),
                        reason: "a file:// URL names an absolute path on this machine \
                                 (file:///folder/name)"
                            .into(),
                    });
                }
                Ok(Destination::Path(PathBuf::from(rest)))
            }
            _ => Ok(Destination::Path(path.to_path_buf())),
        }
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Path(path) => path.display().fmt(f),
            Destination::Object(url) => url.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(text: &str) -> ObjectUrl {
        text.parse().unwrap()
    }

    #[test]
    fn urls_of_each_store() {
        let s3 = object("s3://b/x/fox.mp4");
        assert_eq!(
            (s3.scheme(), s3.bucket(), s3.key()),
            (Scheme::S3, "b", "x/fox.mp4")
        );
        assert_eq!(object("GS://b/k").scheme(), Scheme::Gcs);
        let container = object("az://renders");
        assert_eq!((container.bucket(), container.key()), ("renders", ""));
        assert!(!container.names_object());
        assert!(!object("s3://b/runs/").names_object());
        assert_eq!(object("s3://b/runs/").to_string(), "s3://b/runs/");
    }

    #[test]
    fn keys_stay_inside_their_prefix() {
        for bad in [
            "s3://b/../x",
            "s3://b/a//x",
            "s3://b/./x",
            "s3://b/a/..",
            "s3:///x",
        ] {
            assert!(bad.parse::<ObjectUrl>().is_err(), "{bad}");
        }
        let prefix = object("s3://b/runs");
        assert_eq!(
            prefix.join("a/fox.mp4").unwrap(),
            object("s3://b/runs/a/fox.mp4")
        );
        for bad in ["", "/etc/x", "../x", "a/../../x", "a//x"] {
            assert!(prefix.join(bad).is_err(), "{bad}");
        }
        assert_eq!(object("s3://b").join("x").unwrap(), object("s3://b/x"));
    }

    #[test]
    fn paths_stay_paths() {
        for path in ["fox.mp4", "./out/s3:x", "C:\\videos\\fox.mp4", "a://b"] {
            assert_eq!(
                Destination::parse(path).unwrap(),
                Destination::Path(path.into())
            );
        }
        assert_eq!(
            Destination::parse("file://localhost/tmp/x.mp4").unwrap(),
            Destination::Path("/tmp/x.mp4".into())
        );
        assert!(Destination::parse("file://relative/x.mp4").is_err());
        let error = Destination::parse("ftp://host/x").unwrap_err().to_string();
        assert!(error.contains("ftp://"), "{error}");
    }
}
