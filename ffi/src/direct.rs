//! The login path's direct entry points, for the Python binding (`bindings/python`'s
//! `_direct.py`): a login's calls (log in, confirm, the token), blocking and async, each in one
//! crossing.
//!
//! uniffi's generated functions take their object's handle as a clone (one more crossing first,
//! to make it), every string as a buffer (a crossing each, to copy it into the library) and
//! return a `LoginResult` as a buffer (a crossing to free it): a 2FA login crosses 13 times
//! from Python, and each crossing costs ctypes hundreds of nanoseconds and thousands of
//! instructions. These take the handle borrowed, each string as a pointer and a length to the
//! caller's own bytes (copied before the call returns), a login's outcome as one tagged handle,
//! and give the token by copying it into the caller's buffer: 5 crossings with the two objects'
//! frees. Everything else is uniffi's: the handles
//! ([`Handle`]), the call status and its errors ([`uniffi::rust_call`], [`AuthError`] lowered
//! as the generated functions lower it), the futures ([`uniffi::rust_future_new`], polled and
//! completed with the generated `rust_future_*_u64` functions), and the objects' methods, which
//! these call. Kotlin and Swift do not use them.
//!
//! The contract, which `bindings/python/tests/test_direct.py` checks against the generated
//! functions:
//!
//! - `handle` is a handle the caller holds (the object stays alive for the call: the caller's
//!   reference keeps it), borrowed: not consumed;
//! - `data`, `len`: `len` bytes of UTF-8 at `data` (not NUL-terminated, NULs allowed), read
//!   before the function returns; a null `data` or bytes that are not UTF-8 are an internal
//!   error (`CALL_UNEXPECTED_ERROR`), as a failed lift is in the generated functions;
//! - a login's outcome is the handle of its object, with the lowest bit set for a
//!   `PendingLogin` and clear for a `Session`. A Rust handle never has it set: it is an `Arc`'s
//!   pointer, aligned (uniffi's [`Handle`] docs say so, and its foreign handles rely on it).

use std::future::Future;
use std::sync::Arc;

use uniffi::deps::async_compat::Compat;
use uniffi::{Handle, LiftArgsError, LowerReturn, RustCallStatus};

use crate::{AuthError, DocspaceClient, LoginResult, PendingLogin, Session, UniFfiTag};

/// The tag of a `PendingLogin`'s handle in a login's outcome.
const PENDING: u64 = 1;

/// A login's outcome as one handle: the object's, tagged.
pub(crate) fn tagged(result: LoginResult) -> u64 {
    match result {
        LoginResult::Authenticated { session } => Handle::from_arc(session).as_raw(),
        LoginResult::TfaRequired { pending } => Handle::from_arc(pending).as_raw() | PENDING,
    }
}

/// Why a direct call's arguments could not be taken.
pub(crate) type Refused = (&'static str, &'static str);

/// The object behind a handle the caller holds, without consuming the handle.
///
/// # Safety
/// `handle` is 0 or the handle of a live `T` (made by uniffi from an `Arc<T>`), which stays
/// alive until this returns.
unsafe fn borrowed<T>(handle: u64, name: &'static str) -> Result<Arc<T>, Refused> {
    match unsafe { Handle::from_raw(handle) } {
        // SAFETY: a live `T`'s handle, by the caller's contract; its count is incremented.
        Some(handle) => Ok(unsafe { handle.into_arc_borrowed::<T>() }),
        None => Err((name, "a null handle")),
    }
}

/// A copy of the `len` bytes of UTF-8 at `data`.
///
/// # Safety
/// `data` is null, or points to `len` readable bytes that stay unchanged until this returns.
unsafe fn text(data: *const u8, len: usize, name: &'static str) -> Result<String, Refused> {
    if data.is_null() {
        return Err((name, "a null pointer"));
    }
    // SAFETY: `len` readable bytes at `data`, by the caller's contract.
    let bytes = unsafe { std::slice::from_raw_parts(data, len) };
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => Err((name, "not UTF-8")),
    }
}

