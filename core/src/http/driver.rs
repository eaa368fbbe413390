//! A connection driven by the request that holds it: hyper's connection future, which writes
//! the request and reads the answer, is polled by the request's own future ([`Driver::drive`])
//! instead of a task of its own, so that a request's I/O happens where the request is polled,
//! with no hand-off to another task and back.
//!
//! The connection's I/O, the request's work and the request's deadline each have their own
//! waker. Wake-ups that one half gives the other while they are being polled (the request
//! queued for writing, the answer handed over) are kept for the poller, who polls the woken half
//! again, instead of waking the caller's task: on a current-thread runtime, a wake-up of the
//! task being polled costs one more pass of the I/O driver (a system call) before the task is
//! polled again. An idle connection in the pool is polled by nobody; the next request that takes
//! it polls its I/O first ([`Driver::poll_io_first`]) and so finds out whether the server closed
//! it meanwhile.
//!
//! The deadline is a timer the connection keeps from one request to the next ([`Timer`]).

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use atomic_waker::AtomicWaker;
use tokio::runtime::Handle;
use tokio::time::{Instant as Deadline, Sleep};

/// The future that does a connection's I/O (hyper's `http1::Connection`, over tokio's sockets or
/// an external task's); it ends when the connection closes.
pub(super) type Io = Pin<Box<dyn Future<Output = hyper::Result<()>> + Send>>;

/// A connection's I/O, and what wakes it.
pub(super) struct Driver {
    /// `None` once the connection has ended.
    io: Option<Io>,
    /// Which halves were woken, and the task to tell (see [`Relay`]).
    relay: Arc<Relay>,
    /// The wakers the halves are polled with: [`Half::Io`] for the connection's I/O,
    /// [`Half::Work`] for what `drive` is given, [`Half::Timer`] for the deadline.
    io_waker: Waker,
    work_waker: Waker,
    timer_waker: Waker,
    timer: Option<Timer>,
}

/// The connection's timer: tokio's, or the deadline of an external task's request
/// ([`crate::external`], whose event loop keeps the time).
enum Timer {
    Tokio(TokioTimer),
    External(Deadline),
}

/// The connection's tokio timer, reset from one request to the next rather than made per request.
/// Left registered between requests, it makes the runtime's timer know of a deadline no later
/// than the next request's: registering a timer earlier than every one the runtime knew of
/// when it last parked makes tokio wake the runtime's driver (on a runtime that is running the
/// request, a write to its eventfd, and one more pass of the driver that the write wakes). A
/// timer is used only on the runtime that made it (a multi-threaded runtime's connections are
/// shared by every such runtime in the process, and a timer of a runtime that is gone cannot be
/// polled).
struct TokioTimer {
    runtime: Option<tokio::runtime::Id>,
    sleep: Pin<Box<Sleep>>,
}

impl Timer {
    /// `slot`'s timer set for `deadline`: in an external task, the deadline; else tokio's,
    /// reset if it was made on the current runtime, made anew otherwise.
    fn set(slot: &mut Option<Timer>, deadline: Deadline) {
        if super::external() {
            *slot = Some(Timer::External(deadline));
            return;
        }
        let runtime = Handle::try_current().ok().map(|runtime| runtime.id());
        match slot {
            Some(Timer::Tokio(timer)) if runtime.is_some() && timer.runtime == runtime => {
                timer.sleep.as_mut().reset(deadline);
            }
            _ => {
                *slot = Some(Timer::Tokio(TokioTimer {
                    runtime,
                    sleep: Box::pin(tokio::time::sleep_until(deadline)),
                }))
            }
        }
    }

    /// Whether the deadline has passed; else it wakes `cx`'s waker once it has.
    fn poll_expired(&mut self, cx: &mut Context<'_>) -> bool {
        match self {
            Timer::Tokio(timer) => timer.sleep.as_mut().poll(cx).is_ready(),
            Timer::External(deadline) => expired(*deadline, cx),
        }
    }
}

/// The deadline of a request passed (see [`Driver::drive`]).
pub(super) struct Elapsed;

impl Driver {
    pub(super) fn new(io: Io) -> Driver {
        let relay = Arc::new(Relay {
            // Never polled yet.
            state: AtomicU8::new(Relay::IO),
            outer: AtomicWaker::new(),
        });
        let waker = |half: fn(Arc<Relay>) -> Half| Waker::from(Arc::new(half(relay.clone())));
        Driver {
            io: Some(io),
            io_waker: waker(Half::Io),
            work_waker: waker(Half::Work),
            timer_waker: waker(Half::Timer),
            timer: None,
            relay,
        }
    }

    /// Whether the connection has ended (closed, or failed).
    pub(super) fn ended(&self) -> bool {
        self.io.is_none()
    }

