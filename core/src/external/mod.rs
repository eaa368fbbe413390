//! Requests driven by an event loop that is not Rust's (Python's asyncio, for instance), on
//! that loop's own thread.
//!
//! An async call of this library normally runs on a tokio runtime: its sockets are watched by
//! the runtime's threads, and a caller on another event loop hears of each answer through a
//! hand-off from a runtime thread to its own (on Python's asyncio, a wake-up of the loop's
//! thread per await, a few system calls and context switches). A [`Task`] instead runs its
//! future in the caller's thread, in steps: each [`Task::step`] polls the future until it waits,
//! and says what it waits for ([`Wait`]: file descriptors to become readable or writable, and a
//! deadline). The event loop watches those (asyncio's `add_reader`, `add_writer`, `call_at`)
//! and steps the task again when one is ready. No runtime is needed, and no thread is involved.
//!
//! While a task steps, the requests of its future use connections of their own, opened and kept
//! (idle, for the next request) per thread: non-blocking sockets that are not registered with
//! any runtime. Their deadlines are the [`Wait`]'s. A host name is resolved, and a password
//! hashed, on a small pool of threads (the system resolver blocks; at most eight at once, each
//! ending when there is no more such work), whose answer wakes the task through a socket pair
//! that the [`Wait`] then names.
//!
//! ```
//! use std::time::Duration;
//! use docspace_auth::external::{Step, Task};
//!
//! // Any future: here, one that is ready at once. A login is driven the same way.
//! let mut task = Task::new(async { 6 * 7 });
//! loop {
//!     match task.step() {
//!         Step::Ready => break,
//!         // An event loop would watch these, then step again.
//!         Step::Wait(wait) => assert!(!wait.fds().is_empty()),
//!     }
//! }
//! assert_eq!(task.take_output(), Some(42));
//! ```

use std::future::Future;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

mod off_thread;
mod registry;

pub(crate) use off_thread::off_thread;
pub use registry::{active, spawn};
use registry::{enter, leave, Boxed, Found, Leave};
pub(crate) use registry::{step_number, wait_for, wait_until};

/// A future stepped by an event loop (see the module's docs).
///
/// ```
/// use docspace_auth::external::{Step, Task};
///
/// let mut task = Task::new(std::future::ready("done"));
/// assert!(matches!(task.step(), Step::Ready));
/// assert_eq!(task.take_output(), Some("done"));
/// assert!(task.is_finished());
/// ```
pub struct Task<T> {
    future: Option<Boxed<T>>,
    output: Option<T>,
    /// Futures [`spawn`]ed by the task's own: polled with it, until they end.
    children: Vec<Boxed<()>>,
    signal: Arc<Signal>,
    waker: Waker,
    /// The wakers of what the last step waited for, woken at the next step.
    waiting: Vec<Waker>,
}

impl<T> std::fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Task")
            .field("running", &self.future.is_some())
            .field("children", &self.children.len())
            .finish_non_exhaustive()
    }
}

/// What a [`Task::step`] found.
///
/// ```
/// use docspace_auth::external::{Step, Task};
///
/// let mut task = Task::new(std::future::pending::<()>());
/// // Nothing will ever wake it: it waits for its own wake-up socket.
/// let Step::Wait(wait) = task.step() else { panic!("pending") };
/// assert_eq!(wait.fds().len(), 1);
/// assert_eq!(wait.timeout(), None);
/// ```
#[derive(Debug)]
pub enum Step {
    /// The future is done ([`Task::take_output`]) or was abandoned, and what it spawned is done
    /// too.
    Ready,
    /// Step again once one of these is ready, or its deadline has passed.
    Wait(Wait),
}

/// Whether a file descriptor is waited on to become readable or writable.
///
/// ```
/// use docspace_auth::external::Interest;
///
/// assert_ne!(Interest::Read, Interest::Write);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interest {
    /// Readable (an answer arrived, the peer closed).
    Read,
    /// Writable (a connection was set up, or failed to).
    Write,
}

/// What a task waits for: step it again when one of its file descriptors is ready, or once its
/// deadline has passed (whichever comes first). It names at least one of the two.
///
/// ```
/// use docspace_auth::external::{Interest, Step, Task};
///
/// let mut task = Task::new(std::future::pending::<()>());
/// if let Step::Wait(wait) = task.step() {
///     assert_eq!(wait.fds()[0].1, Interest::Read);
///     assert!(wait.deadline().is_none());
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wait {
    fds: Vec<(RawFd, Interest)>,
    deadline: Option<Instant>,
}

