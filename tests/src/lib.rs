//! Test-only crate: see `tests/`. It holds what the tests of every layer share (the SDK
//! here, the journal in `journal/tests`, the command line in `cli/tests`): the example image
//! model, defined as a user defines a model of their own, and the Postgres server of the
//! tests.

use std::path::Path;
use std::process::Command;

pub mod acme_still {
    //! Acme Still: an image-generation model (`POST /hub/v1/image`), made up for the tests.

    use videohub::video_model;

    /// Acme Still: a still image from a prompt.
    #[video_model(
        id = "acme-still",
        name = "Acme Still",
        vendor = "Acme",
        category = "text-to-image"
    )]
    #[derive(Debug, Clone)]
    pub struct AcmeStill {
        /// What the image shows.
        #[param(required, max_length = 1000)]
        prompt: String,
        /// The shape of the image.
        #[param(values("1:1", "16:9", "9:16"), default = "1:1")]
        aspect_ratio: AspectRatio,
        /// The seed of the random generator.
        #[param(range(min = 0, max = 4294967295))]
        seed: Option<i64>,
    }
}

pub use acme_still::AcmeStill;

pub mod stores;

/// The Postgres server of the tests: `VIDEOHUB_TEST_POSTGRES_URL`, or else the throwaway one
/// `scripts/test-postgres.sh` starts (installing Debian's postgresql package when missing);
/// a database of its own for this test. `VIDEOHUB_SKIP_POSTGRES_TESTS=1` leaves it out.
pub fn postgres_database(name: &str) -> Option<String> {
    if std::env::var("VIDEOHUB_SKIP_POSTGRES_TESTS").is_ok_and(|v| v == "1") {
        eprintln!("skipped: VIDEOHUB_SKIP_POSTGRES_TESTS=1");
        return None;
    }
    let url = match std::env::var("VIDEOHUB_TEST_POSTGRES_URL") {
        Ok(url) => url,
        Err(_) => {
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/test-postgres.sh");
            let started = Command::new(&script)
                .output()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
            assert!(
                started.status.success(),
                "this test needs a Postgres server and {} could not start one: {}\n\
                 install Debian's postgresql package (`apt-get install postgresql`), or point \
                 VIDEOHUB_TEST_POSTGRES_URL at a server, or set VIDEOHUB_SKIP_POSTGRES_TESTS=1",
                script.display(),
                String::from_utf8_lossy(&started.stderr)
            );
            String::from_utf8_lossy(&started.stdout).trim().to_owned()
        }
    };
    let database = format!("{name}_{}", std::process::id());
    for statement in [
        format!("DROP DATABASE IF EXISTS {database}"),
        format!("CREATE DATABASE {database}"),
    ] {
        let admin = Command::new("psql")
            .arg(&url)
            .args(["-v", "ON_ERROR_STOP=1", "-c", &statement])
            .output()
            .expect("psql, from Debian's postgresql-client package");
        assert!(admin.status.success(), "{admin:?}");
    }
    let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base);
    Some(format!("{base}/{database}"))
}
