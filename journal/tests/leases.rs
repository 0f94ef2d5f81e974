//! Leases and stops: a worker that lost its lease writes nothing more, a part file another
//! download recorded is never written again, a stop lets jobs go with their state kept
//! (a submit in flight recorded first), and a server out of reach is named as such.

use std::path::Path;
use std::time::Duration;

use serde_json::json;
use tokio::sync::mpsc;
use videohub_journal::{Error, Job, JobState, Journal, NewJob, Owner, Runner, Step, Stop};
use videohub_sandbox::{FaultSpec, Sandbox, SandboxHandle, TaskDuration};

mod common;
use common::{client, on_each_store, runner};

async fn sandbox(task: Duration, faults: &str) -> SandboxHandle {
    let faults = if faults.is_empty() {
        FaultSpec::none()
    } else {
        faults.parse::<FaultSpec>().unwrap()
    };
    Sandbox::builder()
        .durations(TaskDuration::Fixed(task))
        .faults(faults)
        .start()
        .await
        .unwrap()
}

fn new_job(hub: &SandboxHandle, output: &Path) -> NewJob {
    let veo = videohub::models::find("veo-3.1").expect("compiled in");
    let input = json!({"prompt": "a red fox in snow"});
    NewJob::new(hub.url(), veo, input.as_object().cloned().unwrap(), output)
}

/// A runner of `hub` and the stop that stops it.
fn stoppable(journal: &Journal, hub: &SandboxHandle) -> (Stop, Runner) {
    let stop = Stop::new();
    (stop.clone(), runner(journal, client(hub)).with_stop(stop))
}

/// Asserts that a drive ended by letting its job go in `state`, for another to take.
fn assert_let_go(driven: Result<Job, Error>, state: JobState) {
    match driven {
        Err(Error::LetGo { state: left, .. }) if left == state => {}
        other => panic!("expected the job let go {state:?}, got {other:?}"),
    }
}

/// The kind of each step, as it is seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Submitting,
    Submitted,
    Downloading,
}

/// Drives `job` with `runner` in a task of its own; each step is sent on the channel.
fn drive(
    runner: &Runner,
    job: Job,
) -> (
    tokio::task::JoinHandle<videohub_journal::Result<Job>>,
    mpsc::UnboundedReceiver<Seen>,
) {
    let (steps, seen) = mpsc::unbounded_channel();
    let runner = runner.clone();
    let driving = tokio::spawn(async move {
        runner
            .drive(job, move |step| {
                let kind = match step {
                    Step::Submitting(_) => Seen::Submitting,
                    Step::Submitted(_) => Seen::Submitted,
                    Step::Downloading { .. } => Seen::Downloading,
                    _ => return,
                };
                let _ = steps.send(kind);
            })
            .await
    });
    (driving, seen)
}

