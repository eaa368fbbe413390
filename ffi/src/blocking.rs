//! Blocking calls, for callers without an event loop (Python's sync API): each runs on the
//! calling thread's own current-thread tokio runtime, made on its first blocking call and
//! dropped with the thread, instead of the caller building an event loop per call. The
//! foreign side releases its interpreter lock (Python's ctypes does) while one waits.
//!
//! Everything a blocking call does (its requests, and their connection's I/O, which the request
//! drives itself) runs on the calling thread: no hand-off to another thread and back. The core
//! keeps the connections such a runtime opens for that thread's own requests (core's
//! `http/clients.rs`).
//!
//! A blocking call's caller cannot go away while it waits, so the work that an async method
//! runs in a task of its own (so that it completes if its caller is cancelled) runs inline in a
//! blocking call ([`in_task`], [`detach`]): no task to spawn, and no wake-up of the waiting
//! thread when it ends (on a current-thread runtime, a write to its eventfd per call).
//!
//! Kotlin and Swift apps use the `suspend`/`async` methods; these exist beside them.

use std::cell::{Cell, OnceCell};
use std::future::Future;

use tokio::runtime::{Builder, Runtime};

use crate::AuthError;

/// Runs `work` as a task of the current runtime and waits for it. Every request of an async
/// method runs in a task, never inline in the foreign executor's poll: uniffi polls on the
/// caller's thread (Python's event loop thread, which may also make blocking calls on its own
/// runtime), and a request is tied to the connections of the thread that runs it. If the
/// caller goes away, the task still finishes (a read has no effect to undo).
///
/// In a blocking call ([`wait`]), and in a task stepped by the caller's event loop (`stepped`:
/// its caller cancelled, the task's other work still finishes), it runs inline instead.
///
/// `work` is boxed as it is handed over. A login's future is kilobytes, and an `async fn` that
/// awaits a future it was given holds it twice (as its argument, then as the future it awaits);
/// every caller's future then grows by both, and each move of a caller's future (into the
/// runtime, into a blocking call) copies them all. Boxed, it is copied once and the futures
/// above it stay small.
pub(crate) fn in_task<T: Send + 'static>(
    work: impl Future<Output = Result<T, AuthError>> + Send + 'static,
) -> impl Future<Output = Result<T, AuthError>> {
    let work = Box::pin(work);
    async move {
        if in_blocking_call() || stepped() {
            return work.await;
        }
        tokio::spawn(work)
            .await
            .unwrap_or_else(|_| Err(AuthError::other("the task ended unexpectedly")))
    }
}

/// Runs `work` to its end whatever becomes of the caller: spawned as a task of the current
/// runtime, or beside the future of the task being stepped on this thread (`stepped`), whose
/// result the caller waits for on a channel `work` sends to; in a blocking call, inline,
/// finished when this returns. Boxed as it is handed over, as in [`in_task`].
pub(crate) fn detach(work: impl Future<Output = ()> + Send + 'static) -> impl Future<Output = ()> {
    let work = Box::pin(work);
    async move {
        if in_blocking_call() {
            work.await;
        } else if let Some(work) = spawn_stepped(work) {
            tokio::spawn(work);
        }
    }
}

/// Runs `work` in the background: a task of the current runtime, or beside the future of the
/// task being stepped on this thread (`stepped`); dropped if there is neither.
pub(crate) fn background(work: impl Future<Output = ()> + Send + 'static) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(work);
    } else {
        drop(spawn_stepped(work));
    }
}

/// Whether this thread is stepping a task of the caller's event loop (`stepped`): its work then
/// runs in that task, on this thread, not on a runtime.
fn stepped() -> bool {
    #[cfg(unix)]
    {
        docspace_auth::external::active()
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// `work` spawned beside the future of the task being stepped on this thread; given back if
/// there is none.
fn spawn_stepped<F: Future<Output = ()> + Send + 'static>(work: F) -> Option<F> {
    #[cfg(unix)]
    {
        docspace_auth::external::spawn(work).err()
    }
    #[cfg(not(unix))]
    {
        Some(work)
    }
}

thread_local! {
    /// Set while this thread waits in [`wait`].
    static IN_BLOCKING_CALL: Cell<bool> = const { Cell::new(false) };
}

fn in_blocking_call() -> bool {
    IN_BLOCKING_CALL.with(Cell::get)
}

/// Marks this thread as in a blocking call until dropped (also when the call unwinds).
struct BlockingCall;

impl BlockingCall {
    fn enter() -> BlockingCall {
        IN_BLOCKING_CALL.with(|flag| flag.set(true));
        BlockingCall
    }
}

impl Drop for BlockingCall {
    fn drop(&mut self) {
        IN_BLOCKING_CALL.with(|flag| flag.set(false));
    }
}

/// Runs `call` to completion on this thread's runtime. From inside an async runtime (where
/// blocking would stall it, and tokio would panic) it is an error instead.
pub(crate) fn wait<T>(call: impl Future<Output = Result<T, AuthError>>) -> Result<T, AuthError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(AuthError::other(
            "a blocking call from inside an async runtime: use the async method",
        ));
    }
    thread_local! {
        static RUNTIME: OnceCell<Runtime> = const { OnceCell::new() };
    }
    RUNTIME.with(|runtime| {
        if runtime.get().is_none() {
            let built = Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| AuthError::other(&format!("cannot start the runtime: {e}")))?;
            let _ = runtime.set(built);
        }
        match runtime.get() {
            Some(runtime) => {
                let _blocking = BlockingCall::enter();
                runtime.block_on(call)
            }
            None => Err(AuthError::other("cannot start the runtime")),
        }
    })
}
