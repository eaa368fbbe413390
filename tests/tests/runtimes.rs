//! The connection pool and tokio runtimes: a pooled connection's socket is registered with the
//! runtime that opened it, so the core never hands one to a request on a runtime that is not
//! running it (core's `http/clients.rs`). Each case would otherwise fail with "dispatch task is
//! gone" or stall until the timeout.

use std::time::{Duration, Instant};

use docspace_auth::secrecy::SecretString;
use docspace_auth::{Auth, LoginOutcome};
use docspace_auth_e2e::users::{BOB, BOB_SECRET};
use docspace_auth_e2e::{current_totp, Portal};

/// The emulator on a multi-threaded runtime of its own; the test's threads have none.
fn portal() -> (tokio::runtime::Runtime, Portal) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let portal = runtime.block_on(Portal::start());
    (runtime, portal)
}

/// A client whose requests give up after `TIMEOUT`: a request stalled on a connection nobody
/// serves fails the test instead of hanging it.
fn short_timeout(portal: &Portal) -> Auth<docspace_auth::Unauthenticated> {
    portal.builder().timeout(TIMEOUT).build().unwrap()
}

/// Every login of the test together took less than one timeout.
fn no_call_waited_for_the_timeout(started: Instant) {
    assert!(started.elapsed() < TIMEOUT, "{:?}", started.elapsed());
}

const TIMEOUT: Duration = Duration::from_secs(3);

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

async fn alice_logs_in(auth: Auth<docspace_auth::Unauthenticated>) {
    match auth
        .login("alice@example.com", SecretString::from("alice-pass"))
        .await
    {
        Ok(LoginOutcome::Authenticated(_)) => {}
        Ok(LoginOutcome::TfaRequired(_)) => panic!("alice has no second factor"),
        Err(e) => panic!("{e}"),
    }
}

/// A runtime per call on one thread (a common blocking wrapper), one `Auth` for all: each
/// runtime's connection dies with it, and the next call opens another instead of failing.
#[test]
fn a_new_current_thread_runtime_per_call_on_one_thread() {
    let (_runtime, portal) = portal();
    let auth = short_timeout(&portal);
    let started = Instant::now();
    for _ in 0..5 {
        current_thread().block_on(alice_logs_in(auth.clone()));
    }
    no_call_waited_for_the_timeout(started);
}

/// Current-thread runtimes on several threads, alive at once, and a multi-threaded one, with
/// one `Auth`: a thread that is not waiting in its runtime never holds up another's request.
#[test]
fn current_thread_runtimes_on_several_threads_and_a_multi_threaded_one() {
    let (runtime, portal) = portal();
    let auth = short_timeout(&portal);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..3 {
            let auth = auth.clone();
            s.spawn(move || {
                let own = current_thread();
                for _ in 0..5 {
                    own.block_on(alice_logs_in(auth.clone()));
                    // Idle between calls: this runtime serves nothing meanwhile.
                    std::thread::sleep(Duration::from_millis(20));
                }
            });
        }
        for _ in 0..10 {
            runtime.block_on(alice_logs_in(auth.clone()));
            std::thread::sleep(Duration::from_millis(10));
        }
    });
    no_call_waited_for_the_timeout(started);
}

/// One current-thread runtime on one thread, driven only during the calls (a blocking wrapper),
/// and a server that closes a connection idle for longer than its keep-alive timeout (here
/// 200 ms; the user takes longer to type the code). The runtime cannot see the close while it is
/// not running: the confirm must not be sent into that connection (it failed with "connection
/// closed before message completed"), but on a new one.
#[test]
fn a_confirm_after_the_server_closed_the_idle_connection() {
    let emulator_runtime = tokio::runtime::Runtime::new().expect("runtime");
    let portal = emulator_runtime.block_on(Portal::start_with(|c| {
        c.idle_timeout = Duration::from_millis(200);
    }));
    let runtime = current_thread();
    let auth = short_timeout(&portal);
    for _ in 0..3 {
        let outcome = runtime.block_on(auth.clone().login(BOB.0, SecretString::from(BOB.1)));
        let pending = match outcome {
            Ok(LoginOutcome::TfaRequired(pending)) => pending,
            Ok(LoginOutcome::Authenticated(_)) => panic!("bob has a second factor"),
            Err(e) => panic!("{e}"),
        };
        std::thread::sleep(Duration::from_millis(600));
        if let Err(rejected) = runtime.block_on(pending.confirm(current_totp(BOB_SECRET))) {
            panic!("the confirm after an idle pause: {}", rejected.error());
        }
    }
}
