//! A sandbox hub for the binary's tests, and the binary pointed at it.

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use assert_cmd::Command;
use videohub_sandbox::{Sandbox, SandboxBuilder, SandboxHandle, TaskDuration};

/// A sandbox served by its own runtime while the test thread runs the binary.
pub struct Hub {
    pub handle: SandboxHandle,
    _runtime: tokio::runtime::Runtime,
}

impl Hub {
    pub fn start(configure: impl FnOnce(SandboxBuilder) -> SandboxBuilder) -> Hub {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let builder = configure(
            Sandbox::builder()
                .api_key("test-key")
                .durations(TaskDuration::Fixed(Duration::from_millis(50))),
        );
        let handle = runtime.block_on(builder.start()).unwrap();
        Hub {
            handle,
            _runtime: runtime,
        }
    }

    /// The binary, pointed at this hub.
    pub fn videohub(&self) -> Command {
        let mut command = videohub();
        command.args(["--base-url", self.handle.url(), "--api-key", "test-key"]);
        command
    }
}

/// The binary, with no key or URL from the environment.
pub fn videohub() -> Command {
    let mut command = Command::cargo_bin("videohub").unwrap();
    command
        .env_remove("MOUNTSEA_API_KEY")
        .env_remove("MOUNTSEA_BASE_URL");
    command
}
