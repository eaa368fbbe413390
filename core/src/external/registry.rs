//! What the futures of the task being stepped on this thread register: the file descriptors and
//! deadline it waits for, the wakers to wake at the next step, and the futures it spawns. The
//! sockets and timers of the stepped requests (`http/external_tcp.rs`, `http/driver.rs`) call
//! [`wait_for`] and [`wait_until`]; [`super::Task::step`] collects what one poll registered.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::os::fd::RawFd;
use std::pin::Pin;
use std::task::Waker;
use std::time::Instant;

use super::Interest;

pub(super) type Boxed<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// What the futures of the task being stepped on this thread registered in one poll.
#[derive(Default)]
pub(super) struct Found {
    pub(super) fds: Vec<(RawFd, Interest)>,
    pub(super) deadline: Option<Instant>,
    pub(super) wakers: Vec<Waker>,
    pub(super) children: Vec<Boxed<()>>,
}

thread_local! {
    /// Set while a task steps on this thread.
    static CURRENT: RefCell<Option<Found>> = const { RefCell::new(None) };
    /// How many steps this thread has begun ([`step_number`]).
    static STEPS: Cell<u64> = const { Cell::new(0) };
}

/// Begins a step on this thread: [`step_number`] changes.
pub(super) fn begin_step() {
    STEPS.with(|steps| steps.set(steps.get().wrapping_add(1)));
}

/// The number of the step this thread is in (or last was in): never 0 once a step has begun.
/// A socket found with nothing to read in a step is not read again in that step
/// (`http/external_tcp.rs`): the step ends waiting for it instead, and the next one reads it.
pub(crate) fn step_number() -> u64 {
    STEPS.with(Cell::get)
}

/// Makes this thread's current task a new one; what was current before, to restore.
pub(super) fn enter() -> Option<Found> {
    CURRENT.with(|current| current.replace(Some(Found::default())))
}

/// Restores `previous`; what the ending step registered.
pub(super) fn leave(previous: Option<Found>) -> Found {
    CURRENT
        .with(|current| current.replace(previous))
        .unwrap_or_default()
}

pub(super) struct Leave(pub(super) Option<Option<Found>>);

impl Leave {
    pub(super) fn finish(mut self) -> Found {
        leave(self.0.take().unwrap_or_default())
    }
}

impl Drop for Leave {
    fn drop(&mut self) {
        if let Some(previous) = self.0.take() {
            leave(previous);
        }
    }
}

/// Whether a task is being stepped on this thread (its requests then use the thread's own
/// connections, watched by the event loop): code that would hand work to a runtime runs it in
/// the task instead ([`spawn`]).
///
/// ```
/// use docspace_auth::external::{active, Task};
///
/// assert!(!active());
/// let mut task = Task::new(async { active() });
/// task.step();
/// assert_eq!(task.take_output(), Some(true));
/// ```
pub fn active() -> bool {
    CURRENT.with(|current| current.borrow().is_some())
}

/// Registers `fd` for the task being stepped: it waits until `fd` is ready for `interest`, and
/// `waker` is woken at the next step. `false` when no task is being stepped on this thread.
pub(crate) fn wait_for(fd: RawFd, interest: Interest, waker: &Waker) -> bool {
    CURRENT.with(|current| match current.borrow_mut().as_mut() {
        Some(found) => {
            if !found.fds.contains(&(fd, interest)) {
                found.fds.push((fd, interest));
            }
            found.wakers.push(waker.clone());
            true
        }
        None => false,
    })
}

/// Registers `deadline` for the task being stepped: it is stepped again by then, and `waker`
/// woken. `false` when no task is being stepped on this thread.
pub(crate) fn wait_until(deadline: Instant, waker: &Waker) -> bool {
    CURRENT.with(|current| match current.borrow_mut().as_mut() {
        Some(found) => {
            found.deadline = Some(found.deadline.map_or(deadline, |d| d.min(deadline)));
            found.wakers.push(waker.clone());
            true
        }
        None => false,
    })
}

/// Runs `future` beside the future of the task being stepped on this thread, until it ends,
/// even if that task's future is abandoned (work that must finish whatever becomes of its
/// caller). Gives `future` back when no task is being stepped on this thread.
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::Arc;
/// use docspace_auth::external::{spawn, Task};
///
/// let ran = Arc::new(AtomicBool::new(false));
/// let flag = ran.clone();
/// let mut task = Task::new(async move {
///     let spawned = spawn(async move { flag.store(true, Ordering::SeqCst) });
///     assert!(spawned.is_ok());
/// });
/// task.step();
/// assert!(ran.load(Ordering::SeqCst));
/// // Outside a step, the future comes back.
/// assert!(spawn(async {}).is_err());
/// ```
pub fn spawn<F: Future<Output = ()> + Send + 'static>(future: F) -> Result<(), F> {
    CURRENT.with(|current| match current.borrow_mut().as_mut() {
        Some(found) => {
            found.children.push(Box::pin(future));
            Ok(())
        }
        None => Err(future),
    })
}
