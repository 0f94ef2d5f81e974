//! Who works on a job: leases held by a process, and whether that process still lives.

use std::time::Duration;

/// How long a lease lasts without renewal; a worker renews it every third of that.
pub const LEASE: Duration = Duration::from_secs(60);

/// A process working on jobs: `host/pid/nonce`.
///
/// A job leased by an owner is left alone by every other process until the lease expires,
/// or, on the same Linux host, as soon as the owner's process is gone (a process killed
/// mid-job does not hold its jobs for a whole lease).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    id: String,
}

impl Owner {
    /// This process, with a nonce that tells it apart from a later process of the same id.
    pub fn this_process() -> Owner {
        Owner {
            id: format!(
                "{}/{}/{:08x}",
                host_name(),
                std::process::id(),
                fastrand::u32(..)
            ),
        }
    }

    /// The stored form.
    pub fn as_str(&self) -> &str {
        &self.id
    }
}

/// Whether the process named by a stored owner is known to be gone: it ran on this host and
/// its process id no longer exists. `false` when that cannot be known (another host, or a
/// system without `/proc`), so the lease decides.
pub(crate) fn is_gone(owner: &str) -> bool {
    let mut parts = owner.rsplitn(3, '/');
    let (Some(_nonce), Some(pid), Some(host)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    if host != host_name() || !std::path::Path::new("/proc/self").exists() {
        return false;
    }
    match pid.parse::<u32>() {
        Ok(pid) if pid == std::process::id() => false,
        Ok(pid) => !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        Err(_) => false,
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().replace('/', "_"))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_finished_one_is_gone() {
        let me = Owner::this_process();
        assert!(!is_gone(me.as_str()));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        let dead = format!("{}/{pid}/00000000", host_name());
        assert_eq!(is_gone(&dead), std::path::Path::new("/proc/self").exists());
        assert!(!is_gone(&format!("elsewhere.example/{pid}/00000000")));
        assert!(!is_gone("garbage"));
    }
}
