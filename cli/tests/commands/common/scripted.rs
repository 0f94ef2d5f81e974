//! A hub of a few lines for faults the sandbox does not make: one task whose file answer is
//! scripted (a body, a redirect), or a hub that repeats the `Authorization` header it
//! received in its error messages, as some gateways do.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How the file of the one task is answered.
#[derive(Clone)]
pub enum FileAnswer {
    /// `200` with this body, announcing its length or not.
    Body { bytes: Vec<u8>, length: bool },
    /// `302` to this location.
    Redirect(String),
}

/// What the hub does.
#[derive(Clone)]
pub enum Script {
    /// Submits create task `test-task-1`, finished, whose video is answered so. The answers
    /// repeat the key they were sent with, and the task's id holds the short keys a local
    /// hub may be given, `k`, `task` and `test`.
    File(FileAnswer),
    /// Every request is refused with a message that repeats its `Authorization` header and
    /// the key in it.
    Echo,
}

pub struct ScriptedHub {
    pub url: String,
    /// Submits received.
    pub submits: Arc<AtomicUsize>,
    /// File requests received.
    pub file_requests: Arc<AtomicUsize>,
}

impl ScriptedHub {
    pub fn start(script: Script) -> ScriptedHub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let submits = Arc::new(AtomicUsize::new(0));
        let file_requests = Arc::new(AtomicUsize::new(0));
        let (base, s, f) = (url.clone(), submits.clone(), file_requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (script, base, s, f) = (script.clone(), base.clone(), s.clone(), f.clone());
                std::thread::spawn(move || serve(stream, &script, &base, &s, &f));
            }
        });
        ScriptedHub {
            url,
            submits,
            file_requests,
        }
    }
}

fn serve(
    stream: TcpStream,
    script: &Script,
    base: &str,
    submits: &AtomicUsize,
    files: &AtomicUsize,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if line == "\r\n" {
            break;
        }
        head.push(line.trim_end().to_owned());
    }
    let header = |name: &str| {
        head.iter().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    };
    let length: usize = header("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let request = head.first().cloned().unwrap_or_default();
    let json = |status: u16, body: String| {
        answer(
            status,
            &[("content-type", "application/json")],
            body.into_bytes(),
            true,
        )
    };
    let auth = header("authorization").unwrap_or_default();
    let key = auth.trim_start_matches("Bearer ");
    let reply = match script {
        Script::Echo => json(
            400,
            format!(
                r#"{{"message": "bad request (headers: authorization: {auth}); key {key} rejected"}}"#
            ),
        ),
        Script::File(_) if request.starts_with("POST /hub/v1/") => {
            submits.fetch_add(1, Ordering::SeqCst);
            json(
                200,
                format!(r#"{{"taskId": "test-task-1", "note": "accepted for {key}"}}"#),
            )
        }
        Script::File(_) if request.starts_with("GET /hub/v1/tasks/test-task-1 ") => json(
            200,
            format!(
                r#"{{"task_id": "test-task-1", "status": "completed", "ready": true, "data": {{"video": {{"url": "{base}/files/v.mp4"}}, "billed_to": "{key}"}}}}"#
            ),
        ),
        Script::File(file) if request.starts_with("GET /files/") => {
            files.fetch_add(1, Ordering::SeqCst);
            match file {
                FileAnswer::Body { bytes, length } => answer(200, &[], bytes.clone(), *length),
                FileAnswer::Redirect(location) => {
                    answer(302, &[("location", location)], Vec::new(), true)
                }
            }
        }
        Script::File(_) => json(404, r#"{"message": "no such thing"}"#.to_owned()),
    };
    let mut stream = stream;
    let _ = stream.write_all(&reply);
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

fn answer(status: u16, headers: &[(&str, &str)], body: Vec<u8>, length: bool) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} X\r\nconnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if length {
        out.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(&body);
    out
}
