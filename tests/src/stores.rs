//! Object stores for the tests, each started by its test on a port the OS picks and
//! stopped when dropped: an S3-compatible server (moto) and Azure's emulator (Azurite),
//! installed by `scripts/test-stores.sh`. A test that cannot start one fails saying so.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

/// The credentials the tests give the stores: shaped like real ones, so that a test can
/// look for them in what videohub prints and records.
pub const ACCESS_KEY_ID: &str = "AKIAVIDEOHUBTEST0042";
/// The secret half of [`ACCESS_KEY_ID`].
pub const SECRET_ACCESS_KEY: &str = "videohub/Test+Secret/0123456789abcdefABCDEF";

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts")
}

const INSTALL: &str =
    "run scripts/test-stores.sh to install moto, Azurite and Azure's Python client";

/// An S3-compatible server (moto's) of this test's own.
pub struct S3Server {
    child: Child,
    /// Closed when dropped: the server then stops.
    _stdin: ChildStdin,
    port: u16,
    http: reqwest::Client,
}

impl S3Server {
    /// Starts a server on a free port.
    pub fn start() -> S3Server {
        let script = scripts().join("s3-server.py");
        let mut child = Command::new("python3")
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}; {INSTALL}", script.display()));
        let stdin = child.stdin.take().expect("piped");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("the server's port");
        let port = line.trim().parse().unwrap_or_else(|_| {
            panic!("the S3 server did not start (it printed {line:?}); {INSTALL}")
        });
        S3Server {
            child,
            _stdin: stdin,
            port,
            http: reqwest::Client::new(),
        }
    }

    /// The server's URL, `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The environment that points the AWS tools, and videohub, at this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID.into()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY.into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    }

    /// A request of the test's own, in [`ACCESS_KEY_ID`]'s name: moto does not check
    /// signatures, but an object it was given with a private ACL is read by its owner only.
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let credential = format!(
            "AWS4-HMAC-SHA256 Credential={ACCESS_KEY_ID}/20260101/us-east-1/s3/aws4_request, \
             SignedHeaders=host, Signature=0"
        );
        self.http
            .request(method, format!("{}/{path}", self.endpoint()))
            .header("authorization", credential)
            .header("x-amz-date", "20260101T000000Z")
            .header("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
    }

    /// Creates a bucket.
    pub async fn create_bucket(&self, bucket: &str) {
        let made = self
            .request(reqwest::Method::PUT, bucket)
            .send()
            .await
            .expect("the S3 server answers");
        assert!(made.status().is_success(), "{made:?}");
    }

    /// The object's bytes; `None` when there is none.
    pub async fn object(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        let got = self.request(reqwest::Method::GET, &format!("{bucket}/{key}"));
        let got = got.send().await.expect("the S3 server answers");
        if got.status() == reqwest::StatusCode::NOT_FOUND {
            return None;
        }
        assert!(got.status().is_success(), "{got:?}");
        Some(got.bytes().await.expect("the object's bytes").to_vec())
    }

    /// The keys of the bucket's objects, in order.
    pub async fn keys(&self, bucket: &str) -> Vec<String> {
        self.listed(&format!("{bucket}?list-type=2"), "Key").await
    }

    /// The keys of the bucket's unfinished multipart uploads.
    pub async fn multipart_uploads(&self, bucket: &str) -> Vec<String> {
        self.listed(&format!("{bucket}?uploads"), "Key").await
    }

    /// The texts of the `<element>`s of a listing.
    async fn listed(&self, query: &str, element: &str) -> Vec<String> {
        let got = self.request(reqwest::Method::GET, query);
        let got = got.send().await.expect("the S3 server answers");
        assert!(got.status().is_success(), "{got:?}");
        let xml = got.text().await.expect("a listing");
        let (open, close) = (format!("<{element}>"), format!("</{element}>"));
        xml.split(&open)
            .skip(1)
            .filter_map(|rest| rest.split_once(&close).map(|(text, _)| text.to_owned()))
            .collect()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The account of Azure's emulator.
const AZURITE_ACCOUNT: &str = "devstoreaccount1";
/// Its key, the same in every copy (Microsoft's documentation publishes it).
const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// Azure's storage emulator (Azurite's blob service) of this test's own.
pub struct AzureServer {
    child: Child,
    port: u16,
    _data: tempfile::TempDir,
}

impl AzureServer {
    /// Starts the emulator on a free port.
    pub fn start() -> AzureServer {
        let data = tempfile::tempdir().expect("a folder for the emulator");
        let mut child = Command::new("azurite-blob")
            .args(["--blobHost", "127.0.0.1", "--blobPort", "0", "--silent"])
            .args(["--disableTelemetry", "--skipApiVersionCheck", "--location"])
            .arg(data.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run azurite-blob: {e}; {INSTALL}"));
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        let port = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                let (_, address) = line.split_once("listens on http://127.0.0.1:")?;
                address.trim().parse().ok()
            })
            .unwrap_or_else(|| panic!("Azurite did not start; {INSTALL}"));
        // The rest of its output is read away, so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        AzureServer {
            child,
            port,
            _data: data,
        }
    }

    /// The environment that points videohub at this emulator: its account, well-known
    /// key and endpoint, as for any Azure account.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AZURE_STORAGE_ACCOUNT_NAME", AZURITE_ACCOUNT.into()),
            ("AZURE_STORAGE_ACCOUNT_KEY", AZURITE_KEY.into()),
            (
                "AZURE_STORAGE_ENDPOINT",
                format!("http://127.0.0.1:{}/{AZURITE_ACCOUNT}", self.port),
            ),
        ]
    }

    /// Runs `scripts/azure-container.py` against this emulator; its output.
    fn admin(&self, args: &[&str]) -> String {
        let script = scripts().join("azure-container.py");
        let out = Command::new("python3")
            .arg(&script)
            .arg(self.port.to_string())
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}; {INSTALL}", script.display()));
        assert!(
            out.status.success(),
            "{} {args:?}: {}; {INSTALL}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Creates a container.
    pub fn create_container(&self, container: &str) {
        self.admin(&["create", container]);
    }

    /// The SHA-256 (hex) and size of a blob.
    pub fn blob(&self, container: &str, name: &str) -> (String, u64) {
        let out = self.admin(&["read", container, name]);
        let (sha, size) = out.trim().split_once(' ').expect("sha and size");
        (sha.to_owned(), size.parse().expect("a size"))
    }

    /// The names of the container's blobs.
    pub fn blobs(&self, container: &str) -> Vec<String> {
        self.admin(&["list", container])
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for AzureServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