fn lift_error((arg_name, why): Refused) -> LiftArgsError {
    LiftArgsError {
        arg_name,
        error: uniffi::deps::anyhow::anyhow!("{why}"),
    }
}

/// Makes a blocking call the way the generated functions do: its arguments taken (`call`
/// answers `Err` when it cannot take them), then the call; arguments refused and panics become
/// `CALL_UNEXPECTED_ERROR`, an [`AuthError`] `CALL_ERROR` with its buffer.
pub(crate) fn blocking<R: LowerReturn<UniFfiTag>>(
    status: &mut RustCallStatus,
    call: impl FnOnce() -> Result<R, Refused> + std::panic::UnwindSafe,
) -> R::ReturnType {
    uniffi::rust_call(status, move || match call() {
        Ok(result) => R::lower_return(result),
        Err(refused) => R::handle_failed_lift(lift_error(refused)),
    })
}

/// A future the generated `rust_future_*_u64` functions poll, complete and free.
fn future<F>(args: Result<F, Refused>) -> Handle
where
    F: Future<Output = Result<u64, AuthError>> + Send + 'static,
{
    let work = async move {
        match args {
            Ok(work) => Ok(Compat::new(work).await),
            Err(refused) => Err(lift_error(refused)),
        }
    };
    uniffi::rust_future_new::<_, Result<u64, AuthError>, _>(work, UniFfiTag)
}

/// `DocspaceClient::login_blocking`; its outcome as a tagged handle (see the module's docs).
///
/// # Safety
/// See the module's docs: `client` a live `DocspaceClient`'s handle, `user` and `password`
/// readable bytes of their lengths.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docspace_auth_ffi_direct_login_blocking(
    client: u64,
    user: *const u8,
    user_len: usize,
    password: *const u8,
    password_len: usize,
    call_status: &mut RustCallStatus,
) -> u64 {
    blocking(call_status, || {
        // SAFETY: by this function's contract.
        let (client, user, password) =
            unsafe { login_args(client, user, user_len, password, password_len) }?;
        Ok(client.login_blocking(user, password).map(tagged))
    })
}

/// `DocspaceClient::login`, as a future of a tagged handle (see the module's docs).
///
/// # Safety
/// As [`docspace_auth_ffi_direct_login_blocking`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docspace_auth_ffi_direct_login(
    client: u64,
    user: *const u8,
    user_len: usize,
    password: *const u8,
    password_len: usize,
) -> Handle {
    // SAFETY: by this function's contract.
    let args = unsafe { login_args(client, user, user_len, password, password_len) };
    future(args.map(|(client, user, password)| login(client, user, password)))
}

/// `DocspaceClient::login`, its outcome as a tagged handle: the work of the async entry points
/// (this module's future, `stepped/`'s task).
pub(crate) async fn login(
    client: Arc<DocspaceClient>,
    user: String,
    password: String,
) -> Result<u64, AuthError> {
    client.login(user, password).await.map(tagged)
}

/// `PendingLogin::confirm`, the session as its handle: as [`login`].
pub(crate) async fn confirm(pending: Arc<PendingLogin>, code: String) -> Result<u64, AuthError> {
    let session = pending.confirm(code).await?;
    Ok(Handle::from_arc(session).as_raw())
}

/// # Safety
/// As [`docspace_auth_ffi_direct_login_blocking`].
pub(crate) unsafe fn login_args(
    client: u64,
    user: *const u8,
    user_len: usize,
    password: *const u8,
    password_len: usize,
) -> Result<(Arc<DocspaceClient>, String, String), Refused> {
    // SAFETY: by the caller's contract.
    unsafe {
        Ok((
            borrowed(client, "self")?,
            text(user, user_len, "user")?,
            text(password, password_len, "password")?,
        ))
    }
}

