//! The login path's async calls stepped by the caller's own event loop, on its thread (core's
//! `external`), for the Python binding's async API (`bindings/python`'s `_direct.py`).
//!
//! An async method's future runs on uniffi's tokio runtime: its requests are watched by a
//! runtime thread, which tells the caller's event loop of each answer through a hand-off (on
//! asyncio, a callback into Python from that thread, then a write that wakes the loop's thread,
//! per await). These run the same methods as a task that the loop steps instead: each step
//! polls it on the loop's thread until it waits, and says which sockets to watch and until
//! when; the loop (asyncio's `add_reader`, `add_writer`, `call_later`) steps it again when one
//! is ready. No thread but the loop's is involved. Work that must finish even if its caller is
//! cancelled (`blocking::detach`) runs beside the call's future in the same task: a cancelled
//! caller abandons the task ([`docspace_auth_ffi_direct_step_abandon`]) and the loop steps what
//! is left to its end.
//!
//! The contract, which `bindings/python/tests/test_direct.py` exercises:
//!
//! - a `*_task` function takes what its `direct.rs` counterpart takes, and returns a task
//!   handle (never 0), or 0 with the call status set when its arguments cannot be taken;
//! - [`docspace_auth_ffi_direct_step`] steps it: 0 once the call is done (its result from
//!   [`docspace_auth_ffi_direct_step_output`]) or abandoned, and what it started that must
//!   finish is done too; otherwise `1 + n`, with `n` file descriptors written to `fds` (at most `capacity`), each
//!   as `fd << 2 | 1` to wait until readable, `fd << 2 | 2` until writable, and in `timeout`
//!   the seconds until it must be stepped anyway (negative: no deadline). A task is stepped by
//!   one thread at a time (another's step is refused with an error);
//! - the file descriptors are watched only until the next step (the task may close them after);
//! - a task handle is freed once, with [`docspace_auth_ffi_direct_step_free`].
//!
//! On Linux a call can instead wait in this thread's reactor (`reactor.rs`), which the loop
//! watches as one file descriptor, and cross fewer times:
//! `docspace_auth_ffi_direct_{login,confirm}_begin` make the task and step it once, and
//! `docspace_auth_ffi_direct_step_on` steps it again once the reactor names it. Both answer the
//! call's output once it is done (the task then freed: its output taken, or its error set in the
//! call status), else the task's handle with `WAITING` (2) set, registered with the reactor.

use std::panic::AssertUnwindSafe;
use std::sync::{Mutex, MutexGuard, TryLockError};

use docspace_auth::external::{Interest, Step, Task};
use uniffi::RustCallStatus;

use crate::direct::{blocking, confirm, confirm_args, login, login_args};
use crate::AuthError;

/// A call in progress: its task, stepped by the caller's loop.
type Stepped = Mutex<Work>;

/// A call's task: its output a handle, or the call's error.
type Work = Task<Result<u64, AuthError>>;

/// A new task for `work`, as the handle the caller steps and frees.
fn start(
    call_status: &mut RustCallStatus,
    work: impl FnOnce() -> Result<Work, crate::direct::Refused> + std::panic::UnwindSafe,
) -> u64 {
    blocking::<u64>(call_status, || {
        let task = work()?;
        Ok(Box::into_raw(Box::new(Mutex::new(task))) as u64)
    })
}

/// The task behind a handle.
///
/// # Safety
/// `task` is a handle a `*_task` function returned, not yet freed.
unsafe fn stepped<'a>(task: u64) -> Result<&'a Stepped, crate::direct::Refused> {
    let task = task as *const Stepped;
    // SAFETY: a live task, by the caller's contract.
    unsafe { task.as_ref() }.ok_or(("task", "a null handle"))
}

/// The task, locked for a step: one thread steps it at a time (another's step is refused).
fn for_step(task: &Stepped) -> Result<MutexGuard<'_, Work>, crate::direct::Refused> {
    match task.try_lock() {
        Ok(task) => Ok(task),
        Err(TryLockError::Poisoned(poisoned)) => Ok(poisoned.into_inner()),
        Err(TryLockError::WouldBlock) => Err(("task", "stepped by another thread")),
    }
}

