//! Logins stepped by an event loop of another kind (core's `external`): an event loop written
//! here with poll(2) steps each task on the test's thread, which runs no tokio runtime; the
//! emulator runs on a runtime of its own. What Python's asyncio does with the same tasks
//! (bindings/python's `_direct.py`), without Python.

#![cfg(unix)]

use std::time::{Duration, Instant};

use docspace_auth::external::{Interest, Step, Task, Wait};
use docspace_auth::secrecy::ExposeSecret;
use docspace_auth::{Auth, Error, LoginOutcome, TransportErrorKind, Unauthenticated};
use docspace_auth_e2e::users::{ALICE, BOB, BOB_SECRET};
use docspace_auth_e2e::{current_totp, pw, Portal};
use docspace_emulator::FaultKind;

/// Steps `task` to its end, waiting with poll(2) for what each step names; how many waits it
/// took.
fn run<T>(task: &mut Task<T>) -> (T, usize) {
    let mut waits = 0;
    loop {
        match task.step() {
            Step::Ready => {
                let output = task.take_output().expect("the output of a ready task");
                return (output, waits);
            }
            Step::Wait(wait) => {
                waits += 1;
                assert!(waits < 1000, "a task that never ends");
                wait_on(&wait);
            }
        }
    }
}

/// Waits until one of `wait`'s file descriptors is ready, or its deadline.
fn wait_on(wait: &Wait) {
    let mut fds: Vec<libc::pollfd> = wait
        .fds()
        .iter()
        .map(|&(fd, interest)| libc::pollfd {
            fd,
            events: match interest {
                Interest::Read => libc::POLLIN,
                Interest::Write => libc::POLLOUT,
            },
            revents: 0,
        })
        .collect();
    let timeout = wait
        .timeout()
        .map_or(-1, |t| i32::try_from(t.as_millis() + 1).unwrap_or(i32::MAX));
    // SAFETY: `fds` is a valid array of its length for the call's duration.
    let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as _, timeout) };
    assert!(ready >= 0, "poll: {}", std::io::Error::last_os_error());
}

/// The emulator on a runtime of its own threads.
fn portal(tls: bool) -> (tokio::runtime::Runtime, Portal) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let portal = runtime.block_on(Portal::start_with(|c| c.tls = tls));
    (runtime, portal)
}

/// Bob's 2FA login, each step a task; his token.
fn two_factor_login(auth: Auth<Unauthenticated>) -> (String, usize) {
    let mut login = Task::new(async move { auth.login(BOB.0, pw(BOB.1)).await });
    let (outcome, login_waits) = run(&mut login);
    let pending = match outcome.expect("login") {
        LoginOutcome::TfaRequired(pending) => pending,
        LoginOutcome::Authenticated(_) => panic!("bob has a second factor"),
    };
    let code = current_totp(BOB_SECRET);
    let mut confirm = Task::new(async move { pending.confirm(code).await });
    let (session, confirm_waits) = run(&mut confirm);
    let session = session.map_err(|e| e.into_parts().0).expect("confirm");
    (
        session.token().expose_secret().to_owned(),
        login_waits + confirm_waits,
    )
}

/// A 2FA login over plain HTTP and over TLS, then another on the same thread: one connection
/// for both, each request waited for on the loop (no thread, no runtime on this one).
#[test]
fn a_two_factor_login_stepped_by_a_poll_loop_over_http_and_tls() {
    for tls in [false, true] {
        let (_runtime, portal) = portal(tls);
        let (token, waits) = two_factor_login(portal.auth());
        assert!(!token.is_empty());
        assert!(waits >= 2, "the answers were waited for: {waits} waits");
        let (again, _) = two_factor_login(portal.auth());
        assert_ne!(again, token, "a session of its own");
        let (connections, requests) = portal.counters();
        assert_eq!((connections, requests), (1, 4), "tls: {tls}");
    }
}

/// A portal that does not answer in time: the timeout, from the loop's deadline, within it.
#[test]
fn a_portal_that_does_not_answer_times_out_on_the_loops_deadline() {
    let (_runtime, portal) = portal(false);
    portal.fault(FaultKind::Delay(Duration::from_secs(5)));
    let timeout = Duration::from_millis(800);
    let auth = portal.builder().timeout(timeout).build().expect("client");
    let started = Instant::now();
    let mut login = Task::new(async move { auth.login(ALICE.0, pw(ALICE.1)).await });
    let (outcome, _) = run(&mut login);
    let took = started.elapsed();
    assert!(
        matches!(
            outcome,
            Err(Error::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            })
        ),
        "{outcome:?}"
    );
    assert!(took >= timeout, "not before the timeout: {took:?}");
    assert!(took < timeout + Duration::from_millis(500), "took {took:?}");
}

/// A host name (not an address) is resolved off the loop's thread, whose end wakes the task
/// through its wake-up socket; a port nobody listens on is a connect error.
#[test]
fn a_host_name_is_resolved_off_the_thread_and_a_refused_connection_is_an_error() {
    let (_runtime, portal) = portal(false);
    let port = portal.url().rsplit(':').next().expect("a port");
    let url = format!("http://localhost:{}", port.trim_end_matches('/'));
    let auth = Auth::builder(&url).build().expect("client");
    let mut login = Task::new(async move { auth.login(ALICE.0, pw(ALICE.1)).await });
    let (outcome, waits) = run(&mut login);
    assert!(
        matches!(outcome, Ok(LoginOutcome::Authenticated(_))),
        "{outcome:?}"
    );
    assert!(waits >= 2, "the resolver and the answer: {waits}");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("address"));
    drop(closed);
    let auth = Auth::builder(&url).build().expect("client");
    let mut login = Task::new(async move { auth.login(ALICE.0, pw(ALICE.1)).await });
    let (outcome, _) = run(&mut login);
    assert!(
        matches!(
            outcome,
            Err(Error::Transport {
                kind: TransportErrorKind::Connect,
                ..
            })
        ),
        "{outcome:?}"
    );
}

/// An abandoned task's spawned work goes on until it ends; the abandoned future is dropped.
#[test]
fn an_abandoned_tasks_spawned_work_goes_on() {
    let (_runtime, portal) = portal(false);
    let auth = portal.auth();
    let (sender, receiver) = std::sync::mpsc::channel();
    let mut task = Task::new(async move {
        let spawned = docspace_auth::external::spawn(async move {
            let outcome = auth.login(ALICE.0, pw(ALICE.1)).await;
            let _ = sender.send(outcome.is_ok());
        });
        assert!(spawned.is_ok());
        std::future::pending::<()>().await;
    });
    assert!(matches!(task.step(), Step::Wait(_)));
    task.abandon();
    assert!(!task.is_finished(), "the login goes on");
    let mut waits = 0;
    while !task.is_finished() {
        if let Step::Wait(wait) = task.step() {
            waits += 1;
            assert!(waits < 1000, "a task that never ends");
            wait_on(&wait);
        }
    }
    assert!(matches!(task.step(), Step::Ready));
    assert_eq!(receiver.recv_timeout(Duration::from_secs(1)), Ok(true));
}
