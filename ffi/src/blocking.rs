//! Blocking calls, for callers without an event loop (Python's sync API): each waits on the
//! library's own tokio runtime instead of the caller building an event loop per call. The
//! foreign side releases its interpreter lock (Python's ctypes does) while one waits.
//!
//! Kotlin and Swift apps use the `suspend`/`async` methods; these exist beside them.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Runtime};

use crate::AuthError;

/// The runtime of every blocking call: one worker thread drives the connections; each
/// blocking call drives its own future on the caller's thread.
fn runtime() -> Result<&'static Runtime, AuthError> {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    if let Some(runtime) = RUNTIME.get() {
        return Ok(runtime);
    }
    let built = Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("docspace-auth")
        .enable_all()
        .build()
        .map_err(|e| AuthError::other(&format!("cannot start the runtime: {e}")))?;
    Ok(RUNTIME.get_or_init(|| built))
}

/// Runs `call` to completion on the library's runtime. From inside an async runtime (where
/// blocking would stall it, and tokio would panic) it is an error instead.
pub(crate) fn wait<T>(call: impl Future<Output = Result<T, AuthError>>) -> Result<T, AuthError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(AuthError::other(
            "a blocking call from inside an async runtime: use the async method",
        ));
    }
    runtime()?.block_on(call)
}
