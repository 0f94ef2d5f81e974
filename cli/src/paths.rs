//! Where a batch line's file may go: inside the output folder, nowhere else.

use std::path::{Component, Path, PathBuf};

/// `path` joined to `out`, when it stays inside `out`: relative, without `..`, and not
/// through a symbolic link (of a folder or of the file itself) that leads out of `out`.
pub(crate) fn confined(out: &Path, path: &Path) -> Result<PathBuf, String> {
    if path.as_os_str().is_empty() {
        return Err("the output path is empty".into());
    }
    for component in path.components() {
        match component {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => {
                return Err(format!(
                    "the output path {} climbs out of --out with `..`: name a file inside it",
                    path.display()
                ));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!(
                    "the output path {} is absolute: name a file inside --out",
                    path.display()
                ));
            }
        }
    }
    let root = match out.canonicalize() {
        Ok(root) => root,
        // A folder not made yet holds no link: the path stays inside it.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out.join(path)),
        Err(e) => return Err(format!("cannot resolve {}: {e}", out.display())),
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
            return Err(format!(
                "the output path {} goes through the symbolic link {}, which leads out of --out",
                path.display(),
                current.display()
            ));
        }
    }
    Ok(out.join(path))
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
}
