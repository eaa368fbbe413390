//! The stepped calls' reactor, one per thread, on Linux: the file descriptors and deadlines that
//! the thread's waiting tasks (`stepped/`) wait for, in an epoll instance of the library's that
//! the event loop watches as one file descriptor (asyncio's `add_reader`, once per loop).
//!
//! Without it, a task's every wait costs the loop a registration and an unregistration of the
//! socket (two `epoll_ctl` calls and Python's selector bookkeeping) and a timer made and
//! cancelled, and each ready socket a turn of the loop. With it, a wait arms the socket in the
//! library's epoll (one `EPOLLONESHOT` `epoll_ctl`), notes the deadline (a timerfd, re-armed only
//! for an earlier one), and the loop hears of every ready task of the thread at once: when its
//! epoll instance is readable, [`Reactor::ready`] answers which tasks to step.
//!
//! A socket the core closes leaves the epoll instance by itself (the kernel drops a closed
//! file's registration); a file descriptor number used again is registered anew (`EPOLL_CTL_MOD`
//! fails with `ENOENT`, then `EPOLL_CTL_ADD`). A task is named by its handle; a stale event (for
//! a task since done, or a handle since reused) makes the loop step a task that finds nothing
//! ready and waits again.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::{Duration, Instant};

use docspace_auth::external::{Interest, Wait};

/// The timerfd's key in the epoll instance (no file descriptor is this large).
const TIMER: u64 = u64::MAX;

pub(crate) struct Reactor {
    epoll: OwnedFd,
    timer: OwnedFd,
    /// Which task waits on each armed file descriptor.
    waiting: HashMap<RawFd, u64>,
    /// The deadlines of the waiting tasks, earliest first, and each task's.
    deadlines: BTreeSet<(Instant, u64)>,
    deadline_of: HashMap<u64, Instant>,
    /// What the timerfd is set for.
    armed: Option<Instant>,
}

thread_local! {
    static REACTOR: RefCell<Option<Reactor>> = const { RefCell::new(None) };
}

/// `f` with this thread's reactor if it has one.
pub(crate) fn with_existing(f: impl FnOnce(&mut Reactor)) {
    REACTOR.with(|reactor| {
        if let Ok(mut reactor) = reactor.try_borrow_mut() {
            if let Some(reactor) = reactor.as_mut() {
                f(reactor);
            }
        }
    })
}

/// `f` with this thread's reactor, made on first use.
pub(crate) fn with<T>(f: impl FnOnce(&mut Reactor) -> io::Result<T>) -> io::Result<T> {
    REACTOR.with(|reactor| {
        let mut reactor = reactor.borrow_mut();
        if reactor.is_none() {
            *reactor = Some(Reactor::new()?);
        }
        match reactor.as_mut() {
            Some(reactor) => f(reactor),
            None => Err(io::Error::other("no reactor")),
        }
    })
}