/// [`crate::DocspaceClient::login`] as a task; its output a tagged handle (`direct.rs`).
///
/// # Safety
/// As `direct.rs`'s `docspace_auth_ffi_direct_login_blocking`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docspace_auth_ffi_direct_login_task(
    client: u64,
    user: *const u8,
    user_len: usize,
    password: *const u8,
    password_len: usize,
    call_status: &mut RustCallStatus,
) -> u64 {
    start(call_status, || {
        // SAFETY: by this function's contract.
        let (client, user, password) =
            unsafe { login_args(client, user, user_len, password, password_len) }?;
        Ok(Task::new(login(client, user, password)))
    })
}

/// [`crate::PendingLogin::confirm`] as a task; its output the session's handle.
///
/// # Safety
/// As `direct.rs`'s `docspace_auth_ffi_direct_confirm_blocking`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docspace_auth_ffi_direct_confirm_task(
    pending: u64,
    code: *const u8,
    code_len: usize,
    call_status: &mut RustCallStatus,
) -> u64 {
    start(call_status, || {
        // SAFETY: by this function's contract.
        let (pending, code) = unsafe { confirm_args(pending, code, code_len) }?;
        Ok(Task::new(confirm(pending, code)))
    })
}

/// Steps a task (see the module's docs).
///
/// # Safety
/// `task` a live task's handle; `fds` points to `capacity` writable `u64`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docspace_auth_ffi_direct_step(
    task: u64,
    fds: *mut u64,
    capacity: usize,
    timeout: &mut f64,
    call_status: &mut RustCallStatus,
) -> u32 {
    // The pointers are only written before the call returns, or not at all if it panics.
    blocking::<u32>(
        call_status,
        AssertUnwindSafe(move || {
            // SAFETY: by this function's contract.
            let mut task = for_step(unsafe { stepped(task) }?)?;
            let wait = match task.step() {
                Step::Ready => return Ok(0),
                Step::Wait(wait) => wait,
            };
            let mut written = 0;
            for &(fd, interest) in wait.fds().iter().take(capacity) {
                let flag = match interest {
                    Interest::Read => 1,
                    Interest::Write => 2,
                };
                // SAFETY: `written < capacity` slots at `fds`, by this function's contract.
                unsafe { fds.add(written).write((fd as u64) << 2 | flag) };
                written += 1;
            }
            *timeout = match wait.timeout() {
                // More to watch than room for: step again soon, whatever happens.
                _ if wait.fds().len() > capacity => 0.001,
                Some(timeout) => timeout.as_secs_f64(),
                None => -1.0,
            };
            Ok(1 + written as u32)
        }),
    )
}

/// This thread's reactor's file descriptor (made on first use; Linux): readable when a task that
/// [`docspace_auth_ffi_direct_step_registered`] left waiting may go on
/// ([`docspace_auth_ffi_direct_reactor_ready`] says which). The event loop watches it for as long
/// as it runs. -1 with the status set if it cannot be made.
#[cfg(target_os = "linux")]
#[unsafe(no_mangle)]
pub extern "C" fn docspace_auth_ffi_direct_reactor_fd(call_status: &mut RustCallStatus) -> i32 {
    blocking::<i32>(call_status, || {
        crate::reactor::with(|reactor| Ok(reactor.fd())).map_err(|_| ("reactor", "cannot be made"))
    })
}

