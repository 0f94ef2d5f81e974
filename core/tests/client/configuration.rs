//! A client's configuration: the key, the base URL, what its `Debug` shows.

use videohub_core::{Client, Error};

use crate::common::*;

#[test]
fn a_missing_key_says_how_to_set_it() {
    let error = Client::builder().build().expect_err("no key");
    assert!(matches!(error, Error::MissingApiKey));
    let text = error.to_string();
    assert!(text.contains("MOUNTSEA_API_KEY"), "{text}");
    assert!(text.contains("export"), "{text}");
    assert!(matches!(
        Client::builder().api_key("  ").build(),
        Err(Error::MissingApiKey)
    ));
}

#[test]
fn plain_http_only_to_loopback_unless_allowed() {
    let build = |url: &str, allow: bool| {
        Client::builder()
            .api_key(KEY)
            .base_url(url)
            .allow_insecure_http(allow)
            .build()
    };
    assert!(matches!(
        build("http://hub.example.com", false),
        Err(Error::Config { .. })
    ));
    assert!(build("http://hub.example.com", true).is_ok());
    assert!(build("http://127.0.0.1:8080", false).is_ok());
    assert!(build("http://localhost:8080", false).is_ok());
    assert!(build("http://[::1]:8080", false).is_ok());
    assert!(build("https://hub.example.com", false).is_ok());
    assert!(matches!(
        build("ftp://hub.example.com", true),
        Err(Error::Config { .. })
    ));
    let default = Client::builder().api_key(KEY).build().expect("default");
    assert_eq!(default.base_url().as_str(), "https://api.mountsea.ai/");
}

#[test]
fn the_key_is_not_in_debug_output() {
    let client = Client::builder().api_key(KEY).build().expect("client");
    let shown = format!("{client:?} {:?}", Client::builder().api_key(KEY));
    assert!(!shown.contains(KEY), "{shown}");
    assert!(shown.contains("***"), "{shown}");
}
