//! A batch is its lines whatever folder it is run into: workers with their own folders share
//! it and pay once per line, each folder ends with every file, and a list recorded by an
//! earlier videohub (its keys made from whole paths) goes on where it stopped.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures::StreamExt;
use serde_json::json;
use videohub_journal::{LineEnd, NewJob, Runner, batch_id, line_keys};
use videohub_sandbox::{Sandbox, SandboxHandle, TaskDuration};

mod common;
use common::{client, on_each_store, runner};

/// `n` lines whose files go in `folder`.
fn lines(hub: &SandboxHandle, folder: &Path, n: usize) -> Vec<NewJob> {
    let veo = videohub::models::find("veo-3.1").expect("compiled in");
    (0..n)
        .map(|i| {
            let input = json!({"prompt": format!("shot {i}")});
            let output = folder.join(format!("{i}-{{task_id}}.mp4"));
            NewJob::new(hub.url(), veo, input.as_object().cloned().unwrap(), output)
        })
        .collect()
}

/// Runs the list of `n` lines into `folder` with `runner`; how each line ended.
async fn run(runner: &Runner, hub: &SandboxHandle, folder: &Path, n: usize) -> Vec<LineEnd> {
    std::fs::create_dir_all(folder).unwrap();
    runner
        .run_batch("shots", folder, lines(hub, folder, n), 2)
        .await
        .unwrap()
        .collect()
        .await
}

/// The files of `folder`, sorted.
fn files(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workers_with_their_own_folders_pay_once_per_line_and_each_folder_gets_every_file() {
    on_each_store("own_folders", |journal, dir| async move {
        let hub = Sandbox::builder()
            .durations(TaskDuration::Fixed(Duration::from_millis(200)))
            .start()
            .await
            .unwrap();
        let (a, b) = (dir.join("a"), dir.join("b"));
        let (first, second) = (
            runner(&journal, client(&hub)),
            runner(&journal, client(&hub)),
        );
        let (ends_a, ends_b) = tokio::join!(run(&first, &hub, &a, 6), run(&second, &hub, &b, 6));
        assert_eq!(hub.counters().tasks_created, 6, "one task per line");
        assert_eq!(hub.counters().duplicate_tasks, 0);
        for (folder, ends) in [(&a, &ends_a), (&b, &ends_b)] {
            assert_eq!(ends.len(), 6, "{ends:?}");
            for end in ends {
                let file = match end {
                    LineEnd::Final(job) => job.file_path.clone().unwrap(),
                    LineEnd::Copied { file, .. } => file.clone(),
                    other => panic!("{other:?}"),
                };
                assert!(file.starts_with(folder), "{}", file.display());
            }
            let names: Vec<_> = files(folder)
                .iter()
                .map(|f| f.file_name().unwrap().to_owned())
                .collect();
            assert_eq!(names.len(), 6, "{names:?}");
        }
        // Same names, same bytes, in both folders.
        for (x, y) in files(&a).iter().zip(files(&b)) {
            assert_eq!(x.file_name(), y.file_name());
            assert_eq!(std::fs::read(x).unwrap(), std::fs::read(&y).unwrap());
        }
        let folder = dir.join("a");
        let keys = line_keys(&lines(&hub, &folder, 6), &folder);
        let counts = journal.batch_counts(&batch_id(&keys)).await.unwrap();
        assert_eq!(counts.total(), 6, "one batch of six lines");

        // A third run into another folder pays for nothing and copies every file.
        let c = dir.join("c");
        let ends = run(&runner(&journal, client(&hub)), &hub, &c, 6).await;
        assert!(
            ends.iter().all(|e| matches!(e, LineEnd::Copied { .. })),
            "{ends:?}"
        );
        assert_eq!(files(&c).len(), 6);
        assert_eq!(hub.counters().tasks_created, 6);
    })
    .await;
}

#[tokio::test]
async fn a_list_recorded_by_an_earlier_videohub_goes_on_where_it_stopped() {
    on_each_store("legacy_keys", |journal, dir| async move {
        let hub = Sandbox::builder()
            .durations(TaskDuration::Fixed(Duration::from_millis(50)))
            .start()
            .await
            .unwrap();
        let folder = dir.join("out");
        let jobs = lines(&hub, &folder, 3);
        // As an earlier videohub recorded it: keys from the outputs' whole paths, no names.
        let legacy = line_keys(&jobs, Path::new(""));
        journal
            .record_batch("shots", &batch_id(&legacy), Path::new(""), &jobs, &legacy)
            .await
            .unwrap();
        let ends = run(&runner(&journal, client(&hub)), &hub, &folder, 3).await;
        assert_eq!(ends.len(), 3);
        assert!(
            ends.iter().all(|e| matches!(e, LineEnd::Final(_))),
            "{ends:?}"
        );
        assert_eq!(hub.counters().tasks_created, 3);
        let all = journal.jobs(&Default::default()).await.unwrap();
        assert_eq!(all.len(), 3, "the recorded jobs, not new ones");
        assert!(all.iter().all(|j| j.output_name.is_some()));
    })
    .await;
}