/// Steps a task like [`docspace_auth_ffi_direct_step`], but a task that waits is registered with
/// this thread's reactor instead of naming what to watch: 0 when it is done (as that one), 1 when
/// it waits (its handle is among what [`docspace_auth_ffi_direct_reactor_ready`] answers once it
/// may go on).
///
/// # Safety
/// `task` a live task's handle, stepped on the thread whose reactor the loop watches.
#[cfg(target_os = "linux")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docspace_auth_ffi_direct_step_registered(
    task: u64,
    call_status: &mut RustCallStatus,
) -> u32 {
    blocking::<u32>(call_status, move || {
        // SAFETY: by this function's contract.
        let stepped_task = unsafe { stepped(task) }?;
        let mut stepped_task = for_step(stepped_task)?;
        match stepped_task.step() {
            Step::Ready => {
                crate::reactor::with_existing(|reactor| reactor.forget(task));
                Ok(0)
            }
            Step::Wait(wait) => crate::reactor::with(|reactor| reactor.wait(task, &wait))
                .map(|()| 1)
                .map_err(|_| ("task", "its sockets cannot be watched")),
        }
    })
}

/// A begun or stepped call's answer when it waits: its task's handle with this bit set (a task
/// handle is an aligned pointer, and so are the objects' handles of a call's output, whose
/// lowest bit tags a pending login: this one is clear in both).
#[cfg(target_os = "linux")]
const WAITING: u64 = 2;

#[cfg(target_os = "linux")]
const _: () = assert!(
    std::mem::align_of::<Stepped>() >= 4
        && std::mem::align_of::<crate::Session>() >= 4
        && std::mem::align_of::<crate::PendingLogin>() >= 4
);

/// Steps the task `handle` once, registered with this thread's reactor while it waits: then
/// `handle | WAITING`. Done (or failed), its output, and the task is freed.
#[cfg(target_os = "linux")]
fn step_on(handle: u64, task: &Stepped) -> Result<u64, AuthError> {
    let Ok(mut task) = for_step(task) else {
        // Another thread steps it: it stays that thread's.
        return Err(AuthError::other("the call is stepped by another thread"));
    };
    let outcome = match std::panic::catch_unwind(AssertUnwindSafe(|| task.step())) {
        Ok(Step::Wait(wait)) => match crate::reactor::with(|reactor| reactor.wait(handle, &wait)) {
            Ok(()) => return Ok(handle | WAITING),
            Err(_) => Err(AuthError::other("the call's sockets cannot be watched")),
        },
        Ok(Step::Ready) => task
            .take_output()
            .unwrap_or_else(|| Err(AuthError::other("the call ended without an output"))),
        Err(_) => Err(AuthError::other("the call panicked")),
    };
    drop(task);
    // SAFETY: a live task's handle, by the callers' contract; not used after.
    unsafe { docspace_auth_ffi_direct_step_free(handle) };
    outcome
}

/// A new task for `work`, stepped once on this thread's reactor ([`step_on`]).
#[cfg(target_os = "linux")]
fn begin(
    call_status: &mut RustCallStatus,
    work: impl FnOnce() -> Result<Work, crate::direct::Refused>,
) -> u64 {
    blocking::<Result<u64, AuthError>>(
        call_status,
        AssertUnwindSafe(|| {
            let task = Box::into_raw(Box::new(Mutex::new(work()?)));
            // SAFETY: just made; `step_on` frees it once it is done.
            Ok(step_on(task as u64, unsafe { &*task }))
        }),
    )
}

/// [`crate::DocspaceClient::login`] begun as a task on this thread's reactor, in one crossing:
/// its output (a tagged handle, `direct.rs`) if it is done at once, else the task's handle with
/// [`WAITING`] set, to step with [`docspace_auth_ffi_direct_step_on`] once the reactor says it may
/// go on; 0 with the status set when it failed (the task is then freed).
///
/// # Safety
/// As `direct.rs`'s `docspace_auth_ffi_direct_login_blocking`.
#[cfg(target_os = "linux")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docspace_auth_ffi_direct_login_begin(
    client: u64,
    user: *const u8,
    user_len: usize,
    password: *const u8,
    password_len: usize,
    call_status: &mut RustCallStatus,
) -> u64 {
    begin(call_status, || {
        // SAFETY: by this function's contract.
        let (client, user, password) =
            unsafe { login_args(client, user, user_len, password, password_len) }?;
        Ok(Task::new(login(client, user, password)))
    })
}

