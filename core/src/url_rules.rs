//! The rules every URL the client requests obeys: the hub's base URL, each file URL, and
//! every hop of a redirect of either.
//!
//! `https://` always; plain `http://` only to this machine (`localhost`, `127.0.0.0/8`,
//! `::1`) unless insecure HTTP is allowed; never another scheme (`file:`, `data:`, …), never
//! a link-local or cloud metadata address; at most [`MAX_REDIRECTS`] hops, none of them from
//! `https://` down to `http://`. The key is sent only to the hub's own origin: `reqwest`
//! drops `Authorization` on a hop to another host or port, and the downgrade rule covers
//! the scheme.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use reqwest::Url;
use reqwest::redirect::{Attempt, Policy};

/// The most redirects followed from one request.
pub const MAX_REDIRECTS: usize = 5;

/// Host names of cloud metadata services.
const METADATA_HOSTS: [&str; 3] = [
    "metadata.google.internal",
    "metadata.goog",
    "metadata.azure.internal",
];

/// Why a URL is refused.
pub(crate) fn check(url: &Url, allow_insecure_http: bool) -> Result<(), String> {
    let host = url.host_str().unwrap_or("");
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(url) => {}
        "http" => {
            return Err(format!(
                "plain http:// to `{host}` would cross the network unencrypted (only loopback \
                 hosts are allowed by default): use https://"
            ));
        }
        other => {
            return Err(format!(
                "the scheme `{other}:` is never fetched: use https://"
            ));
        }
    }
    if is_metadata(url) {
        return Err(format!(
            "`{host}` is a link-local or cloud metadata address"
        ));
    }
    Ok(())
}

/// The redirect policy of the client's requests: each hop obeys the URL rules (`https://`,
/// or `http://` to loopback unless `allow_insecure_http`; no link-local or metadata
/// address) and does not go from `https://` down to `http://`, and there are at most
/// [`MAX_REDIRECTS`] of them. A refused hop ends the request with an error
/// ([`Error::UrlRefused`](crate::Error::UrlRefused) from the client).
///
/// A client built with [`ClientBuilder::http_client`](crate::ClientBuilder::http_client)
/// follows its own policy: build that client with this one to keep the rules.
///
/// ```
/// let http = reqwest::Client::builder()
///     .redirect(videohub_core::redirect_policy(false))
///     .build()
///     .unwrap();
/// let client = videohub_core::Client::builder().api_key("sk-example").http_client(http).build();
/// assert!(client.is_ok());
/// ```
pub fn redirect_policy(allow_insecure_http: bool) -> Policy {
    Policy::custom(move |attempt: Attempt<'_>| {
        let refuse = |reason: String| RedirectRefused {
            url: attempt.url().to_string(),
            reason,
        };
        let refusal = if attempt.previous().len() > MAX_REDIRECTS {
            Some(refuse(format!("more than {MAX_REDIRECTS} redirects")))
        } else if attempt.url().scheme() == "http"
            && attempt
                .previous()
                .last()
                .is_some_and(|p| p.scheme() == "https")
        {
            Some(refuse("a redirect from https:// down to http://".into()))
        } else {
            check(attempt.url(), allow_insecure_http).err().map(refuse)
        };
        match refusal {
            Some(refusal) => attempt.error(refusal),
            None => attempt.follow(),
        }
    })
}

/// A redirect the [`redirect_policy`] did not follow.
#[derive(Debug, Clone)]
pub(crate) struct RedirectRefused {
    pub(crate) url: String,
    pub(crate) reason: String,
}

impl fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "redirect to `{}` refused: {}", self.url, self.reason)
    }
}

impl std::error::Error for RedirectRefused {}

/// The refused redirect behind a `reqwest` error, when there is one.
pub(crate) fn refused_redirect(error: &reqwest::Error) -> Option<crate::Error> {
    if !error.is_redirect() {
        return None;
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<RedirectRefused>() {
            return Some(crate::Error::UrlRefused {
                url: refused.url.clone(),
                reason: format!("a redirect led there: {}", refused.reason),
            });
        }
        source = cause.source();
    }
    None
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Link-local addresses (where the cloud metadata services answer) and the metadata
/// services' other addresses and names.
fn is_metadata(url: &Url) -> bool {
    let v4 = |ip: Ipv4Addr| ip.is_link_local() || ip == Ipv4Addr::new(100, 100, 100, 200);
    match url.host() {
        Some(url::Host::Domain(domain)) => {
            let domain = domain.trim_end_matches('.');
            METADATA_HOSTS
                .iter()
                .any(|h| domain.eq_ignore_ascii_case(h))
        }
        Some(url::Host::Ipv4(ip)) => v4(ip),
        Some(url::Host::Ipv6(ip)) => {
            ip.to_ipv4_mapped().is_some_and(v4)
                || (ip.segments()[0] & 0xffc0) == 0xfe80
                || ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str, insecure: bool) -> bool {
        check(&Url::parse(url).unwrap(), insecure).is_err()
    }

    #[test]
    fn https_or_loopback_http_and_never_metadata() {
        for ok in [
            "https://cdn.example.com/a.mp4",
            "http://127.0.0.1:8788/a.mp4",
            "http://localhost/a",
            "http://[::1]:80/a",
        ] {
            assert!(!refused(ok, false), "{ok}");
        }
        for bad in [
            "http://cdn.example.com/a.mp4",
            "http://10.0.0.1/a",
            "https://169.254.169.254/latest/meta-data/",
            "https://[fe80::1]/a",
            "https://[::ffff:169.254.169.254]/a",
            "https://[fd00:ec2::254]/a",
            "https://100.100.100.200/a",
            "https://metadata.google.internal./computeMetadata/v1/",
            "file:///etc/passwd",
            "data:video/mp4;base64,AAAA",
            "ftp://example.com/a",
        ] {
            assert!(refused(bad, false), "{bad}");
        }
        assert!(!refused("http://cdn.example.com/a.mp4", true));
        assert!(
            refused("http://169.254.169.254/", true),
            "metadata even when insecure"
        );
    }
}
