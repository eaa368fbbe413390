//! The stepped calls on Linux, where they wait in this thread's reactor (`reactor.rs`) that the
//! loop watches as one file descriptor. A task stepped with
//! [`docspace_auth_ffi_direct_step_registered`] is registered there when it waits, and
//! [`docspace_auth_ffi_direct_reactor_ready`] names the ones that may go on. A call begun with
//! `docspace_auth_ffi_direct_{login,confirm}_begin` crosses fewer times: made and stepped once in
//! one crossing, then stepped on with [`docspace_auth_ffi_direct_step_on`] once the reactor names
//! it; both answer the call's output once it is done (the task then freed: its output taken, or
//! its error set in the call status), else the task's handle with [`WAITING`] set.

use std::panic::AssertUnwindSafe;

use docspace_auth::external::Step;
use uniffi::RustCallStatus;

use super::{
    boxed, confirm_work, docspace_auth_ffi_direct_step_free, for_step, login_work, stepped,
    Stepped, Work,
};
use crate::direct::blocking;
use crate::AuthError;

/// This thread's reactor's file descriptor (made on first use; Linux): readable when a task that
/// [`docspace_auth_ffi_direct_step_registered`] left waiting may go on
/// ([`docspace_auth_ffi_direct_reactor_ready`] says which). The event loop watches it for as long
/// as it runs. -1 with the status set if it cannot be made.
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
const WAITING: u64 = 2;

const _: () = assert!(
    std::mem::align_of::<Stepped>() >= 4
        && std::mem::align_of::<crate::Session>() >= 4
        && std::mem::align_of::<crate::PendingLogin>() >= 4
);

/// Steps the task `handle` once, registered with this thread's reactor while it waits: then
/// `handle | WAITING`. Done (or failed), its output, and the task is freed.
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
fn begin(
    call_status: &mut RustCallStatus,
    work: impl FnOnce() -> Result<Work, crate::direct::Refused>,
) -> u64 {
    blocking::<Result<u64, AuthError>>(
        call_status,
        AssertUnwindSafe(|| {
            let task = boxed(work()?);
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
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docspace_auth_ffi_direct_login_begin(
    client: u64,
    user: *const u8,
    user_len: usize,
    password: *const u8,
    password_len: usize,
    call_status: &mut RustCallStatus,
) -> u64 {
    // SAFETY: by this function's contract.
    begin(call_status, || unsafe {
        login_work(client, user, user_len, password, password_len)
    })
}

/// [`crate::PendingLogin::confirm`] begun as a task on this thread's reactor (as
/// [`docspace_auth_ffi_direct_login_begin`]); its output the session's handle.
///
/// # Safety
/// As `direct.rs`'s `docspace_auth_ffi_direct_confirm_blocking`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docspace_auth_ffi_direct_confirm_begin(
    pending: u64,
    code: *const u8,
    code_len: usize,
    call_status: &mut RustCallStatus,
) -> u64 {
    // SAFETY: by this function's contract.
    begin(call_status, || unsafe {
        confirm_work(pending, code, code_len)
    })
}

/// Steps a begun task that waited (its handle, [`WAITING`] cleared) once the reactor said it may
/// go on: as [`docspace_auth_ffi_direct_login_begin`] answers. A task stepped by another thread
/// is refused with an error and stays that thread's; any other failure frees it.
///
/// # Safety
/// `task` a live task's handle, begun on this thread.
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

#[cfg(test)]
mod tests {
    use docspace_auth::external::Task;

    use super::super::docspace_auth_ffi_direct_step_abandon;
    use super::*;

    fn status() -> RustCallStatus {
        RustCallStatus::default()
    }

    /// On the reactor: a call done at once answers its output and frees its task, a failed one
    /// its error; one that waits answers its task with `WAITING`, and stays so when stepped on
    /// before it may go on.
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
}
