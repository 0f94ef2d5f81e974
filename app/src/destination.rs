//! Where a generation's file goes, decided before anything is sent: the default name, a
//! file named by the user, a path confined to an output folder, and the check that a
//! folder takes files at all.
//!
//! A name is a template: `{model}`, `{task_id}` and `{job_id}` are replaced when the file
//! is saved (the task id is known only then), `{ext}` when the job is recorded.
//!
//! Wherever a path is taken, an object URL is too (`s3://bucket/key`, `gs://…`, `az://…`;
//! `file://` URLs are paths): a file named is an object, a folder is a prefix, and a name
//! in it is a key under it, confined to it as a path is to its folder. The path of such a
//! destination is the URL's text, which the journal records and saves to.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use videohub::{Destination, ObjectUrl};

/// The file name of a generation unless told otherwise: `veo-3.1-<task id>.mp4`.
pub const DEFAULT_NAME: &str = "{model}-{task_id}.{ext}";

/// Why a destination was refused; nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DestinationError(String);

/// The default name in `dir`.
///
/// ```
/// let path = videohub_app::destination::default_in("videos".as_ref());
/// assert_eq!(path, std::path::Path::new("videos/{model}-{task_id}.{ext}"));
/// ```
pub fn default_in(dir: &Path) -> PathBuf {
    dir.join(DEFAULT_NAME)
}

/// The file of a task followed without a job (no journal): the default name, rendered now,
/// in `dir`, with `extension` (that of the task's file, e.g. [`videohub::OutputFile::extension`]).
///
/// ```
/// let path = videohub_app::destination::for_task("".as_ref(), "veo-3.1", "t/1", "mp4");
/// assert_eq!(path, std::path::Path::new("veo-3.1-t_1.mp4"));
/// ```
pub fn for_task(dir: &Path, model: &str, task_id: &str, extension: &str) -> PathBuf {
    let name = DEFAULT_NAME.replace("{ext}", extension);
    videohub_journal::render_output(&dir.join(name), model, task_id, task_id)
}

/// What `path` names: a path (a `file://` URL's path), or an object or prefix. A URL of a
/// scheme no store serves, or a key that climbs, is refused; so is an object URL when the
/// object stores are not built in.
fn parse(path: &Path) -> Result<Destination, DestinationError> {
    let destination = Destination::parse(path).map_err(|e| DestinationError(e.to_string()))?;
    match destination {
        #[cfg(not(feature = "object-store"))]
        Destination::Object(url) => Err(DestinationError(format!(
            "cannot save to {url}: saving to {}:// needs videohub's `object-store` feature",
            url.scheme()
        ))),
        destination => Ok(destination),
    }
}

/// The path that stands for the object or prefix `url`: its text.
fn object_path(url: &ObjectUrl) -> PathBuf {
    PathBuf::from(url.to_string())
}

/// A file the user named (or the default name in the current folder), made absolute so
/// that a job resumed from elsewhere saves it in the same place. Its folder must exist, and
/// it must not be a folder itself. An object URL must name an object, not a prefix.
pub fn file(path: Option<&Path>) -> Result<PathBuf, DestinationError> {
    let path = match parse(path.unwrap_or(Path::new(DEFAULT_NAME)))? {
        Destination::Path(path) => path,
        Destination::Object(url) if url.names_object() => return Ok(object_path(&url)),
        Destination::Object(url) => {
            return Err(DestinationError(format!(
                "the output {url} names a bucket or a prefix: name an object in it \
                 ({url}/fox.mp4, or {url}/{DEFAULT_NAME})"
            )));
        }
    };
    let path = path.as_path();
    let absolute = std::path::absolute(path).map_err(|e| {
        DestinationError(format!(
            "cannot use the output path {}: {e}",
            path.display()
        ))
    })?;
    let dir = absolute.parent().unwrap_or(Path::new("/"));
    if !dir.is_dir() {
        return Err(DestinationError(format!(
            "the output directory {} does not exist: create it first",
            dir.display()
        )));
    }
    if absolute.is_dir() {
        return Err(DestinationError(format!(
            "the output path {} is a directory: name a file in it",
            absolute.display()
        )));
    }
    Ok(absolute)
}