/// [`crate::PendingLogin::confirm`] begun as a task on this thread's reactor (as
/// [`docspace_auth_ffi_direct_login_begin`]); its output the session's handle.
///
/// # Safety
/// As `direct.rs`'s `docspace_auth_ffi_direct_confirm_blocking`.
#[cfg(target_os = "linux")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docspace_auth_ffi_direct_confirm_begin(
    pending: u64,
    code: *const u8,
    code_len: usize,
    call_status: &mut RustCallStatus,
) -> u64 {
    begin(call_status, || {
        // SAFETY: by this function's contract.
        let (pending, code) = unsafe { confirm_args(pending, code, code_len) }?;
        Ok(Task::new(confirm(pending, code)))
    })
}

/// Steps a begun task that waited (its handle, [`WAITING`] cleared) once the reactor said it may
/// go on: as [`docspace_auth_ffi_direct_login_begin`] answers. A task stepped by another thread
/// is refused with an error and stays that thread's; any other failure frees it.
///
/// # Safety
/// `task` a live task's handle, begun on this thread.
#[cfg(target_os = "linux")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docspace_auth_ffi_direct_step_on(
    task: u64,
    call_status: &mut RustCallStatus,
) -> u64 {
    blocking::<Result<u64, AuthError>>(
        call_status,
        AssertUnwindSafe(move || {
            // SAFETY: by this function's contract.
            let stepped_task = unsafe { stepped(task) }?;
            Ok(step_on(task, stepped_task))
        }),
    )
}

/// Which waiting tasks of this thread's reactor may go on (their handles, at most `capacity`,
/// written to `tasks`); how many. It does not wait. Called again while it fills `tasks`.
///
/// # Safety
/// `tasks` points to `capacity` writable `u64`s.
#[cfg(target_os = "linux")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docspace_auth_ffi_direct_reactor_ready(
    tasks: *mut u64,
    capacity: usize,
    call_status: &mut RustCallStatus,
) -> u32 {
    blocking::<u32>(
        call_status,
        AssertUnwindSafe(move || {
            if tasks.is_null() {
                return Err(("tasks", "a null pointer"));
            }
            // SAFETY: `capacity` writable slots at `tasks`, by this function's contract.
            let out = unsafe { std::slice::from_raw_parts_mut(tasks, capacity) };
            crate::reactor::with(|reactor| reactor.ready(out))
                .map(|count| count as u32)
                .map_err(|_| ("reactor", "cannot be read"))
        }),
    )
}

/// A done task's result: its output (a tagged handle, a session's handle), or its error.
///
/// # Safety
/// `task` a live task's handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docspace_auth_ffi_direct_step_output(
    task: u64,
    call_status: &mut RustCallStatus,
) -> u64 {
    blocking::<Result<u64, AuthError>>(call_status, || {
        // SAFETY: by this function's contract.
        let task = unsafe { stepped(task) }?;
        let mut task = task.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        Ok(task
            .take_output()
            .unwrap_or_else(|| Err(AuthError::other("the call is not done"))))
    })
}

/// The task's caller went away: its call's future is dropped; what must still finish is
/// stepped until [`docspace_auth_ffi_direct_step`] answers 0.
///
/// # Safety
/// `task` a live task's handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docspace_auth_ffi_direct_step_abandon(
    task: u64,
    call_status: &mut RustCallStatus,
) {
    blocking::<()>(call_status, || {
        // SAFETY: by this function's contract.
        let task = unsafe { stepped(task) }?;
        task.lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .abandon();
        Ok(())
    })
}