fn check(result: libc::c_int) -> io::Result<libc::c_int> {
    if result < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

impl Reactor {
    fn new() -> io::Result<Reactor> {
        // SAFETY: plain system calls; each new file descriptor is owned at once.
        let epoll =
            unsafe { OwnedFd::from_raw_fd(check(libc::epoll_create1(libc::EPOLL_CLOEXEC))?) };
        let timer = unsafe {
            OwnedFd::from_raw_fd(check(libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_CLOEXEC | libc::TFD_NONBLOCK,
            ))?)
        };
        let mut event = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: TIMER,
        };
        // SAFETY: both file descriptors are open; `event` is valid for the call.
        check(unsafe {
            libc::epoll_ctl(
                epoll.as_raw_fd(),
                libc::EPOLL_CTL_ADD,
                timer.as_raw_fd(),
                &mut event,
            )
        })?;
        Ok(Reactor {
            epoll,
            timer,
            waiting: HashMap::new(),
            deadlines: BTreeSet::new(),
            deadline_of: HashMap::new(),
            armed: None,
        })
    }

    /// The file descriptor the event loop watches (readable when a task may go on).
    pub(crate) fn fd(&self) -> RawFd {
        self.epoll.as_raw_fd()
    }

    /// Arms what `task` waits for: each file descriptor once, and its deadline.
    pub(crate) fn wait(&mut self, task: u64, wait: &Wait) -> io::Result<()> {
        for &(fd, interest) in wait.fds() {
            let events = match interest {
                Interest::Read => libc::EPOLLIN | libc::EPOLLRDHUP,
                Interest::Write => libc::EPOLLOUT,
            } as u32
                | libc::EPOLLONESHOT as u32;
            let mut event = libc::epoll_event {
                events,
                u64: fd as u64,
            };
            let epoll = self.epoll.as_raw_fd();
            // SAFETY: `fd` is open (the task just named it); `event` is valid for the call.
            let modified = unsafe { libc::epoll_ctl(epoll, libc::EPOLL_CTL_MOD, fd, &mut event) };
            if modified < 0 {
                let error = io::Error::last_os_error();
                if error.raw_os_error() != Some(libc::ENOENT) {
                    return Err(error);
                }
                // SAFETY: as above.
                check(unsafe { libc::epoll_ctl(epoll, libc::EPOLL_CTL_ADD, fd, &mut event) })?;
            }
            self.waiting.insert(fd, task);
        }
        self.set_deadline(task, wait.deadline())
    }

    fn set_deadline(&mut self, task: u64, deadline: Option<Instant>) -> io::Result<()> {
        if let Some(old) = self.deadline_of.remove(&task) {
            self.deadlines.remove(&(old, task));
        }
        let Some(deadline) = deadline else {
            return Ok(());
        };
        self.deadlines.insert((deadline, task));
        self.deadline_of.insert(task, deadline);
        // Re-armed only for an earlier deadline: a later one is found when the timer fires.
        if self.armed.is_none_or(|armed| deadline < armed) {
            self.arm(deadline)?;
        }
        Ok(())
    }

    /// Sets the timerfd to fire at `deadline` (at once if it has passed).
    fn arm(&mut self, deadline: Instant) -> io::Result<()> {
        let after = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_nanos(1));
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: after.as_secs().min(i64::MAX as u64) as libc::time_t,
                tv_nsec: after.subsec_nanos() as libc::c_long,
            },
        };
        // SAFETY: the timerfd is open; `spec` is valid for the call.
        check(unsafe {
            libc::timerfd_settime(self.timer.as_raw_fd(), 0, &spec, std::ptr::null_mut())
        })?;
        self.armed = Some(deadline);
        Ok(())
    }

    /// `task` is done or freed: its deadline is dropped (its armed file descriptors are closed
    /// with it, or taken by the next task that waits on them).
    pub(crate) fn forget(&mut self, task: u64) {
        if let Some(old) = self.deadline_of.remove(&task) {
            self.deadlines.remove(&(old, task));
        }
    }

    /// The tasks that may go on now (a file descriptor of theirs ready, or their deadline
    /// passed), at most `out.len()`; how many were written. It does not wait.
    pub(crate) fn ready(&mut self, out: &mut [u64]) -> io::Result<usize> {
        let mut events = [libc::epoll_event { events: 0, u64: 0 }; 64];
        let room = out.len().min(events.len()) as libc::c_int;
        // SAFETY: `events` holds `room` entries.
        let count = check(unsafe {
            libc::epoll_wait(self.epoll.as_raw_fd(), events.as_mut_ptr(), room, 0)
        })? as usize;
        let mut written = 0;
        let mut timer_fired = false;
        for event in &events[..count] {
            if event.u64 == TIMER {
                timer_fired = true;
                continue;
            }
            if let Some(task) = self.waiting.remove(&(event.u64 as RawFd)) {
                written = push(out, written, task);
            }
        }
        if timer_fired {
            let mut expirations = [0u8; 8];
            // SAFETY: the timerfd is open; 8 bytes are writable at `expirations`.
            unsafe {
                libc::read(self.timer.as_raw_fd(), expirations.as_mut_ptr().cast(), 8);
            }
            self.armed = None;
        }
        let now = Instant::now();
        while written < out.len() {
            let Some(&(deadline, task)) = self.deadlines.first() else {
                break;
            };
            if deadline > now {
                break;
            }
            self.deadlines.pop_first();
            self.deadline_of.remove(&task);
            written = push(out, written, task);
        }
        if let Some(&(next, _)) = self.deadlines.first() {
            if self.armed.is_none_or(|armed| next < armed) {
                self.arm(next)?;
            }
        }
        Ok(written)
    }
}

/// `task` added to `out[..written]` unless it is there already.
fn push(out: &mut [u64], written: usize, task: u64) -> usize {
    if written < out.len() && !out[..written].contains(&task) {
        out[written] = task;
        written + 1
    } else {
        written
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::os::unix::net::UnixStream;

    use super::*;

    #[test]
    fn a_ready_socket_names_its_task_once() {
        let mut reactor = Reactor::new().expect("reactor");
        let (mut ours, theirs) = UnixStream::pair().expect("pair");
        let wait = Wait::new(vec![(theirs.as_raw_fd(), Interest::Read)], None);
        reactor.wait(7, &wait).expect("armed");
        let mut out = [0u64; 8];
        assert_eq!(reactor.ready(&mut out).expect("ready"), 0, "nothing yet");
        ours.write_all(b"x").expect("write");
        assert_eq!(reactor.ready(&mut out).expect("ready"), 1);
        assert_eq!(out[0], 7);
        // One shot: still readable, but not named again until armed again.
        assert_eq!(reactor.ready(&mut out).expect("ready"), 0);
        reactor.wait(8, &wait).expect("armed again");
        assert_eq!(reactor.ready(&mut out).expect("ready"), 1);
        assert_eq!(out[0], 8);
    }

    #[test]
    fn a_passed_deadline_names_its_task_and_a_forgotten_one_does_not() {
        let mut reactor = Reactor::new().expect("reactor");
        let soon = Instant::now() + Duration::from_millis(30);
        reactor
            .wait(1, &Wait::new(Vec::new(), Some(soon)))
            .expect("armed");
        reactor
            .wait(2, &Wait::new(Vec::new(), Some(soon)))
            .expect("armed");
        reactor.forget(2);
        let mut out = [0u64; 8];
        assert_eq!(reactor.ready(&mut out).expect("ready"), 0, "not yet");
        let mut poll = libc::pollfd {
            fd: reactor.fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let readable = unsafe { libc::poll(&mut poll, 1, 2_000) };
        assert_eq!(readable, 1, "the reactor became readable at the deadline");
        assert!(Instant::now() >= soon);
        assert_eq!(reactor.ready(&mut out).expect("ready"), 1);
        assert_eq!(out[0], 1);
    }
}
