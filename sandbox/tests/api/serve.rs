//! `SandboxBuilder::serve` on a fixed port and the next one.

use crate::common::*;

/// A port `p` such that `p` and `p + 1` were both free a moment ago.
fn free_port_pair() -> u16 {
    loop {
        let first = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = first.local_addr().expect("addr").port();
        if port < u16::MAX && std::net::TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
}

#[tokio::test]
async fn serve_listens_on_a_fixed_port_and_the_next_until_told_to_stop() {
    let port = free_port_pair();
    let (ready, listening) = tokio::sync::oneshot::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<&str>();
    let served = tokio::spawn(fast().serve(
        std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        move |hub| {
            let urls = (hub.url().to_owned(), hub.download_url().to_owned());
            ready.send(urls).expect("the test waits");
        },
        async { stopped.await.expect("the test stops it") },
    ));
    let (url, files) = listening.await.expect("ready is called");
    assert_eq!(url, format!("http://127.0.0.1:{port}"));
    assert_eq!(files, format!("http://127.0.0.1:{}", port + 1));
    let counters = client()
        .get(format!("{url}/__sandbox/counters"))
        .send()
        .await
        .expect("the hub answers while served");
    assert!(counters.status().is_success());

    stop.send("stopped").expect("serve waits for it");
    let outcome = served.await.expect("no panic").expect("served");
    assert_eq!(
        outcome, "stopped",
        "serve returns what the shutdown future gave"
    );
    let after = client()
        .get(format!("{url}/__sandbox/counters"))
        .send()
        .await;
    assert!(after.is_err(), "nothing listens after the shutdown");
}

#[tokio::test]
async fn serve_needs_a_port_for_the_file_origin() {
    let error = fast()
        .serve(
            std::net::SocketAddr::from(([127, 0, 0, 1], u16::MAX)),
            |_| panic!("nothing is served"),
            async {},
        )
        .await
        .expect_err("no port after 65535");
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
}
