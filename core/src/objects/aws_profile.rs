//! The AWS CLI's shared files, read as it reads them: the profile `AWS_PROFILE` names (else
//! `default`), its keys from `~/.aws/credentials` (or `AWS_SHARED_CREDENTIALS_FILE`) and
//! `~/.aws/config` (or `AWS_CONFIG_FILE`, where a profile's section is `[profile NAME]`,
//! the default's `[default]`), the credentials file winning for a key in both.
//!
//! Only a profile's static keys, region and endpoint are read; a profile that gets its
//! credentials another way (a role, single sign-on, a process) is named in an error that
//! says how to hand them over instead.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::error::{Error, Result};

/// An INI file as the AWS CLI writes it: sections of `key = value` lines.
type Ini = HashMap<String, HashMap<String, String>>;

/// What a profile holds that a store uses.
#[derive(Default, PartialEq, Eq)]
pub(super) struct Profile {
    /// `aws_access_key_id`, `aws_secret_access_key` and `aws_session_token`, when the
    /// profile has the first two.
    pub(super) keys: Option<Keys>,
    /// `region`.
    pub(super) region: Option<String>,
    /// `endpoint_url`.
    pub(super) endpoint_url: Option<String>,
}

/// A profile's static credentials.
#[derive(PartialEq, Eq)]
pub(super) struct Keys {
    pub(super) access_key_id: String,
    pub(super) secret_access_key: String,
    pub(super) session_token: Option<String>,
}

/// Keys that say a profile's credentials come from elsewhere than its files.
const ELSEWHERE: [&str; 5] = [
    "role_arn",
    "sso_session",
    "sso_start_url",
    "credential_process",
    "web_identity_token_file",
];

/// The profile the environment names (through `env`), read from the shared files.
/// `Ok(None)` when no profile is named and the files hold no `default` one.
pub(super) fn read(env: &dyn Fn(&str) -> Option<String>) -> Result<Option<Profile>> {
    let named = env("AWS_PROFILE").or_else(|| env("AWS_DEFAULT_PROFILE"));
    let name = named.clone().unwrap_or_else(|| "default".to_owned());
    let home = env("HOME")
        .or_else(|| env("USERPROFILE"))
        .map(PathBuf::from);
    let file = |variable: &str, default: &str| {
        env(variable)
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|home| home.join(".aws").join(default)))
    };
    let credentials = load(file("AWS_SHARED_CREDENTIALS_FILE", "credentials"))?;
    let config = load(file("AWS_CONFIG_FILE", "config"))?;
    let config_section = match name.as_str() {
        "default" => "default".to_owned(),
        name => format!("profile {name}"),
    };
    let from_credentials = credentials.as_ref().and_then(|f| f.get(&name));
    let from_config = config.as_ref().and_then(|f| f.get(&config_section));
    if from_credentials.is_none() && from_config.is_none() {
        return match named {
            Some(name) => Err(Error::Config {
                message: format!(
                    "the AWS profile `{name}` (AWS_PROFILE) is in neither the credentials \
                     nor the config file of ~/.aws (or AWS_SHARED_CREDENTIALS_FILE, \
                     AWS_CONFIG_FILE)"
                ),
            }),
            None => Ok(None),
        };
    }
    let get = |key: &str| {
        from_credentials
            .and_then(|s| s.get(key))
            .or_else(|| from_config.and_then(|s| s.get(key)))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let keys = match (get("aws_access_key_id"), get("aws_secret_access_key")) {
        (Some(access_key_id), Some(secret_access_key)) => Some(Keys {
            access_key_id,
            secret_access_key,
            session_token: get("aws_session_token"),
        }),
        _ => None,
    };
    if keys.is_none()
        && let Some(way) = ELSEWHERE.into_iter().find(|key| get(key).is_some())
    {
        return Err(Error::Config {
            message: format!(
                "the AWS profile `{name}` gets its credentials through `{way}`, which videohub \
                 does not follow: export them for the command with \
                 `eval \"$(aws configure export-credentials --profile {name} --format env)\"`"
            ),
        });
    }
    Ok(Some(Profile {
        keys,
        region: get("region"),
        endpoint_url: get("endpoint_url"),
    }))
}

/// The INI file at `path`; `None` when there is none.
fn load(path: Option<PathBuf>) -> Result<Option<Ini>> {
    let Some(path) = path else { return Ok(None) };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Io {
                action: "cannot read the AWS settings in",
                path,
                source,
            });
        }
    };
    Ok(Some(parse(&text)))
}

