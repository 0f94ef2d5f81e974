//! A bucket's store, configured from the settings each cloud's own tools read, then the
//! client's [`storage_option`](crate::ClientBuilder::storage_option)s:
//!
//! - S3: the `AWS_*` variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//!   `AWS_SESSION_TOKEN`, `AWS_REGION` over `AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL`, …)
//!   over the profile of the shared files (`AWS_PROFILE`, see `aws_profile`); the
//!   variables' credentials replace the profile's as a whole, as the AWS CLI does;
//! - Google Cloud Storage: the `GOOGLE_*` variables (`GOOGLE_APPLICATION_CREDENTIALS`,
//!   `GOOGLE_SERVICE_ACCOUNT`, …);
//! - Azure: `AZURE_STORAGE_CONNECTION_STRING`, then the Azure CLI's `AZURE_STORAGE_ACCOUNT`
//!   and `AZURE_STORAGE_KEY`, then the `AZURE_*` variables (`AZURE_STORAGE_ACCOUNT_NAME`,
//!   `AZURE_STORAGE_ACCOUNT_KEY`, `AZURE_STORAGE_SAS_TOKEN`, `AZURE_STORAGE_USE_EMULATOR`,
//!   …).
//!
//! Plain `http://` is allowed to an endpoint named explicitly with an `http://` URL (a local
//! S3-compatible store, the Azure emulator), never otherwise.

use std::str::FromStr;
use std::sync::Arc;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};

use super::aws_profile;
use super::{Bucket, Store};
use crate::error::{Error, Result};
use crate::object_url::{ObjectUrl, Scheme};

/// The environment's variables, as pairs.
pub(super) type Vars = [(String, String)];

/// Opens the store of `url`'s bucket from `vars` and `options`.
pub(super) fn open(url: &ObjectUrl, vars: &Vars, options: &Vars) -> Result<Bucket> {
    let bucket = url.bucket();
    let (store, secrets): (Arc<dyn Store>, Vec<String>) = match url.scheme() {
        Scheme::S3 => s3(bucket, vars, options)?,
        Scheme::Gcs => gcs(bucket, vars, options)?,
        Scheme::Azure => azure(bucket, vars, options)?,
    };
    Ok(Bucket::new(url, store, secrets))
}

/// Whether `key` configures a store of some kind.
pub(crate) fn known_option(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    AmazonS3ConfigKey::from_str(&key).is_ok()
        || GoogleConfigKey::from_str(&key).is_ok()
        || AzureConfigKey::from_str(&key).is_ok()
}

/// The pairs of `vars` whose names start with `prefix`, as keys of a store's configuration
/// (names it does not know are left out), then every option it knows.
fn settings<K: FromStr>(vars: &Vars, prefix: &str, options: &Vars) -> Vec<(K, String)> {
    let from_env = vars.iter().filter(|(name, _)| name.starts_with(prefix));
    from_env
        .chain(options)
        .filter_map(|(name, value)| Some((name.to_ascii_lowercase().parse().ok()?, value.clone())))
        .collect()
}

fn var<'a>(vars: &'a Vars, name: &str) -> Option<&'a str> {
    vars.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn is_http(endpoint: Option<String>) -> bool {
    endpoint.is_some_and(|e| e.to_ascii_lowercase().starts_with("http://"))
}

fn failed(scheme: Scheme, bucket: &str, error: object_store::Error) -> Error {
    Error::Config {
        message: format!("cannot use the store of {scheme}://{bucket}: {error}"),
    }
}

fn s3(bucket: &str, vars: &Vars, options: &Vars) -> Result<(Arc<dyn Store>, Vec<String>)> {
    let mut builder = AmazonS3Builder::new();
    let env = |name: &str| var(vars, name).map(str::to_owned);
    if let Some(profile) = aws_profile::read(&env)? {
        if let Some(keys) = profile.keys.filter(|_| env("AWS_ACCESS_KEY_ID").is_none()) {
            builder = builder
                .with_access_key_id(keys.access_key_id)
                .with_secret_access_key(keys.secret_access_key);
            if let Some(token) = keys.session_token {
                builder = builder.with_token(token);
            }
        }
        if let Some(region) = profile.region {
            builder = builder.with_region(region);
        }
        if let Some(endpoint) = profile.endpoint_url {
            builder = builder.with_endpoint(endpoint);
        }
    }
    let mut settings = settings::<AmazonS3ConfigKey>(vars, "AWS_", options);
    // `AWS_REGION` wins over `AWS_DEFAULT_REGION`, whatever the variables' order.
    settings.sort_by_key(|(key, _)| !matches!(key, AmazonS3ConfigKey::DefaultRegion));
    for (key, value) in settings {
        builder = builder.with_config(key, value);
    }
    let endpoint = |key| builder.get_config_value(&key);
    if is_http(endpoint(AmazonS3ConfigKey::Endpoint))
        || is_http(endpoint(AmazonS3ConfigKey::S3Endpoint))
    {
        builder = builder.with_allow_http(true);
    }
    let secrets = [
        AmazonS3ConfigKey::AccessKeyId,
        AmazonS3ConfigKey::SecretAccessKey,
        AmazonS3ConfigKey::Token,
    ]
    .iter()
    .filter_map(|key| builder.get_config_value(key))
    .collect();
    let store = builder
        .with_bucket_name(bucket)
        .build()
        .map_err(|e| failed(Scheme::S3, bucket, e))?;
    Ok((Arc::new(store), secrets))
}

