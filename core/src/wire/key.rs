//! The API key, as the wire holds it: a sensitive header value and the redactor that
//! removes it from what the client shows of the hub's answers.

use std::fmt;

use reqwest::header::HeaderValue;

use crate::error::{Error, Result};
use crate::redact::Redactor;

/// The API key: kept only as a sensitive header value (and the redactor that removes it
/// from what is shown of the hub's answers), shown as `***` by `Debug`.
#[derive(Clone)]
pub(crate) struct ApiKey(HeaderValue, Redactor);

impl ApiKey {
    /// The key `key` (trimmed); [`Error::MissingApiKey`] when empty.
    pub(crate) fn new(key: &str) -> Result<Self> {
        let key = key.trim();
        if key.is_empty() {
            return Err(Error::MissingApiKey);
        }
        let mut value =
            HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| Error::Config {
                message: "the API key contains characters that cannot be sent in an HTTP header"
                    .into(),
            })?;
        value.set_sensitive(true);
        Ok(ApiKey(value, Redactor::new(key)))
    }

    /// The `Authorization` header value.
    pub(crate) fn header(&self) -> &HeaderValue {
        &self.0
    }

    /// What removes the key from the hub's text before it is shown or stored.
    pub(crate) fn redactor(&self) -> &Redactor {
        &self.1
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}