/// The sections of an AWS settings file: `[name]` then `key = value` lines; blank lines and
/// comments (`#`, `;`) skipped; values taken as written (secrets hold `/`, `+` and `\`);
/// a nested setting (`s3 =` then indented lines) kept as its first line, which is empty.
fn parse(text: &str) -> Ini {
    let mut sections = Ini::new();
    let mut current: Option<&mut HashMap<String, String>> = None;
    for line in text.lines() {
        let nested = line.starts_with([' ', '\t']);
        let line = line.trim();
        if line.is_empty() || line.starts_with(['#', ';']) || nested {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(sections.entry(name.trim().to_owned()).or_default());
        } else if let (Some(section), Some((key, value))) = (current.as_mut(), line.split_once('='))
        {
            section.insert(key.trim().to_owned(), value.trim().to_owned());
        }
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read_with(vars: &[(&str, &str)], files: &[(&str, &str)]) -> Result<Option<Profile>> {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join(".aws")).unwrap();
        for (name, text) in files {
            std::fs::write(home.path().join(".aws").join(name), text).unwrap();
        }
        let mut vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        vars.insert("HOME".into(), home.path().display().to_string());
        read(&|name| vars.get(name).cloned())
    }

    const CREDENTIALS: &str = "[default]\naws_access_key_id = AKIDEFAULT\n\
        aws_secret_access_key = def/ault+secret\n\n[render]\naws_access_key_id=AKIRENDER\n\
        aws_secret_access_key=render\\secret\naws_session_token = tok\n";
    const CONFIG: &str = "[default]\nregion = eu-west-1\n\n[profile render]\nregion = us-west-2\n\
        endpoint_url = http://127.0.0.1:9000\ns3 =\n  addressing_style = path\n\n\
        [profile sso]\nsso_session = corp\n";

    #[test]
    fn the_named_profile_from_both_files() {
        let files = [("credentials", CREDENTIALS), ("config", CONFIG)];
        let profile = read_with(&[("AWS_PROFILE", "render")], &files)
            .unwrap()
            .unwrap();
        let keys = profile.keys.unwrap();
        assert_eq!(keys.access_key_id, "AKIRENDER");
        assert_eq!(keys.secret_access_key, "render\\secret");
        assert_eq!(keys.session_token.as_deref(), Some("tok"));
        assert_eq!(profile.region.as_deref(), Some("us-west-2"));
        assert_eq!(
            profile.endpoint_url.as_deref(),
            Some("http://127.0.0.1:9000")
        );
    }

    #[test]
    fn the_default_profile_when_none_is_named() {
        let files = [("credentials", CREDENTIALS), ("config", CONFIG)];
        let profile = read_with(&[], &files).unwrap().unwrap();
        assert_eq!(profile.keys.unwrap().secret_access_key, "def/ault+secret");
        assert_eq!(profile.region.as_deref(), Some("eu-west-1"));
        assert!(
            read_with(&[], &[]).unwrap().is_none(),
            "no files, no profile"
        );
    }

    #[test]
    fn a_missing_or_indirect_profile_is_named() {
        let files = [("credentials", CREDENTIALS), ("config", CONFIG)];
        let missing = read_with(&[("AWS_PROFILE", "nope")], &files).err().unwrap();
        assert!(missing.to_string().contains("`nope`"), "{missing}");
        let sso = read_with(&[("AWS_PROFILE", "sso")], &files).err().unwrap();
        assert!(sso.to_string().contains("export-credentials"), "{sso}");
    }

    #[test]
    fn comments_blank_lines_and_nested_settings_are_skipped() {
        let ini = parse("# top\n[a]\n; note\nk = v = w\n\n  indented = no\n[ b ]\nx=1\n");
        assert_eq!(ini["a"]["k"], "v = w");
        assert!(!ini["a"].contains_key("indented"));
        assert_eq!(ini["b"]["x"], "1");
    }

    #[test]
    fn the_files_the_environment_names() {
        let dir = tempfile::tempdir().unwrap();
        let credentials = dir.path().join("creds");
        std::fs::write(&credentials, CREDENTIALS).unwrap();
        let vars: HashMap<&str, String> = [
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                credentials.display().to_string(),
            ),
            ("AWS_PROFILE", "render".into()),
        ]
        .into();
        let profile = read(&|name| vars.get(name).cloned()).unwrap().unwrap();
        assert_eq!(profile.keys.unwrap().access_key_id, "AKIRENDER");
        assert_eq!(profile.region, None);
    }
}
