//! The hub's limit, learned from its refusals: how many generations a runner keeps in flight
//! at once, and until when it sends no submit.
//!
//! A submit the hub refuses for now (429, or 503 with `Retry-After`) was not taken: its job
//! stays pending and is sent again. Each refusal halves the number of generations in flight
//! allowed and stops every submit for the `Retry-After` asked (or a backoff doubling from
//! 1 s up to 60 s when none is given); each accepted submit raises the limit by one over
//! the limit, so that it grows back by about one per round of accepted submits, as TCP's
//! congestion window does (additive increase, multiplicative decrease).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// The longest wait after a refusal without `Retry-After`.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The generations in flight a runner allows, and the pause the hub asked for.
#[derive(Debug, Default)]
pub(crate) struct HubLimit {
    state: Mutex<State>,
    changed: Notify,
}

#[derive(Debug)]
struct State {
    /// Generations allowed in flight; unbounded until the hub first refuses one.
    window: f64,
    /// Generations in flight (a slot is held from the submit to the task's end).
    active: usize,
    /// No submit is sent before this.
    resume_at: Option<Instant>,
    /// Refusals since the last accepted submit.
    refusals: u32,
    /// Jobs refused by the hub and not yet accepted.
    waiting: usize,
}

impl Default for State {
    fn default() -> Self {
        State {
            window: f64::INFINITY,
            active: 0,
            resume_at: None,
            refusals: 0,
            waiting: 0,
        }
    }
}

/// A generation in flight: holds its place in the limit until dropped.
#[derive(Debug)]
pub(crate) struct Slot(Arc<HubLimit>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.lock().active -= 1;
        self.0.changed.notify_waiters();
    }
}

impl HubLimit {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until the hub's pause is over and the limit has room, then takes a place.
    pub(crate) async fn acquire(self: &Arc<Self>) -> Slot {
        loop {
            let changed = self.changed.notified();
            let pause = {
                let mut state = self.lock();
                match state.resume_at.filter(|at| *at > Instant::now()) {
                    Some(at) => Some(at),
                    None if (state.active as f64) < state.window.max(1.0) => {
                        state.active += 1;
                        return Slot(self.clone());
                    }
                    None => None,
                }
            };
            match pause {
                Some(at) => tokio::time::sleep_until(at).await,
                None => changed.await,
            }
        }
    }

    /// The hub took a submit: the limit grows by one over itself; a job that waited no
    /// longer does.
    pub(crate) fn accepted(&self, had_waited: bool) {
        let mut state = self.lock();
        if state.window.is_finite() {
            state.window += 1.0 / state.window.max(1.0);
        }
        state.refusals = 0;
        if had_waited {
            state.waiting = state.waiting.saturating_sub(1);
        }
        drop(state);
        self.changed.notify_waiters();
    }

    /// The hub refused a submit for now: the limit halves (from the generations in flight
    /// when fewer), and no submit goes out for `retry_after` (or the backoff). A job refused
    /// for the first time counts as waiting. Returns how long submits pause.
    pub(crate) fn refused(&self, retry_after: Option<Duration>, first_time: bool) -> Duration {
        let mut state = self.lock();
        state.window = (state.window.min(state.active as f64 + 1.0) / 2.0).max(1.0);
        let backoff = Duration::from_secs(1)
            .saturating_mul(2u32.saturating_pow(state.refusals.min(6)))
            .min(MAX_BACKOFF);
        state.refusals += 1;
        let wait = retry_after.unwrap_or(backoff);
        let until = Instant::now() + wait;
        state.resume_at = Some(state.resume_at.map_or(until, |at| at.max(until)));
        if first_time {
            state.waiting += 1;
        }
        wait
    }

    /// A job that waited on the limit ended otherwise (failed, stopped).
    pub(crate) fn gave_up(&self) {
        let mut state = self.lock();
        state.waiting = state.waiting.saturating_sub(1);
    }

    /// Jobs refused by the hub and waiting to be sent again.
    pub(crate) fn waiting(&self) -> usize {
        self.lock().waiting
    }

    #[cfg(test)]
    fn window(&self) -> f64 {
        self.lock().window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn refusals_halve_the_limit_and_pause_and_acceptances_raise_it_slowly() {
        let limit = Arc::new(HubLimit::default());
        let slots: Vec<Slot> = futures::future::join_all((0..16).map(|_| limit.acquire())).await;
        assert_eq!(limit.window(), f64::INFINITY, "no limit before a refusal");
        let wait = limit.refused(Some(Duration::from_secs(3)), true);
        assert_eq!(wait, Duration::from_secs(3));
        assert_eq!(
            limit.window(),
            8.5,
            "half the generations in flight (and the refused)"
        );
        assert_eq!(limit.waiting(), 1);

        let started = Instant::now();
        drop(slots);
        let slot = limit.acquire().await;
        assert!(
            started.elapsed() >= Duration::from_secs(3),
            "the pause is kept"
        );
        limit.accepted(true);
        assert_eq!(limit.waiting(), 0);
        assert!((limit.window() - (8.5 + 1.0 / 8.5)).abs() < 1e-9);
        drop(slot);

        // Without Retry-After: a backoff doubling from 1 s.
        assert_eq!(limit.refused(None, true), Duration::from_secs(1));
        assert_eq!(limit.refused(None, false), Duration::from_secs(2));
        assert_eq!(limit.window(), 1.0, "never below one");
        assert_eq!(limit.waiting(), 1);
        limit.gave_up();
        assert_eq!(limit.waiting(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_limit_waits_for_a_generation_to_end() {
        let limit = Arc::new(HubLimit::default());
        let first = limit.acquire().await;
        limit.refused(Some(Duration::ZERO), true);
        assert_eq!(limit.window(), 1.0);
        let second = tokio::spawn({
            let limit = limit.clone();
            async move { limit.acquire().await }
        });
        tokio::task::yield_now().await;
        assert!(!second.is_finished(), "the one place is taken");
        drop(first);
        let _second = second.await.expect("acquired once the first ended");
    }
}