/// `PendingLogin::confirm_blocking`; the session's handle.
///
/// # Safety
/// See the module's docs: `pending` a live `PendingLogin`'s handle, `code` readable bytes of
/// its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docspace_auth_ffi_direct_confirm_blocking(
    pending: u64,
    code: *const u8,
    code_len: usize,
    call_status: &mut RustCallStatus,
) -> u64 {
    blocking(call_status, || {
        // SAFETY: by this function's contract.
        let (pending, code) = unsafe { confirm_args(pending, code, code_len) }?;
        Ok(pending
            .confirm_blocking(code)
            .map(|session| Handle::from_arc(session).as_raw()))
    })
}

/// `PendingLogin::confirm`, as a future of the session's handle.
///
/// # Safety
/// As [`docspace_auth_ffi_direct_confirm_blocking`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docspace_auth_ffi_direct_confirm(
    pending: u64,
    code: *const u8,
    code_len: usize,
) -> Handle {
    // SAFETY: by this function's contract.
    let args = unsafe { confirm_args(pending, code, code_len) };
    future(args.map(|(pending, code)| confirm(pending, code)))
}

/// # Safety
/// As [`docspace_auth_ffi_direct_confirm_blocking`].
pub(crate) unsafe fn confirm_args(
    pending: u64,
    code: *const u8,
    code_len: usize,
) -> Result<(Arc<PendingLogin>, String), Refused> {
    // SAFETY: by the caller's contract.
    unsafe { Ok((borrowed(pending, "self")?, text(code, code_len, "code")?)) }
}

/// `Session::token`, its UTF-8 bytes copied to the caller's `out` when they fit in `capacity`:
/// their length either way (the caller calls again with room enough when it is larger). One
/// crossing, and no buffer of the library's to free or to leave the token in.
///
/// # Safety
/// `session` a live `Session`'s handle; `out` points to `capacity` writable bytes (or is null
/// with `capacity` 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docspace_auth_ffi_direct_session_token_into(
    session: u64,
    out: *mut u8,
    capacity: usize,
    call_status: &mut RustCallStatus,
) -> u64 {
    blocking::<Result<u64, AuthError>>(
        call_status,
        std::panic::AssertUnwindSafe(|| {
            // SAFETY: by this function's contract.
            let session = unsafe { borrowed::<Session>(session, "self") }?;
            let out: &mut [u8] = if out.is_null() || capacity == 0 {
                &mut []
            } else {
                // SAFETY: `capacity` writable bytes at `out`, by this function's contract.
                unsafe { std::slice::from_raw_parts_mut(out, capacity) }
            };
            Ok(session.token_into(out).map(|len| len as u64))
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_copied_byte_for_byte_up_to_its_length() {
        for expected in ["", "bob@example.com", "pässwörd ✓ 🔑", "a\0b", "\0"] {
            let copy = unsafe { text(expected.as_ptr(), expected.len(), "t") };
            assert_eq!(copy.as_deref(), Ok(expected));
        }
        let long = "x".repeat(100_000);
        assert_eq!(unsafe { text(long.as_ptr(), 3, "t") }.as_deref(), Ok("xxx"));
    }

    #[test]
    fn text_refuses_null_and_bytes_that_are_not_utf8() {
        assert_eq!(
            unsafe { text(std::ptr::null(), 0, "code") },
            Err(("code", "a null pointer"))
        );
        let bytes = [b'a', 0xff, b'b'];
        assert_eq!(
            unsafe { text(bytes.as_ptr(), bytes.len(), "code") },
            Err(("code", "not UTF-8"))
        );
    }

    #[test]
    fn a_null_handle_is_refused_before_any_call() {
        assert_eq!(
            unsafe { borrowed::<Session>(0, "self") }.err(),
            Some(("self", "a null handle"))
        );
    }

    #[test]
    fn a_sessions_handle_in_a_login_outcome_is_not_tagged() {
        let core = docspace_auth::Auth::resume("http://127.0.0.1:1/", "token".to_owned().into());
        let session = Arc::new(Session::from_core(core.expect("a loopback URL")));
        let handle = tagged(LoginResult::Authenticated { session });
        assert_eq!(handle & PENDING, 0);
        // Back into the Arc it came from, so that the test does not leak it.
        drop(unsafe { Handle::from_raw_unchecked(handle).into_arc::<Session>() });
    }
}
