//! The control surface of the in-process handle (the methods Rust tests use instead of the
//! `/emulator/…` endpoints): fault rules and their JSON form, counters, clock, reset, SMS outbox.

mod common;

use std::time::Duration;

use common::*;
use docspace_emulator::{Counters, Fault, FaultError, FaultKind, MAX_DELAY, MAX_FAULTS};

#[test]
fn the_json_form_of_a_fault_is_the_typed_one() {
    let typed = Fault::new(FaultKind::Status {
        status: 429,
        body: Some("{}".into()),
        headers: vec![("Retry-After".into(), "7".into())],
    })
    .on_path("/api/2.0/authentication")
    .times(2);
    let json = r#"{"kind":"status","status":429,"body":"{}","headers":{"Retry-After":"7"},
                   "path":"/api/2.0/authentication","times":2}"#;
    assert_eq!(Fault::from_json(json), Ok(typed));
    // defaults: once, every path, 1 s delay, 16 MiB, the evil redirect; 0 = until cleared
    let cases = [
        (
            r#"{"kind":"delay"}"#,
            Fault::new(FaultKind::Delay(Duration::from_secs(1))),
        ),
        (
            r#"{"kind":"oversized","path":""}"#,
            Fault::new(FaultKind::oversized()),
        ),
        (
            r#"{"kind":"redirect","times":0}"#,
            Fault::new(FaultKind::redirect()).until_cleared(),
        ),
        (r#"{"kind":"drop"}"#, FaultKind::Drop.into()),
    ];
    for (json, fault) in cases {
        assert_eq!(Fault::from_json(json), Ok(fault), "{json}");
    }
    for (json, message) in [
        (r#"{"kind":"nope"}"#, r#"unknown fault kind "nope""#),
        (
            r#"{"kind":"status"}"#,
            r#"`status` (100..=999) is required for kind "status""#,
        ),
    ] {
        assert_eq!(
            Fault::from_json(json),
            Err(FaultError::Invalid(message.into()))
        );
    }
    let err = Fault::from_json(r#"{"x":1}"#).unwrap_err();
    assert!(err.to_string().starts_with("bad fault: "), "{err}");
}

#[tokio::test]
async fn install_fault_refuses_bad_statuses_and_more_than_the_limit() {
    let emu = start().await;
    assert_eq!(
        emu.install_fault(FaultKind::status(42)),
        Err(FaultError::InvalidStatus(42))
    );
    // an over-long delay is capped, not refused
    assert_eq!(emu.install_fault(FaultKind::Delay(MAX_DELAY * 2)), Ok(1));
    for n in 2..=MAX_FAULTS {
        assert_eq!(emu.install_fault(FaultKind::Html), Ok(n));
    }
    assert_eq!(emu.install_fault(FaultKind::Html), Err(FaultError::TooMany));
    emu.clear_faults();
    assert_eq!(emu.install_fault(FaultKind::status(503)), Ok(1));
    let c = client();
    let r = login_as(&c, emu.base_url(), ALICE).await;
    assert_eq!((r.status, r.text.as_str()), (503, ""));
    assert_eq!(login_as(&c, emu.base_url(), ALICE).await.status, 200);
}

#[tokio::test]
async fn counters_see_api_requests_only_and_reset() {
    let emu = start().await;
    let c = client();
    assert_eq!(emu.counters(), Counters::default());
    login_as(&c, emu.base_url(), ALICE).await;
    login_as(&c, emu.base_url(), ALICE).await;
    // the control calls themselves are no requests
    emu.install_fault(FaultKind::Html).unwrap();
    let expected = Counters {
        connections: 1,
        requests: 2,
    };
    assert_eq!(emu.counters(), expected);
    emu.reset_counters();
    assert_eq!(emu.counters(), Counters::default());
    login_as(&c, emu.base_url(), ALICE).await;
    let expected = Counters {
        connections: 1,
        requests: 1,
    };
    assert_eq!(
        emu.counters(),
        expected,
        "the kept-alive connection counts again"
    );
}

#[tokio::test]
async fn reset_and_the_clock_through_an_owned_handle() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let t = token_of(&c, base, ALICE).await;
    login_as(&c, base, DAVE).await;
    assert_eq!(emu.sms_outbox().len(), 1);
    let code = emu.last_sms_code("1 (555) 123-4567").expect("sent to Dave");
    assert_eq!(emu.sms_sent_to(DAVE_PHONE)[0].code, code);
    assert_eq!(emu.last_sms_code("+19999999999"), None);
    // an owned handle works from another thread
    let control = emu.control();
    let before = emu.now();
    std::thread::spawn(move || control.advance_clock(Duration::from_secs(90)))
        .join()
        .unwrap();
    assert_eq!(emu.clock_offset(), Duration::from_secs(90));
    assert!(emu.now() >= before + Duration::from_secs(90));
    emu.install_fault(Fault::new(FaultKind::Drop).until_cleared())
        .unwrap();
    emu.reset();
    assert_eq!(emu.clock_offset(), Duration::ZERO);
    assert!(emu.sms_outbox().is_empty());
    assert_eq!(people_self(&c, base, &t).await.status, 401, "tokens gone");
    assert_eq!(login_as(&c, base, ALICE).await.status, 200, "faults gone");
}