fn gcs(bucket: &str, vars: &Vars, options: &Vars) -> Result<(Arc<dyn Store>, Vec<String>)> {
    let mut builder = GoogleCloudStorageBuilder::new();
    for (key, value) in settings::<GoogleConfigKey>(vars, "GOOGLE_", options) {
        builder = builder.with_config(key, value);
    }
    if is_http(builder.get_config_value(&GoogleConfigKey::BaseUrl)) {
        builder = builder.with_config(
            GoogleConfigKey::Client(object_store::ClientConfigKey::AllowHttp),
            "true",
        );
    }
    let secrets = builder
        .get_config_value(&GoogleConfigKey::ServiceAccountKey)
        .into_iter()
        .collect();
    let store = builder
        .with_bucket_name(bucket)
        .build()
        .map_err(|e| failed(Scheme::Gcs, bucket, e))?;
    Ok((Arc::new(store), secrets))
}

fn azure(container: &str, vars: &Vars, options: &Vars) -> Result<(Arc<dyn Store>, Vec<String>)> {
    let mut builder = MicrosoftAzureBuilder::new();
    if let Some(connection) = var(vars, "AZURE_STORAGE_CONNECTION_STRING") {
        for (key, value) in connection_string(connection) {
            builder = builder.with_config(key, value);
        }
    }
    for (name, key) in [
        ("AZURE_STORAGE_ACCOUNT", AzureConfigKey::AccountName),
        ("AZURE_STORAGE_KEY", AzureConfigKey::AccessKey),
    ] {
        if let Some(value) = var(vars, name) {
            builder = builder.with_config(key, value);
        }
    }
    for (key, value) in settings::<AzureConfigKey>(vars, "AZURE_", options) {
        builder = builder.with_config(key, value);
    }
    if let Some(endpoint) = var(vars, "IDENTITY_ENDPOINT") {
        builder = builder.with_msi_endpoint(endpoint);
    }
    if is_http(builder.get_config_value(&AzureConfigKey::Endpoint)) {
        builder = builder.with_allow_http(true);
    }
    let secrets = [
        AzureConfigKey::AccessKey,
        AzureConfigKey::SasKey,
        AzureConfigKey::Token,
        AzureConfigKey::ClientSecret,
    ]
    .iter()
    .filter_map(|key| builder.get_config_value(key))
    .collect();
    let store = builder
        .with_container_name(container)
        .build()
        .map_err(|e| failed(Scheme::Azure, container, e))?;
    Ok((Arc::new(store), secrets))
}

/// The settings of an Azure connection string (`AccountName=…;AccountKey=…;…`) that a
/// store uses: account, key, shared access signature, blob endpoint, the emulator.
fn connection_string(text: &str) -> Vec<(AzureConfigKey, String)> {
    text.split(';')
        .filter_map(|pair| pair.split_once('='))
        .filter_map(|(name, value)| {
            let key = match name.trim() {
                "AccountName" => AzureConfigKey::AccountName,
                "AccountKey" => AzureConfigKey::AccessKey,
                "SharedAccessSignature" => AzureConfigKey::SasKey,
                "BlobEndpoint" => AzureConfigKey::Endpoint,
                "UseDevelopmentStorage" => AzureConfigKey::UseEmulator,
                _ => return None,
            };
            Some((key, value.trim().to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_region_variable_wins_over_the_default_one() {
        let env = vars(&[
            ("AWS_REGION", "eu-west-3"),
            ("AWS_DEFAULT_REGION", "us-east-2"),
        ]);
        let mut settings = settings::<AmazonS3ConfigKey>(&env, "AWS_", &[]);
        settings.sort_by_key(|(key, _)| !matches!(key, AmazonS3ConfigKey::DefaultRegion));
        assert_eq!(settings.last().unwrap().1, "eu-west-3");
    }

    #[test]
    fn connection_strings_name_account_key_and_endpoint() {
        let found = connection_string(
            "DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=a2V5;\
             BlobEndpoint=http://127.0.0.1:10000/dev;",
        );
        let names: Vec<_> = found.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(names, ["dev", "a2V5", "http://127.0.0.1:10000/dev"]);
    }

    #[test]
    fn options_are_keys_of_some_store() {
        assert!(known_option("aws_endpoint"));
        assert!(known_option("AZURE_STORAGE_USE_EMULATOR"));
        assert!(known_option("google_service_account"));
        assert!(!known_option("aws_endpiont"));
    }

    #[test]
    fn the_environment_keys_replace_the_profile_keys_as_a_whole() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join(".aws")).unwrap();
        std::fs::write(
            home.path().join(".aws/credentials"),
            "[default]\naws_access_key_id = AKIPROFILE\naws_secret_access_key = profile-secret\n\
             aws_session_token = profile-token\n",
        )
        .unwrap();
        let home = home.path().display().to_string();
        let secrets = |extra: &[(&str, &str)]| {
            let mut env = vars(&[("HOME", &home), ("AWS_REGION", "us-east-1")]);
            env.extend(vars(extra));
            s3("b", &env, &[]).unwrap().1
        };
        assert_eq!(
            secrets(&[]),
            ["AKIPROFILE", "profile-secret", "profile-token"]
        );
        let from_env = [
            ("AWS_ACCESS_KEY_ID", "AKIENV"),
            ("AWS_SECRET_ACCESS_KEY", "env-secret"),
        ];
        assert_eq!(secrets(&from_env), ["AKIENV", "env-secret"]);
    }
}
