//! Every core error becomes its own [`AuthError`] variant (never `Other`), with the data a caller
//! acts on; and this test knows every variant of the core's `Error`: it reads them from the core's
//! source, so a variant added there fails here until it is mapped (the core enum is
//! `#[non_exhaustive]`, so the FFI's `match` cannot say so at compile time).

use std::path::{Path, PathBuf};
use std::time::Duration;

use docspace_auth::{Error, SsoFailure, TransportErrorKind};
use docspace_auth_ffi::{AuthError, SsoFailure as FfiSsoFailure, TransportKind};

const TRANSPORT_KINDS: [TransportErrorKind; 4] = [
    TransportErrorKind::Connect,
    TransportErrorKind::Tls,
    TransportErrorKind::Timeout,
    TransportErrorKind::Other,
];

/// At least one of each core error variant.
fn every_core_error() -> Vec<Error> {
    let mut errors = vec![
        Error::InvalidCredentials,
        Error::CodeRejected,
        Error::Forbidden {
            message: "too many login attempts".into(),
        },
        Error::LockedOut,
        Error::UserDisabled,
        Error::CaptchaRejected,
        Error::PortalUnavailable,
        Error::WrongPortalAddress,
        Error::NotADocSpacePortal {
            detail: "HTTP 404".into(),
        },
        Error::Sso {
            reason: SsoFailure::UserDisabled,
        },
        Error::Sso {
            reason: SsoFailure::Other(42),
        },
        Error::NotPhoneActivation,
        Error::InvalidPhoneNumber,
        Error::PhoneActivationExpired,
        Error::CurrentSession,
        Error::NotFound,
        Error::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
        },
        Error::RateLimited { retry_after: None },
        Error::Server { status: 503 },
        Error::Unauthorized,
        Error::UnexpectedResponse {
            detail: "not the DocSpace JSON envelope".into(),
        },
        Error::InsecureUrl,
        Error::InvalidUrl,
        Error::InvalidCodeFormat,
        Error::InvalidSecret,
        Error::InvalidConfiguration {
            detail: "user agent: not a valid header value".into(),
        },
        Error::InvalidCertificate {
            detail: "no certificate in the PEM".into(),
        },
    ];
    errors.extend(TRANSPORT_KINDS.map(|kind| Error::Transport {
        kind,
        detail: "connection refused".into(),
    }));
    errors
}

/// The variant's name (exhaustive: a new `AuthError` variant does not compile here).
fn variant_name(error: &AuthError) -> &'static str {
    match error {
        AuthError::InvalidCredentials { .. } => "InvalidCredentials",
        AuthError::CodeRejected { .. } => "CodeRejected",
        AuthError::Forbidden { .. } => "Forbidden",
        AuthError::LockedOut { .. } => "LockedOut",
        AuthError::UserDisabled { .. } => "UserDisabled",
        AuthError::CaptchaRejected { .. } => "CaptchaRejected",
        AuthError::PortalUnavailable { .. } => "PortalUnavailable",
        AuthError::WrongPortalAddress { .. } => "WrongPortalAddress",
        AuthError::NotADocSpacePortal { .. } => "NotADocSpacePortal",
        AuthError::Sso { .. } => "Sso",
        AuthError::NotPhoneActivation { .. } => "NotPhoneActivation",
        AuthError::InvalidPhoneNumber { .. } => "InvalidPhoneNumber",
        AuthError::PhoneActivationExpired { .. } => "PhoneActivationExpired",
        AuthError::CurrentSession { .. } => "CurrentSession",
        AuthError::NotFound { .. } => "NotFound",
        AuthError::RateLimited { .. } => "RateLimited",
        AuthError::Server { .. } => "Server",
        AuthError::Unauthorized { .. } => "Unauthorized",
        AuthError::UnexpectedResponse { .. } => "UnexpectedResponse",
        AuthError::Transport { .. } => "Transport",
        AuthError::InsecureUrl { .. } => "InsecureUrl",
        AuthError::InvalidUrl { .. } => "InvalidUrl",
        AuthError::InvalidCodeFormat { .. } => "InvalidCodeFormat",
        AuthError::InvalidSecret { .. } => "InvalidSecret",
        AuthError::InvalidCertificate { .. } => "InvalidCertificate",
        AuthError::InvalidConfiguration { .. } => "InvalidConfiguration",
        AuthError::AlreadyUsed { .. } => "AlreadyUsed",
        AuthError::Other { .. } => "Other",
    }
}

/// The name of a core variant, from its `Debug` form (`Forbidden { message: .. }` → `Forbidden`).
fn core_variant_name(error: &Error) -> String {
    format!("{error:?}")
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect()
}

