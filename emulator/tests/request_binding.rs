//! docs/protocol.md §1 and §3.1: how the login DTO is bound from the body (content type, names, types,
//! which branch of `GetUserAsync` it selects) and the envelopes of a body that cannot be bound.

mod common;

use common::*;
use serde_json::json;

/// §1: the branch is chosen by `confirmData` first, then `provider`/`serializedProfile`
/// (`"email"` compared exactly); a blank `passwordHash` is trimmed away and `password` is used.
#[tokio::test]
async fn login_branch_selection_follows_the_dto() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let url = format!("{base}/api/2.0/authentication");
    let r = post_json(
        &c,
        &url,
        &json!({"userName":"alice@example.com","password":"alice-pass",
                "confirmData":{"email":"alice@example.com","key":"1.AB"}}),
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.text);
    for extra in [
        json!({"provider":"Email"}),
        json!({"serializedProfile":"x"}),
    ] {
        let mut body = json!({"userName":"alice@example.com","password":"alice-pass"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = post_json(&c, &url, &body).await;
        assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED), "{body}");
    }
    let r = post_json(
        &c,
        &url,
        &json!({"userName":"alice@example.com","password":"alice-pass","provider":"email","passwordHash":"  "}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// §1: since v3.7.1 `code` is only on `AuthWithCodeRequestsDto`; step 1 and `sendsms` ignore it
/// whatever its JSON type.
#[tokio::test]
async fn step1_and_sendsms_ignore_code_of_any_type() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let r = post_json(
        &c,
        &format!("{base}/api/2.0/authentication"),
        &json!({"userName":"alice@example.com","password":"alice-pass","code":123456}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = post_json(
        &c,
        &format!("{base}/api/2.0/authentication/sendsms"),
        &json!({"userName":"dave@example.com","password":"dave-pass","code":{"x":1}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // the code endpoint does bind it: a number is a model-binding error there
    let r = post_json(
        &c,
        &format!("{base}/api/2.0/authentication/123456"),
        &json!({"userName":"alice@example.com","password":"alice-pass","code":123456}),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text);
}

/// §3.1: the body binder picks an input formatter by content type before it reads the body, so a
/// missing/non-JSON content type is 415 even for an empty body. Only `ValidationProblemDetails`
/// switch the envelope to `status:1`; the 415 ProblemDetails keeps `status:0, statusCode:200`.
#[tokio::test]
async fn a_non_json_content_type_is_415_before_the_body_is_read() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let url = format!("{base}/api/2.0/authentication");
    let cases = [
        c.post(&url),
        c.post(&url).header("content-type", "text/plain"),
        c.post(&url)
            .header("content-type", "text/plain")
            .body(r#"{"userName":"alice@example.com","password":"alice-pass"}"#),
    ];
    for req in cases {
        let r = send(req).await;
        assert_eq!(r.status, 415, "{}", r.text);
        let j = r.json();
        assert_eq!(j["status"], 0);
        assert_eq!(j["statusCode"], 200);
        assert_eq!(j["count"], 1);
        assert_eq!(j["response"]["status"], 415);
        assert_eq!(j["response"]["title"], "Unsupported Media Type");
        assert!(j["response"].get("errors").is_none());
    }
    // JSON content type, empty body: the validation error (400, status 1)
    let r = send(c.post(&url).header("content-type", "application/json")).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["status"], 1);
    assert_eq!(r.json()["statusCode"], 400);
}

#[tokio::test]
async fn input_is_case_insensitive_and_ignores_unknown_fields_and_remember() {
    let emu = start().await;
    let c = client();
    let r = post_raw(
        &c,
        &format!("{}/api/2.0/authentication", emu.base_url()),
        r#"{"USERNAME":"ALICE@example.com","PassWord":"  alice-pass  ","remember":true,"whatever":{"a":[1,2]},"culture":"en-US","Session":false}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.response()["token"].is_string());
}

#[tokio::test]
async fn model_binding_errors_are_wrapped_400() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let url = format!("{base}/api/2.0/authentication");
    for body in [
        r#"{"userName":"alice@example.com","password":"alice-pass","session":"yes"}"#,
        r#"{"userName":"alice@example.com","password":"alice-pass","session":"true"}"#,
        r#"{"userName":42,"password":"alice-pass"}"#,
        r#"{"userName":"alice@example.com""#,
        r#"not json"#,
        r#"[1,2]"#,
    ] {
        let r = post_raw(&c, &url, body).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        let j = r.json();
        assert_eq!(j["status"], 1);
        assert_eq!(j["statusCode"], 400);
        assert_eq!(j["count"], 1);
        assert_eq!(j["links"][0]["href"], url.as_str());
        assert_eq!(j["response"]["status"], 400);
        assert_eq!(
            j["response"]["title"],
            "One or more validation errors occurred."
        );
        assert!(j["response"]["errors"].is_object());
        assert!(j["response"]["traceId"].is_string());
    }
    // empty body
    let r = send(c.post(&url).header("content-type", "application/json")).await;
    assert_eq!(r.status, 400);
    // not JSON content type
    let r = send(
        c.post(&url)
            .header("content-type", "text/plain")
            .body(r#"{"userName":"alice@example.com","password":"alice-pass"}"#),
    )
    .await;
    assert_eq!(r.status, 415);
    // a plain ProblemDetails, not a validation one: the envelope keeps status 0 / statusCode 200
    assert_eq!(r.json()["status"], 0);
    assert_eq!(r.json()["statusCode"], 200);
    assert_eq!(r.json()["response"]["status"], 415);
    // application/*+json and text/json are JSON
    for ct in [
        "text/json",
        "application/problem+json",
        "application/json; charset=utf-8",
    ] {
        let r = send(
            c.post(&url)
                .header("content-type", ct)
                .body(r#"{"userName":"alice@example.com","password":"alice-pass"}"#),
        )
        .await;
        assert_eq!(r.status, 200, "{ct}");
    }
}

#[tokio::test]
async fn bodies_are_capped() {
    let emu = start_with(USERS, |c| c.max_body_bytes = 1024).await;
    let c = client();
    let big = format!(
        r#"{{"userName":"alice@example.com","password":"alice-pass","pad":"{}"}}"#,
        "x".repeat(2000)
    );
    let r = post_raw(
        &c,
        &format!("{}/api/2.0/authentication", emu.base_url()),
        &big,
    )
    .await;
    assert_eq!(r.status, 413);
    // The rest of the body is not read, so the connection ends with the answer, and the answer
    // says so: a client that reused it would send its next request into a closed connection.
    assert_eq!(
        r.headers.get("connection").and_then(|v| v.to_str().ok()),
        Some("close")
    );
    // and the server still answers afterwards
    let r = login_as(&c, emu.base_url(), ALICE).await;
    assert_eq!(r.status, 200);
}
