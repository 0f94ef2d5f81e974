//! The client's bound on API requests in flight.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use videohub_core::Client;

/// A server that accepts connections, reads what comes, and never answers.
async fn silent_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
            });
        }
    });
    (url, accepted)
}

#[tokio::test]
async fn requests_beyond_the_bound_wait_their_turn() {
    let (url, accepted) = silent_server().await;
    let client = Client::builder()
        .api_key("k")
        .base_url(url)
        .max_concurrent_requests(2)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let polls: Vec<_> = (0..5)
        .map(|i| {
            let task = client.task_by_id(format!("t{i}"));
            tokio::spawn(async move { task.status().await })
        })
        .collect();
    for _ in 0..500 {
        if accepted.load(Ordering::SeqCst) >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Give the three others every chance to connect: they must not.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
    for poll in polls {
        poll.abort();
    }
}