/// The variants of `pub enum <name>` in the core's source: the lines indented once inside it that
/// start with an upper-case identifier.
fn core_enum_variants(name: &str) -> Vec<String> {
    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("core/src is readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/src"),
        &mut files,
    );
    let header = format!("pub enum {name} {{");
    let source = files
        .iter()
        .map(|file| std::fs::read_to_string(file).expect("readable source"))
        .find(|source| source.lines().any(|line| line == header))
        .unwrap_or_else(|| panic!("`{header}` not found in core/src"));
    source
        .lines()
        .skip_while(|line| *line != header)
        .skip(1)
        .take_while(|line| *line != "}")
        .filter_map(|line| line.strip_prefix("    "))
        .filter(|line| line.starts_with(|c: char| c.is_ascii_uppercase()))
        .map(|line| {
            line.chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect()
        })
        .collect()
}

#[test]
fn this_test_constructs_every_core_error_variant_and_transport_kind() {
    let covered: Vec<String> = every_core_error().iter().map(core_variant_name).collect();
    let variants = core_enum_variants("Error");
    assert!(variants.len() >= 15, "{variants:?}");
    for variant in &variants {
        assert!(
            covered.contains(variant),
            "core Error::{variant} is new: map it in ffi/src/error.rs and add it to this test"
        );
    }
    let kinds = core_enum_variants("TransportErrorKind");
    let known: Vec<String> = TRANSPORT_KINDS.iter().map(|k| format!("{k:?}")).collect();
    assert_eq!(
        kinds, known,
        "a new core TransportErrorKind: map it in ffi/src/error.rs and add it here"
    );
}

#[test]
fn every_core_error_becomes_its_own_auth_error_with_the_core_message() {
    for core in every_core_error() {
        let name = core_variant_name(&core);
        let message = core.to_string();
        let error = AuthError::from(core);
        assert_ne!(variant_name(&error), "Other", "core {name} becomes Other");
        assert_eq!(variant_name(&error), name);
        let text = error.to_string();
        assert!(
            text.starts_with(&message),
            "{name}: {text:?} vs {message:?}"
        );
    }
}

#[test]
fn structured_errors_carry_their_data() {
    let limited = |retry_after| {
        AuthError::from(Error::RateLimited {
            retry_after: Some(retry_after),
        })
    };
    let AuthError::RateLimited {
        detail,
        retry_after_secs,
    } = limited(Duration::from_secs(7))
    else {
        panic!("RateLimited")
    };
    assert_eq!(
        (detail.as_str(), retry_after_secs),
        ("rate limited; retry after 7 s", Some(7))
    );
    // Whole seconds, at least 1 (the same number as in the message).
    for (wait, secs) in [(Duration::ZERO, 1), (Duration::from_millis(2_500), 2)] {
        let AuthError::RateLimited {
            detail,
            retry_after_secs,
        } = limited(wait)
        else {
            panic!("RateLimited")
        };
        assert_eq!(retry_after_secs, Some(secs));
        assert!(
            detail.ends_with(&format!("retry after {secs} s")),
            "{detail}"
        );
    }
    let AuthError::RateLimited {
        detail,
        retry_after_secs: None,
    } = AuthError::from(Error::RateLimited { retry_after: None })
    else {
        panic!("RateLimited without a wait")
    };
    assert_eq!(detail, "rate limited");

    let AuthError::Server { detail, status } = AuthError::from(Error::Server { status: 503 })
    else {
        panic!("Server")
    };
    assert_eq!((detail.as_str(), status), ("server error (HTTP 503)", 503));

    let AuthError::Sso {
        reason,
        message_key,
        ..
    } = AuthError::from(Error::Sso {
        reason: SsoFailure::Other(42),
    })
    else {
        panic!("Sso")
    };
    assert_eq!((reason, message_key), (FfiSsoFailure::Other, 42));
    let AuthError::Sso {
        reason,
        message_key,
        ..
    } = AuthError::from(Error::Sso {
        reason: SsoFailure::UserDisabled,
    })
    else {
        panic!("Sso")
    };
    assert_eq!((reason, message_key), (FfiSsoFailure::UserDisabled, 16));

    let expected = [
        TransportKind::Connect,
        TransportKind::Tls,
        TransportKind::Timeout,
        TransportKind::Other,
    ];
    for (core_kind, kind) in TRANSPORT_KINDS.into_iter().zip(expected) {
        let error = AuthError::from(Error::Transport {
            kind: core_kind,
            detail: "connection refused".into(),
        });
        let AuthError::Transport {
            detail,
            kind: mapped,
        } = error
        else {
            panic!("Transport")
        };
        assert_eq!(mapped, kind);
        assert_eq!(
            detail,
            format!("transport error ({core_kind}): connection refused")
        );
    }
}
