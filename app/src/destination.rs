//! Where a generation's file goes, decided before anything is sent: the default name, a
//! file named by the user, a path confined to an output folder, and the check that a
//! folder takes files at all.
//!
//! A name is a template: `{model}`, `{task_id}` and `{job_id}` are replaced when the file
//! is saved (the task id is known only then), `{ext}` when the job is recorded.

use std::path::{Component, Path, PathBuf};

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

/// A file the user named (or the default name in the current folder), made absolute so
/// that a job resumed from elsewhere saves it in the same place. Its folder must exist, and
/// it must not be a folder itself.
pub fn file(path: Option<&Path>) -> Result<PathBuf, DestinationError> {
    let path = path.unwrap_or(Path::new(DEFAULT_NAME));
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
/// through a symbolic link (of a folder or of the file itself) that leads out of `out`.
pub fn confined(out: &Path, path: &Path) -> Result<PathBuf, DestinationError> {
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
                    out.display()
                ));
            }
            Component::RootDir | Component::Prefix(_) => {
                return refuse(format!(
                    "the output path {} is absolute: name a file inside {}",
                    path.display(),
                    out.display()
                ));
            }
        }
    }
    let root = match out.canonicalize() {
        Ok(root) => root,
        // A folder not made yet holds no link: the path stays inside it.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out.join(path)),
        Err(e) => return refuse(format!("cannot resolve {}: {e}", out.display())),
    };
    let mut current = out.to_path_buf();
    for component in path.components() {
        current.push(component);
        let Ok(metadata) = std::fs::symlink_metadata(&current) else {
            break;
        };
        if metadata.file_type().is_symlink()
            && !current
                .canonicalize()
                .is_ok_and(|real| real.starts_with(&root))
        {
            return refuse(format!(
                "the output path {} goes through the symbolic link {}, which leads out of {}",
                path.display(),
                current.display(),
                out.display()
            ));
        }
    }
    Ok(out.join(path))
}

/// Checks that the output folder `dir` exists and takes files (a part file is created
/// there and removed, as a download does), before anything is sent.
pub fn check_folder(dir: &Path) -> Result<(), DestinationError> {
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
}
