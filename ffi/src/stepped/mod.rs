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
//! On Linux the calls can wait in this thread's reactor instead, and cross fewer times
//! ([`on_reactor`]).

use std::panic::AssertUnwindSafe;
use std::sync::{Mutex, MutexGuard, TryLockError};

use docspace_auth::external::{Interest, Step, Task};
use uniffi::RustCallStatus;

use crate::direct::{blocking, confirm, confirm_args, login, login_args};
use crate::AuthError;

#[cfg(target_os = "linux")]
mod on_reactor;

/// A call in progress: its task, stepped by the caller's loop.
type Stepped = Mutex<Work>;

/// A call's task: its output a handle, or the call's error.
type Work = Task<Result<u64, AuthError>>;

/// A new task for `work`, as the handle the caller steps and frees.
fn start(
    call_status: &mut RustCallStatus,
    work: impl FnOnce() -> Result<Work, crate::direct::Refused> + std::panic::UnwindSafe,
) -> u64 {
    blocking::<u64>(call_status, || Ok(boxed(work()?) as u64))
}

/// `task` on the heap, as the pointer its handle is; freed by
/// [`docspace_auth_ffi_direct_step_free`].
fn boxed(task: Work) -> *mut Stepped {
    Box::into_raw(Box::new(Mutex::new(task)))
}

/// [`crate::DocspaceClient::login`]'s task, from the arguments `direct.rs` takes.
///
/// # Safety
/// As `direct.rs`'s `docspace_auth_ffi_direct_login_blocking`.
unsafe fn login_work(
    client: u64,
    user: *const u8,
    user_len: usize,
    password: *const u8,
    password_len: usize,
) -> Result<Work, crate::direct::Refused> {
    // SAFETY: by this function's contract.
    let (client, user, password) =
        unsafe { login_args(client, user, user_len, password, password_len) }?;
    Ok(Task::new(login(client, user, password)))
}

/// [`crate::PendingLogin::confirm`]'s task, from the arguments `direct.rs` takes.
///
/// # Safety
/// As `direct.rs`'s `docspace_auth_ffi_direct_confirm_blocking`.
unsafe fn confirm_work(
    pending: u64,
    code: *const u8,
    code_len: usize,
) -> Result<Work, crate::direct::Refused> {
    // SAFETY: by this function's contract.
    let (pending, code) = unsafe { confirm_args(pending, code, code_len) }?;
    Ok(Task::new(confirm(pending, code)))
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
    // SAFETY: by this function's contract.
    start(call_status, || unsafe {
        login_work(client, user, user_len, password, password_len)
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
    // SAFETY: by this function's contract.
    start(call_status, || unsafe {
        confirm_work(pending, code, code_len)
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

    #[test]
    fn a_null_task_is_refused() {
        let mut call = status();
        let (mut fds, mut timeout) = ([0u64; 1], 0.0);
        unsafe { docspace_auth_ffi_direct_step(0, fds.as_mut_ptr(), 1, &mut timeout, &mut call) };
        assert_eq!(call.code, uniffi::RustCallStatusCode::UnexpectedError);
    }
}