/// A file in the output folder `dir`: `name` (a relative path inside it, its folders
/// made, `.ext` added when it has no extension), or the default name. A name that leaves
/// the folder is refused.
pub fn in_folder(dir: &Path, name: Option<&str>) -> Result<PathBuf, DestinationError> {
    let dir = match parse(dir)? {
        Destination::Path(dir) => dir,
        Destination::Object(prefix) => {
            let name = name
                .filter(|n| !n.trim().is_empty())
                .unwrap_or(DEFAULT_NAME);
            let mut path = OutputFolder::new(object_path(&prefix)).confine(Path::new(name))?;
            if path.extension().is_none() {
                path.set_extension("{ext}");
            }
            return Ok(path);
        }
    };
    let dir = dir.as_path();
    let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
        return Ok(default_in(dir));
    };
    let relative = Path::new(name);
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(DestinationError(format!(
            "the output `{name}` must be a file name or a relative path inside {} (no `..`, not absolute)",
            dir.display()
        )));
    }
    let mut path = confined(dir, relative)?;
    if path.extension().is_none() {
        path.set_extension("{ext}");
    }
    if path.is_dir() {
        return Err(DestinationError(format!(
            "the output {} is a directory: name a file in it",
            path.display()
        )));
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            DestinationError(format!(
                "cannot make the directory {}: {e}",
                parent.display()
            ))
        })?;
    }
    Ok(path)
}

/// `path` joined to `out`, when it stays inside `out`: relative, without `..`, and not
/// through a symbolic link (of a folder or of the file itself) that leads out of `out`
/// ([`OutputFolder::confine`] for one path).
pub fn confined(out: &Path, path: &Path) -> Result<PathBuf, DestinationError> {
    OutputFolder::new(out.to_path_buf()).confine(path)
}

/// An output folder that many paths are confined to (a batch's `--out`): resolved once,
/// and each folder inside it looked up once (the last thousand, when there are more). A
/// prefix of objects (`s3://bucket/runs/`) is one too: its keys are the paths' segments.
#[derive(Debug, Clone)]
pub struct OutputFolder {
    out: PathBuf,
    /// The prefix `out` names, when it names one.
    prefix: Option<ObjectUrl>,
    /// Its real path, when it exists; a folder not made yet holds no link.
    root: Result<Option<PathBuf>, DestinationError>,
    /// Folders inside it found to be no link out of it.
    inside: HashSet<PathBuf>,
}

/// Folders an [`OutputFolder`] remembers at most.
const REMEMBERED: usize = 1_024;