impl Wait {
    /// A wait as a step gives one: for the tests of an event loop's own handling of waits.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use docspace_auth::external::{Interest, Wait};
    ///
    /// let deadline = Instant::now() + Duration::from_secs(1);
    /// let wait = Wait::new(vec![(3, Interest::Read)], Some(deadline));
    /// assert_eq!(wait.fds(), &[(3, Interest::Read)]);
    /// assert_eq!(wait.deadline(), Some(deadline));
    /// ```
    pub fn new(fds: Vec<(RawFd, Interest)>, deadline: Option<Instant>) -> Wait {
        Wait { fds, deadline }
    }

    /// The file descriptors, each with what to wait for. Only watched until the next step: the
    /// task may close them after.
    ///
    /// ```
    /// use docspace_auth::external::{Step, Task};
    ///
    /// let mut task = Task::new(std::future::pending::<()>());
    /// let Step::Wait(wait) = task.step() else { unreachable!() };
    /// assert!(wait.fds().iter().all(|(fd, _)| *fd >= 0));
    /// ```
    pub fn fds(&self) -> &[(RawFd, Interest)] {
        &self.fds
    }

    /// When to step again even if no file descriptor is ready (a request's timeout).
    ///
    /// ```
    /// use docspace_auth::external::{Step, Task};
    ///
    /// let mut task = Task::new(std::future::pending::<()>());
    /// let Step::Wait(wait) = task.step() else { unreachable!() };
    /// assert_eq!(wait.deadline(), None);
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The time from now to [`Wait::deadline`] (zero once it has passed).
    ///
    /// ```
    /// use docspace_auth::external::{Step, Task};
    ///
    /// let mut task = Task::new(std::future::pending::<()>());
    /// let Step::Wait(wait) = task.step() else { unreachable!() };
    /// assert_eq!(wait.timeout(), None);
    /// ```
    pub fn timeout(&self) -> Option<Duration> {
        self.deadline
            .map(|deadline| deadline.saturating_duration_since(Instant::now()))
    }
}

/// How many times a step polls a future that keeps waking itself before it lets the event loop
/// run (the step's [`Wait`] is then ready at once).
const ROUNDS: usize = 32;

/// When a task's wake-up socket pair cannot be made (no file descriptor left), how soon it is
/// stepped again instead.
const NO_PAIR_RETRY: Duration = Duration::from_millis(10);

impl<T> Task<T> {
    /// A task that will run `future`; nothing runs before the first [`Task::step`].
    ///
    /// ```
    /// use docspace_auth::external::Task;
    ///
    /// let task = Task::new(async { 1 });
    /// assert!(!task.is_finished());
    /// ```
    pub fn new(future: impl Future<Output = T> + Send + 'static) -> Task<T> {
        let signal = Arc::new(Signal {
            woken: AtomicBool::new(false),
            pair: OnceLock::new(),
        });
        Task {
            future: Some(Box::pin(future)),
            output: None,
            children: Vec::new(),
            waker: Waker::from(signal.clone()),
            signal,
            waiting: Vec::new(),
        }
    }

    /// Polls the future (and what it [`spawn`]ed) on this thread until they are all done, or
    /// all wait.
    ///
    /// ```
    /// use docspace_auth::external::{Step, Task};
    ///
    /// let mut task = Task::new(async {});
    /// assert!(matches!(task.step(), Step::Ready));
    /// ```
    pub fn step(&mut self) -> Step {
        registry::begin_step();
        self.signal.drain();
        let mut stale = std::mem::take(&mut self.waiting);
        for _ in 0..ROUNDS {
            // What waited is polled again: woken now (it made no progress since otherwise).
            stale.drain(..).for_each(Waker::wake);
            self.signal.woken.store(false, Ordering::SeqCst);
            let found = self.poll_once();
            let spawned = !found.children.is_empty();
            self.children.extend(found.children);
            if self.future.is_none() && self.children.is_empty() {
                self.waiting = found.wakers;
                return Step::Ready;
            }
            if spawned || self.signal.woken.swap(false, Ordering::SeqCst) {
                stale = found.wakers;
                continue;
            }
            let (mut fds, mut deadline) = (found.fds, found.deadline);
            if fds.is_empty() {
                // Woken from elsewhere (another thread, another task) or not at all: its
                // wake-up socket, made now, is what to watch.
                if self.signal.pair().is_none() {
                    // None to be had: the loop steps it again soon instead.
                    deadline = Some(Instant::now() + NO_PAIR_RETRY);
                }
                if self.signal.woken.swap(false, Ordering::SeqCst) {
                    stale = found.wakers;
                    continue;
                }
            }
            if let Some((receiver, _)) = self.signal.pair.get() {
                fds.push((receiver.as_raw_fd(), Interest::Read));
            }
            self.waiting = found.wakers;
            return Step::Wait(Wait { fds, deadline });
        }
        // Still being woken: the event loop runs its other work, then this task at once.
        self.waiting = stale;
        Step::Wait(Wait {
            fds: Vec::new(),
            deadline: Some(Instant::now()),
        })
    }