    /// The connection's I/O is polled in the next drive's first round, whether or not it was
    /// woken: for a connection taken from the pool, it then reads what arrived meanwhile (the
    /// server's close, if the runtime has seen it), and is ready for the next request even if
    /// the last poll left it short of that.
    pub(super) fn poll_io_first(&self) {
        self.relay.state.fetch_or(Relay::IO, Ordering::AcqRel);
    }

    /// Idle in the pool: it wakes no task (a wake-up then finds the pool's next user, who
    /// polls it).
    pub(super) fn idle(&self) {
        drop(self.relay.outer.take());
    }

    /// A request starts on this connection: its drives end with [`Elapsed`] once `deadline` has
    /// passed ([`Timer::set`]).
    pub(super) fn start(&mut self, deadline: Deadline) {
        Timer::set(&mut self.timer, deadline);
    }

    /// `work` (a request on this connection, or reading its answer) polled together with the
    /// connection's I/O, until `work` is done. Each half is polled when it was woken (`work` also
    /// at first): the connection's I/O when its socket or the request's side gave it something
    /// to do, `work` when the connection handed it something.
    /// `Err(Elapsed)` once the deadline given to [`Driver::start`] has passed.
    pub(super) async fn drive<F: Future>(&mut self, work: F) -> Result<F::Output, Elapsed> {
        // The timer is polled in the first round too (it learns this drive's waker).
        self.relay.state.fetch_or(Relay::TIMER, Ordering::AcqRel);
        let mut work = pin!(work);
        let mut first = true;
        let Driver {
            io,
            relay,
            io_waker,
            work_waker,
            timer_waker,
            timer,
        } = self;
        std::future::poll_fn(|cx| {
            relay.outer.register(cx.waker());
            relay.state.fetch_or(Relay::POLLING, Ordering::AcqRel);
            for _ in 0..DRIVE_ROUNDS {
                let mut woken = relay.take_woken();
                if std::mem::take(&mut first) {
                    woken |= Relay::WORK;
                }
                if woken & Relay::IO != 0 {
                    if let Some(connection) = io.as_mut() {
                        let mut cx = Context::from_waker(io_waker);
                        if connection.as_mut().poll(&mut cx).is_ready() {
                            // Closed, or failed: `work` learns of it from hyper.
                            *io = None;
                        }
                    }
                }
                if woken & Relay::WORK != 0 {
                    let mut cx = Context::from_waker(work_waker);
                    if let Poll::Ready(output) = work.as_mut().poll(&mut cx) {
                        relay.state.fetch_and(!Relay::POLLING, Ordering::AcqRel);
                        return Poll::Ready(Ok(output));
                    }
                }
                if woken & Relay::TIMER != 0 {
                    if let Some(timer) = timer.as_mut() {
                        let mut cx = Context::from_waker(timer_waker);
                        if timer.poll_expired(&mut cx) {
                            relay.state.fetch_and(!Relay::POLLING, Ordering::AcqRel);
                            return Poll::Ready(Err(Elapsed));
                        }
                    }
                }
                if relay.finish() {
                    return Poll::Pending;
                }
                // A half was woken while polled (one made progress the other may use): again.
            }
            // Still making progress (a long answer): let the runtime run its other tasks.
            relay.state.fetch_and(!Relay::POLLING, Ordering::AcqRel);
            cx.waker().wake_by_ref();
            Poll::Pending
        })
        .await
    }
}

/// In an external task: whether `deadline` has passed; else the task's event loop is told to
/// step it by then, and `cx`'s waker is woken at that step.
fn expired(deadline: Deadline, cx: &Context<'_>) -> bool {
    let deadline = deadline.into_std();
    if std::time::Instant::now() >= deadline {
        return true;
    }
    #[cfg(unix)]
    crate::external::wait_until(deadline, cx.waker());
    #[cfg(not(unix))]
    let _ = cx;
    false
}

/// `work`, or `Err(Elapsed)` once `deadline` has passed: tokio's timeout, or in an external
/// task its event loop's.
pub(super) async fn timeout_at<F: Future>(
    deadline: Deadline,
    work: F,
) -> Result<F::Output, Elapsed> {
    if !super::external() {
        return tokio::time::timeout_at(deadline, work)
            .await
            .map_err(|_| Elapsed);
    }
    let mut work = pin!(work);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(output) = work.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        if expired(deadline, cx) {
            return Poll::Ready(Err(Elapsed));
        }
        Poll::Pending
    })
    .await
}

/// How many times [`Driver::drive`] polls the halves of a connection in one poll of its caller
/// before it yields to the runtime (a request and its answer take two or three).
const DRIVE_ROUNDS: usize = 32;