/// Frees a task (what it still ran is dropped).
///
/// # Safety
/// `task` a live task's handle, or 0; not used after.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docspace_auth_ffi_direct_step_free(task: u64) {
    #[cfg(target_os = "linux")]
    crate::reactor::with_existing(|reactor| reactor.forget(task));
    let task = task as *mut Stepped;
    if !task.is_null() {
        // SAFETY: made by `Box::into_raw` in `start`, freed once, by the caller's contract.
        drop(unsafe { Box::from_raw(task) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status() -> RustCallStatus {
        RustCallStatus::default()
    }

    /// A task of a future that is ready at once: stepped to 0, its output taken once, freed.
    #[test]
    fn a_task_steps_to_its_output_which_is_taken_once() {
        let mut call = status();
        let task = start(&mut call, || Ok(Task::new(async { Ok(42) })));
        assert_ne!(task, 0);
        let (mut fds, mut timeout) = ([0u64; 4], 0.0);
        let stepped = unsafe {
            docspace_auth_ffi_direct_step(task, fds.as_mut_ptr(), 4, &mut timeout, &mut call)
        };
        assert_eq!(stepped, 0);
        assert_eq!(
            unsafe { docspace_auth_ffi_direct_step_output(task, &mut call) },
            42
        );
        assert_eq!(call.code, uniffi::RustCallStatusCode::Success);
        unsafe { docspace_auth_ffi_direct_step_output(task, &mut call) };
        assert_eq!(
            call.code,
            uniffi::RustCallStatusCode::Error,
            "taken already"
        );
        unsafe { docspace_auth_ffi_direct_step_free(task) };
    }

    /// A pending task names its wake-up socket (readable), no deadline; abandoned, it is done.
    #[test]
    fn a_waiting_task_names_what_to_watch_and_an_abandoned_one_ends() {
        let mut call = status();
        let task = start(&mut call, || {
            Ok(Task::new(async {
                std::future::pending::<()>().await;
                Ok(0)
            }))
        });
        let (mut fds, mut timeout) = ([0u64; 4], 0.0);
        let stepped = unsafe {
            docspace_auth_ffi_direct_step(task, fds.as_mut_ptr(), 4, &mut timeout, &mut call)
        };
        assert_eq!(stepped, 2, "one file descriptor");
        assert_eq!(fds[0] & 3, 1, "readable");
        assert!(timeout < 0.0, "no deadline");
        unsafe { docspace_auth_ffi_direct_step_abandon(task, &mut call) };
        let stepped = unsafe {
            docspace_auth_ffi_direct_step(task, fds.as_mut_ptr(), 4, &mut timeout, &mut call)
        };
        assert_eq!(stepped, 0);
        unsafe { docspace_auth_ffi_direct_step_free(task) };
    }

    /// On the reactor: a call done at once answers its output and frees its task, a failed one
    /// its error; one that waits answers its task with `WAITING`, and stays so when stepped on
    /// before it may go on.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_begun_call_answers_its_output_or_its_waiting_task() {
        let mut call = status();
        assert_eq!(begin(&mut call, || Ok(Task::new(async { Ok(40) }))), 40);
        assert_eq!(call.code, uniffi::RustCallStatusCode::Success);

        begin(&mut call, || {
            Ok(Task::new(async { Err(AuthError::other("refused")) }))
        });
        assert_eq!(call.code, uniffi::RustCallStatusCode::Error);

        let mut call = status();
        let begun = begin(&mut call, || {
            Ok(Task::new(async {
                std::future::pending::<()>().await;
                Ok(0)
            }))
        });
        assert_eq!(call.code, uniffi::RustCallStatusCode::Success);
        assert_eq!(begun & WAITING, WAITING);
        let task = begun ^ WAITING;
        assert_eq!(
            unsafe { docspace_auth_ffi_direct_step_on(task, &mut call) },
            begun
        );
        unsafe { docspace_auth_ffi_direct_step_abandon(task, &mut call) };
        unsafe { docspace_auth_ffi_direct_step_free(task) };
        assert_eq!(call.code, uniffi::RustCallStatusCode::Success);
    }

    #[test]
    fn a_null_task_is_refused() {
        let mut call = status();
        let (mut fds, mut timeout) = ([0u64; 1], 0.0);
        unsafe { docspace_auth_ffi_direct_step(0, fds.as_mut_ptr(), 1, &mut timeout, &mut call) };
        assert_eq!(call.code, uniffi::RustCallStatusCode::UnexpectedError);
    }
}
