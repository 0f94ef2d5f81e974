//! The studio serves a job's file only where the journal says the job wrote it, and as it
//! was written: a row edited to name another file is refused.

mod common;

use std::time::Duration;

use common::Setup;
use serde_json::json;

const QUICK: Duration = Duration::from_millis(500);

/// Sets a job's recorded file and size, as someone with write access to the journal could.
async fn edit_row(setup: &Setup, id: &str, path: &str, size: u64) {
    let url = format!(
        "sqlite://{}",
        setup.dir.path().join("journal.sqlite3").display()
    );
    let pool = sqlx::SqlitePool::connect(&url)
        .await
        .expect("the journal opens");
    sqlx::query("UPDATE jobs SET file_path = ?, file_size = ? WHERE id = ?")
        .bind(path)
        .bind(size as i64)
        .bind(id)
        .execute(&pool)
        .await
        .expect("the row is edited");
    pool.close().await;
}

/// The status of a `GET` of the file.
async fn served(setup: &Setup, url: &str) -> u16 {
    let answer = setup
        .http
        .get(setup.url(url))
        .send()
        .await
        .expect("an answer");
    answer.status().as_u16()
}

#[tokio::test]
async fn a_row_edited_to_name_another_file_is_not_served() {
    let setup = Setup::start(QUICK, "").await;
    let (status, job) = setup
        .post(
            "/api/generate",
            json!({"model": "wan-2.7", "input": {"prompt": "a koi pond"}}),
        )
        .await;
    assert_eq!(status, 201, "{job}");
    let job = setup.settled(job["id"].as_str().unwrap()).await;
    assert_eq!(job["state"], "downloaded", "{job}");
    let id = job["id"].as_str().unwrap().to_owned();
    let url = job["video_url"].as_str().unwrap().to_owned();
    let file = job["file_path"].as_str().unwrap().to_owned();
    assert_eq!(
        served(&setup, &url).await,
        200,
        "the job's own file is served"
    );

    // Outside the folders the job wrote to, even with the right size recorded.
    let passwd = std::fs::metadata("/etc/passwd").expect("/etc/passwd").len();
    edit_row(&setup, &id, "/etc/passwd", passwd).await;
    let (status, answer) = setup.get(&url).await;
    assert_eq!(status, 403, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("outside the folders"),
        "{answer}"
    );

    // A link inside the folder pointing out of it.
    let link = format!("{file}.link.mp4");
    std::os::unix::fs::symlink("/etc/passwd", &link).expect("a link");
    edit_row(&setup, &id, &link, passwd).await;
    let (status, answer) = setup.get(&url).await;
    assert_eq!(status, 403, "{answer}");

    // The file itself, changed since it was downloaded.
    let size = std::fs::metadata(&file).unwrap().len();
    edit_row(&setup, &id, &file, size + 1).await;
    let (status, answer) = setup.get(&url).await;
    assert_eq!(status, 403, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains("were recorded"),
        "{answer}"
    );
    edit_row(&setup, &id, &file, size).await;
    assert_eq!(served(&setup, &url).await, 200);
}
