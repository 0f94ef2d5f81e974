//! The studio in a real headless Chromium, driven through chromedriver: fill the form,
//! generate, see the video load in the gallery, and keep a screenshot.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them); set
//! `VIDEOHUB_SKIP_BROWSER_TESTS=1` to skip it explicitly.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::Setup;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const INSTALL: &str = "apt-get update && apt-get install -y chromium chromium-driver";

/// The first of `names` found on the PATH or as an absolute path.
fn which(names: &[&str]) -> Option<PathBuf> {
    for name in names {
        let path = Path::new(name);
        if path.is_absolute() && path.is_file() {
            return Some(path.to_path_buf());
        }
        if let Some(dirs) = std::env::var_os("PATH") {
            for dir in std::env::split_paths(&dirs) {
                let candidate = dir.join(name);
                if candidate.is_file() {
                    return Some(candidate);
                }
            }
        }
    }
    None
}

/// chromedriver, stopped when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn browser(chromium: &Path, driver: &Path, profile: &Path) -> (Driver, Client) {
    let port = free_port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver(child);
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--autoplay-policy=no-user-gesture-required", "--window-size=1400,1000",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let start = Instant::now();
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return (driver, client),
            Err(e) if start.elapsed() < Duration::from_secs(20) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot start a Chromium session through chromedriver: {e}"),
        }
    }
}

/// Runs `script` until it returns something truthy, for at most `limit`.
async fn wait_until(client: &Client, what: &str, script: &str, limit: Duration) -> Value {
    let start = Instant::now();
    loop {
        let value = client
            .execute(script, vec![])
            .await
            .expect("the script runs");
        // Null, false and an empty text (an element not filled in yet) are not there yet.
        let pending = match &value {
            Value::Null | Value::Bool(false) => true,
            Value::String(text) => text.is_empty(),
            _ => false,
        };
        if !pending {
            return value;
        }
        if start.elapsed() > limit {
            let cards = client
                .execute("return document.getElementById('cards').innerText", vec![])
                .await
                .unwrap_or_default();
            panic!("timed out waiting for {what}; the gallery shows: {cards}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn artifacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("studio-artifacts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generate_in_the_page_and_watch_the_video_load() {
    if std::env::var("VIDEOHUB_SKIP_BROWSER_TESTS").as_deref() == Ok("1") {
        eprintln!("skipped: VIDEOHUB_SKIP_BROWSER_TESTS=1");
        return;
    }
    let Some(chromium) = which(&["/usr/bin/chromium", "chromium", "chromium-browser"]) else {
        panic!(
            "the browser test needs Chromium and chromedriver: install them with `{INSTALL}` \
             (or set VIDEOHUB_SKIP_BROWSER_TESTS=1 to skip it)"
        );
    };
    let Some(chromedriver) = which(&["/usr/bin/chromedriver", "chromedriver"]) else {
        panic!(
            "the browser test needs chromedriver: install it with `{INSTALL}` \
             (or set VIDEOHUB_SKIP_BROWSER_TESTS=1 to skip it)"
        );
    };
    let began = Instant::now();
    let setup = Setup::start(Duration::from_secs(2), "").await;
    let profile = tempfile::tempdir().expect("a profile directory");
    let (_driver, client) = browser(&chromium, &chromedriver, profile.path()).await;

    client
        .goto(&setup.studio.url())
        .await
        .expect("the page opens");
    wait_until(
        &client,
        "the page",
        "return document.body.dataset.ready === 'true'",
        Duration::from_secs(20),
    )
    .await;

    // Pick a model; its form has the prompt and the model's parameters with their defaults.
    let model = client
        .find(Locator::Css("#model"))
        .await
        .expect("the model picker");
    model
        .select_by_value("veo-3.1")
        .await
        .expect("veo-3.1 is listed");
    let prompt = client
        .wait()
        .for_element(Locator::Css(".field[data-param='prompt'] textarea"))
        .await
        .expect("the prompt field");
    let resolution: Value = client
        .execute(
            "const s = document.querySelector(\".field[data-param='resolution'] select\"); return s.options[s.selectedIndex].text",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(resolution, "720p", "the default is preselected");

    // Nothing is sent while the form is invalid; the CLI's message is shown by the field.
    let generate = client.find(Locator::Css("#generate")).await.unwrap();
    generate.click().await.unwrap();
    let message = wait_until(
        &client,
        "the prompt's error",
        "return document.querySelector(\".field[data-param='prompt'] .field-error\").textContent",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(message, "parameter `prompt`: is required but was not given");
    assert_eq!(setup.sandbox.counters().submits_received, 0);

    prompt
        .send_keys("a red fox trotting through fresh snow")
        .await
        .unwrap();
    client
        .find(Locator::Css(".field[data-param='duration'] select"))
        .await
        .unwrap()
        .select_by_label("4s")
        .await
        .unwrap();
    wait_until(
        &client,
        "the error to clear",
        "return document.querySelector(\".field[data-param='prompt'] .field-error\").textContent === ''",
        Duration::from_secs(10),
    )
    .await;
    generate.click().await.unwrap();

    // The card runs, then shows the downloaded video, loaded by the browser.
    let ready = wait_until(
        &client,
        "the video to load",
        "const v = document.querySelector(\".card[data-status='downloaded'] video\"); return v && v.readyState >= 2 ? v.readyState : null",
        Duration::from_secs(90),
    )
    .await;
    assert!(ready.as_u64().unwrap_or(0) >= 2);
    let card: Value = client
        .execute(
            "return document.querySelector(\".card[data-status='downloaded']\").innerText",
            vec![],
        )
        .await
        .unwrap();
    let card = card.as_str().unwrap_or_default().to_owned();
    assert!(
        card.contains("a red fox trotting through fresh snow"),
        "{card}"
    );
    assert!(
        card.contains("veo-3.1") && card.contains("duration=4s"),
        "{card}"
    );
    assert_eq!(setup.sandbox.counters().submits_received, 1);

    // "again with changes" prefills the form from the card.
    client
        .find(Locator::Css(".card .again"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let prefilled = wait_until(
        &client,
        "the prefilled prompt",
        "const t = document.querySelector(\".field[data-param='prompt'] textarea\"); return t && t.value",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(prefilled, "a red fox trotting through fresh snow");
    let duration: Value = client
        .execute(
            "const s = document.querySelector(\".field[data-param='duration'] select\"); return s.options[s.selectedIndex].text",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(duration, "4s");

    // Let the video play a little, then keep the screenshot of the whole page from the top.
    client
        .execute(
            "window.scrollTo(0, 0); document.getElementById('playground').scrollTop = 0;",
            vec![],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let png = client.screenshot().await.expect("a screenshot");
    let dir = artifacts();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("studio.png");
    std::fs::write(&path, &png).unwrap();
    eprintln!(
        "screenshot: {} ({} bytes); the browser test took {:.1} s",
        path.display(),
        png.len(),
        began.elapsed().as_secs_f64()
    );
    client.close().await.unwrap();
}