    /// The future's output, once a step found it [`Step::Ready`] (`None` before, and after it
    /// was taken).
    ///
    /// ```
    /// use docspace_auth::external::Task;
    ///
    /// let mut task = Task::new(async { "output" });
    /// assert_eq!(task.take_output(), None, "not stepped yet");
    /// task.step();
    /// assert_eq!(task.take_output(), Some("output"));
    /// assert_eq!(task.take_output(), None);
    /// ```
    pub fn take_output(&mut self) -> Option<T> {
        self.output.take()
    }

    /// Drops the future (its caller went away): what it [`spawn`]ed goes on, stepped until
    /// [`Task::is_finished`]. Anything the future spawns as it drops goes on too.
    ///
    /// ```
    /// use docspace_auth::external::{Step, Task};
    ///
    /// let mut task = Task::new(std::future::pending::<()>());
    /// task.step();
    /// task.abandon();
    /// assert!(matches!(task.step(), Step::Ready));
    /// assert!(task.is_finished());
    /// ```
    pub fn abandon(&mut self) {
        let future = self.future.take();
        let previous = enter();
        drop(future);
        let found = leave(previous);
        self.children.extend(found.children);
    }

    /// Whether nothing is left to step: the future is done or abandoned, and what it spawned
    /// has ended.
    ///
    /// ```
    /// use docspace_auth::external::Task;
    ///
    /// let mut task = Task::new(async {});
    /// task.step();
    /// assert!(task.is_finished());
    /// ```
    pub fn is_finished(&self) -> bool {
        self.future.is_none() && self.children.is_empty()
    }

    /// Polls the children and the future once, as this thread's current task.
    fn poll_once(&mut self) -> Found {
        let previous = enter();
        // Left (the thread's previous task restored) even if a poll panics.
        let guard = Leave(Some(previous));
        let mut cx = Context::from_waker(&self.waker);
        self.children
            .retain_mut(|child| child.as_mut().poll(&mut cx).is_pending());
        if let Some(future) = self.future.as_mut() {
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                self.output = Some(output);
                self.future = None;
            }
        }
        guard.finish()
    }
}

/// A task's waker: marks the task woken and, once the task has made its wake-up socket pair
/// (it waits for nothing else), writes a byte to it.
struct Signal {
    woken: AtomicBool,
    /// The end the event loop watches, and the one a wake-up writes to.
    pair: OnceLock<(UnixStream, UnixStream)>,
}

impl Signal {
    /// The socket pair, made on first use (`None` if it cannot be: no file descriptor left;
    /// it is tried again at the next step).
    fn pair(&self) -> Option<&(UnixStream, UnixStream)> {
        if self.pair.get().is_none() {
            let pair = UnixStream::pair().and_then(|(receiver, sender)| {
                receiver.set_nonblocking(true)?;
                sender.set_nonblocking(true)?;
                Ok((receiver, sender))
            });
            if let Ok(pair) = pair {
                // Only the stepping thread makes it: never set twice.
                let _ = self.pair.set(pair);
            }
        }
        self.pair.get()
    }

    fn wake_up(&self) {
        if let Some((_, sender)) = self.pair.get() {
            // Full (already signalled) or closed: nothing more to say.
            let _ = (&*sender).write(&[1]);
        }
    }

    /// Reads what wake-ups wrote.
    fn drain(&self) {
        if let Some((receiver, _)) = self.pair.get() {
            let mut bytes = [0; 64];
            while matches!((&*receiver).read(&mut bytes), Ok(n) if n > 0) {}
        }
    }
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.wake_up();
    }
}
