//! The accept loop: one hyper HTTP/1 connection per TCP stream, each request carrying a
//! [`ConnControl`] that lets a handler reset its connection without answering.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tower::ServiceExt;

/// The handle of a request's TCP connection.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConnControl(Arc<Notify>);

impl ConnControl {
    /// Resets the connection (TCP RST, no answer) and never returns.
    pub(crate) async fn reset(&self) -> Response {
        self.0.notify_one();
        std::future::pending().await
    }
}

/// Serves `router` on `listener` until `shutdown` turns true (or its sender is dropped).
pub(crate) fn spawn(
    listener: TcpListener,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let stream = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    // Out of file descriptors and the like: wait instead of spinning.
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                },
                _ = shutdown.changed() => break,
            };
            tokio::spawn(serve_connection(stream, router.clone(), shutdown.clone()));
        }
    })
}

async fn serve_connection(stream: TcpStream, router: Router, mut shutdown: watch::Receiver<bool>) {
    if *shutdown.borrow_and_update() {
        return;
    }
    let _ = stream.set_nodelay(true);
    let socket = Socket::of(&stream);
    let control = ConnControl::default();
    let per_request = control.clone();
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(per_request.clone());
        router.clone().oneshot(request)
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = connection => {}
        _ = control.0.notified() => socket.abort(),
        _ = shutdown.changed() => {}
    }
}

/// A second descriptor of the connection's socket, to make its close a reset.
struct Socket(#[cfg(unix)] Option<std::os::fd::OwnedFd>);

impl Socket {
    fn of(stream: &TcpStream) -> Socket {
        #[cfg(unix)]
        {
            use std::os::fd::AsFd;
            Socket(stream.as_fd().try_clone_to_owned().ok())
        }
        #[cfg(not(unix))]
        {
            let _ = stream;
            Socket()
        }
    }

    /// With a zero linger time, closing the socket sends RST instead of FIN; the socket
    /// closes when this descriptor and the connection's are both dropped.
    fn abort(self) {
        #[cfg(unix)]
        if let Some(fd) = &self.0 {
            let _ = socket2::SockRef::from(fd).set_linger(Some(Duration::ZERO));
        }
    }
}