async fn until(seen: &mut mpsc::UnboundedReceiver<Seen>, step: Seen) {
    while let Some(next) = seen.recv().await {
        if next == step {
            return;
        }
    }
    panic!("the drive ended before {step:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_whose_lease_was_taken_writes_nothing_more_for_the_job() {
    on_each_store("lease_taken", |journal, dir| async move {
        let hub = sandbox(Duration::from_millis(600), "").await;
        let (first, second) = (runner(&journal, client(&hub)), runner(&journal, client(&hub)));
        let job = first
            .record(&new_job(&hub, &dir.join("fox.mp4")))
            .await
            .unwrap();
        let (driving, mut seen) = drive(&first, job.clone());
        until(&mut seen, Seen::Submitted).await;
        // The first worker's lease lapses (as after an outage longer than the lease), and
        // the second takes the job.
        journal.release(&job.id, first.owner()).await.unwrap();
        assert!(journal.claim(&job.id, second.owner()).await.unwrap());
        assert!(!journal.renew(&job.id, first.owner()).await.unwrap());
        assert!(!journal.claim(&job.id, first.owner()).await.unwrap());

        let error = driving.await.unwrap().unwrap_err();
        assert!(
            matches!(&error, Error::LeaseLost { owner: Some(o), .. } if o == second.owner().as_str()),
            "{error}"
        );
        let left = journal.job(&job.id).await.unwrap();
        assert_eq!(left.state, JobState::Submitted, "no change by the first");
        assert!(!dir.join("fox.mp4").exists(), "no file by the first");

        let done = second.drive(left, |_| {}).await.unwrap();
        assert_eq!(done.state, JobState::Downloaded);
        let counters = hub.counters();
        assert_eq!(
            (counters.tasks_created, counters.downloads),
            (1, 1),
            "{counters:?}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_part_file_recorded_by_another_download_is_copied_never_written() {
    on_each_store("part_taken", |journal, dir| async move {
        // Half of every file comes at once, the rest a second later.
        let hub = sandbox(
            Duration::from_millis(50),
            "kinds=slow,on=download,rate=1,slow=1s",
        )
        .await;
        let (stop, first) = stoppable(&journal, &hub);
        let target = dir.join("fox.mp4");
        let job = first.record(&new_job(&hub, &target)).await.unwrap();
        let (driving, mut seen) = drive(&first, job.clone());
        until(&mut seen, Seen::Downloading).await;
        let part = loop {
            let held = journal.job(&job.id).await.unwrap();
            match held.part_file {
                Some(part) if std::fs::metadata(&part).is_ok_and(|m| m.len() > 0) => break part,
                _ => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        };
        // The answer's validator is recorded beside the bytes (the rest comes a second
        // after the first half).
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.immediately();
        assert_let_go(driving.await.unwrap(), JobState::Completed);
        // What the first download wrote, seen through a link of its own.
        let witness = dir.join("witness");
        std::fs::hard_link(&part, &witness).unwrap();
        let written = std::fs::read(&witness).unwrap();
        assert!(
            !written.is_empty() && (written.len() as u64) < hub.video_size(),
            "{}",
            written.len()
        );

        let second = runner(&journal, client(&hub));
        let left = journal.job(&job.id).await.unwrap();
        assert_eq!(left.owner, None, "let go");
        let done = second.resume(&left.id, |_| {}).await.unwrap();
        assert_eq!(done.state, JobState::Downloaded);
        assert_eq!(
            std::fs::read(&witness).unwrap(),
            written,
            "never written again"
        );
        assert!(!part.exists(), "taken over, then removed");
        let file = std::fs::read(done.file_path.unwrap()).unwrap();
        assert_eq!(file.len() as u64, hub.video_size());
        assert_eq!(&file[..written.len()], &written[..]);
        use sha2::Digest;
        assert_eq!(
            done.sha256.as_deref(),
            Some(hex::encode(sha2::Sha256::digest(&file)).as_str())
        );
        let counters = hub.counters();
        assert_eq!(counters.tasks_created, 1);
        assert!(counters.ranged_downloads >= 1, "continued: {counters:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_graceful_stop_lets_waiting_jobs_go_and_downloads_finish() {
    on_each_store("graceful_stop", |journal, dir| async move {
        let hub = sandbox(
            Duration::from_secs(2),
            "kinds=slow,on=download,rate=1,slow=500ms",
        )
        .await;
        // A job waiting on the hub is let go at once, submitted, for anyone to take.
        let (stop, first) = stoppable(&journal, &hub);
        let waiting = first
            .record(&new_job(&hub, &dir.join("a.mp4")))
            .await
            .unwrap();
        let (driving, mut seen) = drive(&first, waiting.clone());
        until(&mut seen, Seen::Submitted).await;
        stop.gracefully();
        assert_let_go(driving.await.unwrap(), JobState::Submitted);
        let left = journal.job(&waiting.id).await.unwrap();
        assert_eq!(
            (left.state, left.owner.as_deref()),
            (JobState::Submitted, None)
        );

        // A download under way goes on to its end.
        let (stop, second) = stoppable(&journal, &hub);
        assert!(journal.claim(&left.id, second.owner()).await.unwrap());
        let (driving, mut seen) = drive(&second, left);
        until(&mut seen, Seen::Downloading).await;
        stop.gracefully();
        let done = driving.await.unwrap().unwrap();
        assert_eq!((done.state, done.owner), (JobState::Downloaded, None));
        assert_eq!(hub.counters().tasks_created, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_submit_in_flight_is_recorded_before_a_stop_lets_its_job_go() {
    on_each_store("stop_in_submit", |journal, dir| async move {
        let hub = sandbox(
            Duration::from_secs(2),
            "kinds=slow,on=submit,rate=1,slow=700ms",
        )
        .await;
        let (stop, first) = stoppable(&journal, &hub);
        let job = first
            .record(&new_job(&hub, &dir.join("a.mp4")))
            .await
            .unwrap();
        let (driving, mut seen) = drive(&first, job.clone());
        until(&mut seen, Seen::Submitting).await;
        while hub.counters().submits_received == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // The hub answers 700 ms after it received the submit.
        stop.immediately();
        assert_let_go(driving.await.unwrap(), JobState::Submitted);
        let left = journal.job(&job.id).await.unwrap();
        assert_eq!(left.state, JobState::Submitted);
        assert!(left.task_id.is_some());
        assert_eq!(left.owner, None);
        assert_eq!(hub.counters().tasks_created, 1);
    })
    .await;
}

#[tokio::test]
async fn leases_are_judged_on_the_journals_clock() {
    on_each_store("lease_clock", |journal, dir| async move {
        let hub = sandbox(Duration::from_millis(50), "").await;
        let (a, b) = (Owner::this_process(), Owner::this_process());
        let job = journal
            .record(&new_job(&hub, &dir.join("a.mp4")), &a)
            .await
            .unwrap();
        // A's lease runs: B cannot take the job, A renews it.
        assert!(!journal.claim(&job.id, &b).await.unwrap());
        assert!(journal.renew(&job.id, &a).await.unwrap());
        journal.release(&job.id, &a).await.unwrap();
        assert!(journal.claim(&job.id, &b).await.unwrap());
        assert!(!journal.renew(&job.id, &a).await.unwrap());
        assert!(!journal.claim(&job.id, &a).await.unwrap());
        assert_eq!(
            journal.job(&job.id).await.unwrap().owner.as_deref(),
            Some(b.as_str())
        );
    })
    .await;
}

#[tokio::test]
async fn a_postgres_server_out_of_reach_is_named_so_not_locked() {
    // Nothing listens on port 1.
    let error = Journal::open_store("postgres://videohub@127.0.0.1:1/videohub")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Unreachable { .. }), "{error:?}");
    assert!(error.is_outage());
    let text = error.to_string();
    assert!(
        text.starts_with("cannot reach the journal postgres://videohub@127.0.0.1:1/videohub:"),
        "{text}"
    );
    assert!(!text.contains("locked"), "{text}");
}