impl OutputFolder {
    /// The folder `out`.
    pub fn new(out: PathBuf) -> OutputFolder {
        let (out, prefix) = match parse(&out) {
            Ok(Destination::Object(prefix)) => {
                return OutputFolder {
                    out: object_path(&prefix),
                    prefix: Some(prefix),
                    root: Ok(None),
                    inside: HashSet::new(),
                };
            }
            Ok(Destination::Path(path)) => (path, None),
            Err(problem) => {
                return OutputFolder {
                    out,
                    prefix: None,
                    root: Err(problem),
                    inside: HashSet::new(),
                };
            }
        };
        let root = match out.canonicalize() {
            Ok(root) => Ok(Some(root)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(DestinationError(format!(
                "cannot resolve {}: {e}",
                out.display()
            ))),
        };
        OutputFolder {
            out,
            prefix,
            root,
            inside: HashSet::new(),
        }
    }

    /// `path` joined to the folder, when it stays inside it: relative, without `..`, and
    /// not through a symbolic link (of a folder or of the file itself) that leads out of
    /// it. A file whose name is made when it is saved (with `{task_id}` or `{job_id}`) is
    /// no file yet, and is not looked up.
    ///
    /// ```
    /// use videohub_app::destination::OutputFolder;
    ///
    /// let mut out = OutputFolder::new("videos".into());
    /// assert_eq!(out.confine("a/{task_id}.mp4".as_ref()).unwrap(), std::path::Path::new("videos/a/{task_id}.mp4"));
    /// assert!(out.confine("../a.mp4".as_ref()).is_err());
    /// ```
    pub fn confine(&mut self, path: &Path) -> Result<PathBuf, DestinationError> {
        let refuse = |message: String| Err(DestinationError(message));
        if path.as_os_str().is_empty() {
            return refuse("the output path is empty".into());
        }
        for component in path.components() {
            match component {
                Component::Normal(_) | Component::CurDir => {}
                Component::ParentDir => {
                    return refuse(format!(
                        "the output path {} climbs out of {} with `..`: name a file inside it",
                        path.display(),
                        self.out.display()
                    ));
                }
                Component::RootDir | Component::Prefix(_) => {
                    return refuse(format!(
                        "the output path {} is absolute: name a file inside {}",
                        path.display(),
                        self.out.display()
                    ));
                }
            }
        }
        if let Some(prefix) = &self.prefix {
            let segments: Vec<_> = path
                .components()
                .filter_map(|c| match c {
                    Component::Normal(segment) => Some(segment.to_string_lossy()),
                    _ => None,
                })
                .collect();
            let key = prefix
                .join(&segments.join("/"))
                .map_err(|e| DestinationError(e.to_string()))?;
            return Ok(object_path(&key));
        }
        let root = match &self.root {
            Ok(Some(root)) => root,
            Ok(None) => return Ok(self.out.join(path)),
            Err(problem) => return Err(problem.clone()),
        };
        let mut folders = path.components();
        let file = folders.next_back().filter(|file| {
            let name = file.as_os_str().to_string_lossy();
            !name.contains("{task_id}") && !name.contains("{job_id}")
        });
        // Made only for a path with folders, or a file to look up.
        let mut current = None;
        for folder in folders {
            let current = current.get_or_insert_with(|| self.out.clone());
            current.push(folder);
            if self.inside.contains(current) {
                continue;
            }
            match leads_out(current, root) {
                Some(false) => {}
                // Nothing there: nothing deeper either.
                None => return Ok(self.out.join(path)),
                Some(true) => return Err(self.through_link(path, current)),
            }
            if self.inside.len() == REMEMBERED {
                self.inside.clear();
            }
            self.inside.insert(current.clone());
        }
        if let Some(file) = file {
            let mut current = current.unwrap_or_else(|| self.out.clone());
            current.push(file);
            if leads_out(&current, root) == Some(true) {
                return Err(self.through_link(path, &current));
            }
        }
        Ok(self.out.join(path))
    }

    /// The refusal of `path`, which goes through the link `link`.
    fn through_link(&self, path: &Path, link: &Path) -> DestinationError {
        DestinationError(format!(
            "the output path {} goes through the symbolic link {}, which leads out of {}",
            path.display(),
            link.display(),
            self.out.display()
        ))
    }
}

/// Whether `path` is a symbolic link that leads out of `root`; `None` when nothing is
/// there.
fn leads_out(path: &Path, root: &Path) -> Option<bool> {
    let metadata = std::fs::symlink_metadata(path).ok()?;
    Some(
        metadata.file_type().is_symlink()
            && !path.canonicalize().is_ok_and(|real| real.starts_with(root)),
    )
}

/// The output folder `dir` of a front-end that saves many files (the studio, the MCP
/// server), made absolute so that jobs resumed from elsewhere save in the same place, and
/// created first when `create`; a prefix of objects is kept as written.
pub fn folder(dir: &Path, create: bool) -> Result<PathBuf, DestinationError> {
    let dir = match parse(dir)? {
        Destination::Path(dir) => dir,
        Destination::Object(prefix) => return Ok(object_path(&prefix)),
    };
    let failed = |e: std::io::Error| {
        DestinationError(format!(
            "cannot use the output directory {}: {e}",
            dir.display()
        ))
    };
    if create {
        std::fs::create_dir_all(&dir).map_err(failed)?;
    }
    std::path::absolute(&dir).map_err(failed)
}

/// Checks that the output folder `dir` exists and takes files (a part file is created
/// there and removed, as a download does), before anything is sent. A prefix of objects is
/// checked for its form here; the store is tried before each submit.
pub fn check_folder(dir: &Path) -> Result<(), DestinationError> {
    let dir = match parse(dir)? {
        Destination::Path(dir) => dir,
        Destination::Object(_) => return Ok(()),
    };
    let dir = dir.as_path();
    if !dir.is_dir() {
        return Err(DestinationError(format!(
            "the output directory {} does not exist: create it first",
            dir.display()
        )));
    }
    videohub::__private::check_destination(default_in(dir).with_extension("mp4"))
        .map_err(|e| DestinationError(format!("cannot save files in {}: {e}", dir.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_inside_the_folder_are_taken() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::create_dir(out.join("clips")).unwrap();
        for ok in ["a.mp4", "clips/a.mp4", "./new/b.mp4"] {
            assert_eq!(confined(out, Path::new(ok)), Ok(out.join(ok)), "{ok}");
        }
        for bad in ["../x.mp4", "clips/../../x.mp4", "/tmp/x.mp4", ""] {
            assert!(confined(out, Path::new(bad)).is_err(), "{bad}");
        }
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), out.join("away")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", out.join("passwd.mp4")).unwrap();
        std::os::unix::fs::symlink(out.join("clips"), out.join("near")).unwrap();
        assert!(confined(out, Path::new("away/x.mp4")).is_err());
        assert!(confined(out, Path::new("passwd.mp4")).is_err());
        assert!(
            confined(out, Path::new("near/x.mp4")).is_ok(),
            "a link that stays inside"
        );
        // A name made when the file is saved names no file yet; its folders are checked,
        // each once by a folder that confines many paths.
        std::os::unix::fs::symlink("/etc/passwd", out.join("{task_id}.mp4")).unwrap();
        assert!(confined(out, Path::new("{task_id}.mp4")).is_ok());
        let mut folder = OutputFolder::new(out.to_path_buf());
        assert!(folder.confine(Path::new("away/{task_id}.mp4")).is_err());
        assert!(folder.confine(Path::new("clips/{task_id}.mp4")).is_ok());
        std::fs::remove_dir(out.join("clips")).unwrap();
        std::os::unix::fs::symlink(outside.path(), out.join("clips")).unwrap();
        assert!(
            folder.confine(Path::new("clips/{task_id}.mp4")).is_ok(),
            "looked up once"
        );
        assert!(confined(out, Path::new("clips/{task_id}.mp4")).is_err());
    }

    #[test]
    fn a_name_in_the_folder_gets_its_folders_and_extension() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        assert_eq!(in_folder(out, None), Ok(default_in(out)));
        assert_eq!(in_folder(out, Some("  ")), Ok(default_in(out)));
        assert_eq!(
            in_folder(out, Some("clips/fox")),
            Ok(out.join("clips/fox.{ext}"))
        );
        assert!(out.join("clips").is_dir());
        assert_eq!(in_folder(out, Some("fox.webm")), Ok(out.join("fox.webm")));
        for bad in ["../x.mp4", "/tmp/x.mp4"] {
            assert!(in_folder(out, Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_named_file_is_absolute_in_a_folder_that_exists() {
        let dir = tempfile::tempdir().unwrap();
        let named = dir.path().join("fox.mp4");
        assert_eq!(file(Some(&named)), Ok(named));
        assert!(file(Some(&dir.path().join("missing/fox.mp4"))).is_err());
        assert!(file(Some(dir.path())).is_err());
        assert!(file(None).unwrap().is_absolute());
    }

    #[test]
    fn a_folder_is_checked_by_writing_in_it() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(check_folder(dir.path()), Ok(()));
        assert!(check_folder(&dir.path().join("missing")).is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[cfg(feature = "object-store")]
    #[test]
    fn object_urls_are_destinations_confined_to_their_prefix() {
        let named = Path::new("s3://renders/fleet/{model}-{task_id}.{ext}");
        assert_eq!(file(Some(named)), Ok(named.to_path_buf()));
        assert!(file(Some(Path::new("s3://renders/fleet/"))).is_err());
        assert!(file(Some(Path::new("ftp://host/x.mp4"))).is_err());
        assert_eq!(
            file(Some(Path::new("file:///tmp/fox.mp4"))),
            Ok(PathBuf::from("/tmp/fox.mp4"))
        );
        let prefix = Path::new("gs://renders/runs");
        assert_eq!(
            in_folder(prefix, Some("a/fox")),
            Ok(PathBuf::from("gs://renders/runs/a/fox.{ext}"))
        );
        assert_eq!(
            in_folder(prefix, None),
            Ok(PathBuf::from("gs://renders/runs/{model}-{task_id}.{ext}"))
        );
        let mut folder = OutputFolder::new("s3://renders/runs/".into());
        assert_eq!(
            folder.confine(Path::new("./a/{task_id}.mp4")),
            Ok(PathBuf::from("s3://renders/runs/a/{task_id}.mp4"))
        );
        for bad in ["../x.mp4", "a/../../x.mp4", "/x.mp4"] {
            assert!(folder.confine(Path::new(bad)).is_err(), "{bad}");
            assert!(in_folder(prefix, Some(bad)).is_err(), "{bad}");
        }
        assert!(folder.confine(Path::new("")).is_err());
        assert_eq!(check_folder(prefix), Ok(()));
        assert_eq!(super::folder(prefix, true), Ok(prefix.to_path_buf()));
        assert!(!Path::new("gs:").exists(), "no local folder named `gs:`");
        assert!(check_folder(Path::new("s3://renders/../x")).is_err());
    }
}