/// Which halves of a connection were woken, and the task that drives it. A wake-up while the
/// halves are being polled is left for the poller, who polls the woken half again; one at any
/// other time (the socket became readable) also wakes the task, whose next poll polls that half.
/// On a current-thread runtime, waking the task being polled would cost one more pass of the
/// I/O driver (a system call) before it is polled again.
struct Relay {
    state: AtomicU8,
    outer: AtomicWaker,
}

impl Relay {
    const POLLING: u8 = 1;
    const IO: u8 = 2;
    const WORK: u8 = 4;
    const TIMER: u8 = 8;

    /// The halves woken since they were last taken (and no longer marked).
    fn take_woken(&self) -> u8 {
        self.state.fetch_and(Self::POLLING, Ordering::AcqRel) & !Self::POLLING
    }

    /// Ends a poll unless a half was woken meanwhile: one atomic operation, so that a wake-up
    /// from another thread is either seen here or goes to the task.
    fn finish(&self) -> bool {
        self.state
            .compare_exchange(Self::POLLING, 0, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    fn wake(&self, half: u8) {
        if self.state.fetch_or(half, Ordering::AcqRel) & Self::POLLING != 0 {
            return;
        }
        self.outer.wake();
    }
}

/// The waker of one half of a connection.
enum Half {
    Io(Arc<Relay>),
    Work(Arc<Relay>),
    Timer(Arc<Relay>),
}

impl Wake for Half {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        match &**self {
            Half::Io(relay) => relay.wake(Relay::IO),
            Half::Work(relay) => relay.wake(Relay::WORK),
            Half::Timer(relay) => relay.wake(Relay::TIMER),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::testing::runtime;
    use super::*;

    /// A drive whose halves keep waking each other (a long answer arriving) gives the runtime a
    /// turn every [`DRIVE_ROUNDS`] rounds: the caller's other tasks run meanwhile.
    #[test]
    fn a_drive_that_keeps_being_woken_yields_to_the_runtime() {
        use std::sync::atomic::{AtomicBool, AtomicUsize};

        use super::super::testing::{client, get, Server};

        runtime().block_on(async {
            let server = Server::start().await;
            let client = client();
            let (_, mut lease) = get(&client, &server.url).await;
            let polls = Arc::new(AtomicUsize::new(0));
            let other_ran = Arc::new(AtomicBool::new(false));
            let polls_before_other = tokio::spawn({
                let (polls, other_ran) = (polls.clone(), other_ran.clone());
                async move {
                    other_ran.store(true, Ordering::SeqCst);
                    polls.load(Ordering::SeqCst)
                }
            });
            let work = std::future::poll_fn(|cx| {
                let polled = polls.fetch_add(1, Ordering::SeqCst) + 1;
                // (Bounded: a drive that never yields fails here instead of spinning forever.)
                if other_ran.load(Ordering::SeqCst) || polled > 100 * DRIVE_ROUNDS {
                    return Poll::Ready(());
                }
                cx.waker().wake_by_ref();
                Poll::Pending
            });
            assert!(lease.drive(work).await.is_ok());
            let before = polls_before_other.await.expect("the other task");
            assert_eq!(
                before, DRIVE_ROUNDS,
                "the other task ran after one poll's rounds"
            );
            assert_eq!(polls.load(Ordering::SeqCst), DRIVE_ROUNDS + 1);
        });
    }

    fn tokio_timer(slot: &Option<Timer>) -> &TokioTimer {
        match slot.as_ref().expect("a timer") {
            Timer::Tokio(timer) => timer,
            Timer::External(_) => panic!("a tokio timer"),
        }
    }

    fn address(slot: &Option<Timer>) -> *const Sleep {
        &*tokio_timer(slot).sleep
    }

    /// A connection's requests reuse its timer on the runtime that made it (a timer per request
    /// made tokio wake a running driver per request); another runtime gets a timer of its own.
    #[test]
    fn a_timer_is_reset_on_its_runtime_and_replaced_on_another() {
        let mut slot = None;
        let first = runtime();
        let made = first.block_on(async {
            Timer::set(&mut slot, Deadline::now() + Duration::from_secs(30));
            address(&slot)
        });
        let later = Deadline::now() + Duration::from_secs(60);
        first.block_on(async { Timer::set(&mut slot, later) });
        assert_eq!(address(&slot), made, "reset, not made anew");
        let timer = tokio_timer(&slot);
        assert_eq!(timer.sleep.deadline(), later);
        assert_eq!(timer.runtime, Some(first.handle().id()));

        let second = runtime();
        second.block_on(async { Timer::set(&mut slot, later + Duration::from_secs(1)) });
        let timer = tokio_timer(&slot);
        assert_eq!(
            timer.runtime,
            Some(second.handle().id()),
            "another runtime's timer"
        );
        assert_eq!(timer.sleep.deadline(), later + Duration::from_secs(1));
    }
}
