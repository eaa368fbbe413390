//! From the wire to the login flow: the one place that reads a success envelope's
//! `response`, a `TokenDto` (login, code, `sendsms` and `setphone` answers, docs/protocol.md §2,
//! §16), the backup codes (§4.6, §14), the portal's settings and capabilities (§10) and its
//! active sessions (§15), and turns them into states and public values.

use std::time::SystemTime;

use secrecy::SecretString;
use serde::de::DeserializeOwned;

use super::{ActiveSession, Authenticated, BackupCode, Challenge, Enrollment, SmsSent};
use crate::portal::{
    Captcha, CaptchaKind, PasswordHashParams, PortalInfo, SsoProvider, TenantStatus,
};
use crate::wire::{
    self, BackupCodeDto, CapabilitiesDto, ConnectionsDto, SettingsDto, SettingsEnvelope, TokenDto,
};
use crate::Error;

/// The `response` of a success envelope (docs/protocol.md §3.1), which must be there.
pub(crate) fn required<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    wire::decode_success(body)?.ok_or_else(|| Error::unexpected("the envelope has no `response`"))
}

/// What a password login grants.
pub(crate) enum Granted {
    /// A token: logged in.
    Session(Authenticated),
    /// No token yet: this second factor first.
    SecondFactor(Challenge),
}

/// The answer to the password login (docs/protocol.md §2.1): a token, or which second factor the
/// server asks for. An authenticator enrolment is labelled with `issuer` (the portal host)
/// and `account` (the login name).
pub(crate) fn login_answer(dto: TokenDto, issuer: &str, account: &str) -> Result<Granted, Error> {
    let expires = expires(&dto);
    if let Some(token) = dto.token {
        return session(token, expires).map(Granted::Session);
    }
    let challenge = if dto.sms {
        match dto.phone_noise {
            Some(phone_noise) => Challenge::Sms {
                phone_noise,
                expires,
            },
            None => Challenge::SmsPhoneActivation {
                confirm_url: dto
                    .confirm_url
                    .ok_or_else(|| Error::unexpected("SMS without phone and without confirmUrl"))?,
            },
        }
    } else if dto.tfa {
        match dto.tfa_key {
            Some(secret) => Challenge::AppEnrollment(Enrollment {
                secret: enrollment_key(secret)?,
                issuer: issuer.to_owned(),
                account: account.to_owned(),
                confirm_url: dto.confirm_url.unwrap_or_default(),
            }),
            None => Challenge::App,
        }
    } else {
        return Err(Error::unexpected(
            "neither a token nor a second factor in the login response",
        ));
    };
    Ok(Granted::SecondFactor(challenge))
}

/// The answer to a second-factor code (docs/protocol.md §2.2): it must carry the token.
pub(crate) fn code_answer(dto: TokenDto) -> Result<Authenticated, Error> {
    let expires = expires(&dto);
    let token = dto
        .token
        .ok_or_else(|| Error::unexpected("no token in the code response"))?;
    session(token, expires)
}

/// The answer to `sendsms` (docs/protocol.md §4.7): where the new code went, until when it is valid.
pub(crate) fn sms_sent(dto: TokenDto) -> Result<SmsSent, Error> {
    let expires = expires(&dto);
    Ok(SmsSent {
        phone_noise: dto
            .phone_noise
            .ok_or_else(|| Error::unexpected("no phoneNoise in the sendsms response"))?,
        expires,
    })
}

/// The items of `GET /settings/tfaappcodes` (docs/protocol.md §4.6), in the server's order.
pub(crate) fn backup_codes(codes: Vec<BackupCodeDto>) -> Vec<BackupCode> {
    codes
        .into_iter()
        .map(|c| BackupCode {
            code: c.code,
            is_used: c.is_used,
        })
        .collect()
}

/// The `tfaKey` of an enrolment (docs/protocol.md §4.4: RFC 4648 Base32, uppercase, no padding). It
/// goes into the QR code and is shown to the user, so anything else (a string that would add
/// URI parameters or terminal escapes) is the server's fault, never passed on.
fn enrollment_key(key: SecretString) -> Result<SecretString, Error> {
    use secrecy::ExposeSecret;
    let text = key.expose_secret();
    let base32 = !text.is_empty()
        && text
            .trim_end_matches('=')
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b));
    if base32 && crate::totp::decode_secret(&key).is_ok() {
        Ok(key)
    } else {
        Err(Error::unexpected(
            "the enrolment key (tfaKey) is not Base32",
        ))
    }
}

/// A token from the server: one that no header can carry is the server's fault.
fn session(token: SecretString, expires: Option<SystemTime>) -> Result<Authenticated, Error> {
    Authenticated::new(token, expires)
        .map_err(|_| Error::unexpected("the token is not a valid header value"))
}

/// `expires` of a token or SMS answer; `None` when absent or not applicable (docs/protocol.md §6.3).
fn expires(dto: &TokenDto) -> Option<SystemTime> {
    dto.expires.as_deref().and_then(wire::parse_expires)
}

/// The anonymous `GET /settings` answer (§10.4 step 1): only HTTP 200 with a success envelope
/// (`status` 0, `statusCode` 200) whose `response.docSpace` is `true` is a DocSpace portal.
pub(crate) fn settings(body: &[u8]) -> Result<SettingsDto, Error> {
    let not_docspace = |detail: &str| Error::NotADocSpacePortal {
        detail: detail.to_owned(),
    };
    let envelope: SettingsEnvelope = serde_json::from_slice(body)
        .map_err(|_| not_docspace("its settings are not DocSpace's JSON envelope"))?;
    if envelope.status != Some(0) || envelope.status_code.is_some_and(|code| code != 200) {
        return Err(not_docspace("its settings answer is an error envelope"));
    }
    match envelope.response {
        Some(settings) if settings.doc_space => Ok(settings),
        Some(_) => Err(not_docspace("it says it is not DocSpace")),
        None => Err(not_docspace("its settings answer has no `response`")),
    }
}

/// An error while reading the settings of what may not be a portal (§10.3): a 404, a 401 (ONLYOFFICE
/// Workspace asks for a login), a 403, a redirect or a body that is not the envelope all mean
/// "not a DocSpace portal"; transport errors, 429 and 5xx stay what they are.
pub(crate) fn not_a_portal(error: Error) -> Error {
    let detail = match error {
        Error::NotFound | Error::WrongPortalAddress => "HTTP 404".to_owned(),
        Error::Unauthorized => {
            "it asks for a login to read its settings (ONLYOFFICE Workspace?)".to_owned()
        }
        Error::Forbidden { .. } | Error::PortalUnavailable => "HTTP 403".to_owned(),
        Error::UnexpectedResponse { detail } => detail,
        other => return other,
    };
    Error::NotADocSpacePortal { detail }
}

/// `settings.passwordHash` (§11.1).
pub(crate) fn hash_params(settings: &SettingsDto) -> Option<PasswordHashParams> {
    settings.password_hash.as_ref().map(|p| PasswordHashParams {
        salt: p.salt.clone(),
        iterations: p.iterations,
        size: p.size,
    })
}

/// What a login screen needs, from the settings and, when the portal answered it, the
/// capabilities (§10.1, §10.2).
pub(crate) fn portal_info(
    settings: SettingsDto,
    capabilities: Option<CapabilitiesDto>,
) -> PortalInfo {
    let password_hash = hash_params(&settings);
    let captcha = settings
        .recaptcha_public_key
        .filter(|key| !key.is_empty())
        .map(|public_key| Captcha {
            // An unknown type is sent back as it came: the web widget's.
            kind: CaptchaKind::from_code(settings.recaptcha_type.unwrap_or(0))
                .unwrap_or(CaptchaKind::Recaptcha),
            public_key,
        });
    let capabilities = capabilities.unwrap_or(CapabilitiesDto {
        ldap_enabled: false,
        providers: Vec::new(),
        sso_label: None,
        sso_url: None,
    });
    let sso = capabilities
        .sso_url
        .filter(|url| !url.is_empty())
        .map(|url| SsoProvider {
            url,
            label: capabilities
                .sso_label
                .filter(|label| !label.is_empty())
                .unwrap_or_else(|| "Single Sign-on".to_owned()),
        });
    PortalInfo {
        version: settings.version.unwrap_or_default(),
        standalone: settings.standalone,
        tenant_status: TenantStatus::from_code(settings.tenant_status),
        sso,
        ldap_enabled: capabilities.ldap_enabled,
        providers: capabilities.providers,
        password_hash,
        captcha,
    }
}

/// The items of `GET /security/activeconnections` (§15.2); `current` is the event id the
/// server read from the cookie (§15.3).
pub(crate) fn sessions(dto: ConnectionsDto) -> Vec<ActiveSession> {
    let current = dto.login_event;
    dto.items
        .into_iter()
        .map(|item| ActiveSession {
            id: item.id,
            current: current != 0 && item.id == current,
            mobile: item.mobile,
            ip: item.ip.unwrap_or_default(),
            country: item.country,
            city: item.city,
            browser: item.browser,
            platform: item.platform,
            date: item.date.as_deref().and_then(wire::parse_expires),
            page: item.page,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;
    use serde_json::{json, Value};

    use super::*;
    use crate::http::{Http, Options};
    use crate::Auth;

    fn dto(value: Value) -> TokenDto {
        serde_json::from_value(value).unwrap()
    }

    fn login(value: Value) -> Result<Granted, Error> {
        login_answer(dto(value), "portal.example.com", "carol@example.com")
    }

    /// The state behind the public accessors.
    fn session_of(state: Authenticated) -> Auth<Authenticated> {
        Auth {
            http: Http::new("http://127.0.0.1:1", Options::default()).unwrap(),
            state,
        }
    }

    fn unexpected(result: Result<impl Sized, Error>) -> String {
        match result {
            Err(Error::UnexpectedResponse { detail }) => detail,
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn a_token_is_a_session_with_its_expiry() {
        let Ok(Granted::Session(state)) = login(json!({
            "token": "tok", "expires": "2027-07-01T10:13:11Z", "sms": false, "tfa": false
        })) else {
            panic!("no session");
        };
        let session = session_of(state);
        assert_eq!(session.token().expose_secret(), "tok");
        let expires = session.expires().unwrap();
        let secs = expires.duration_since(SystemTime::UNIX_EPOCH).unwrap();
        assert_eq!(secs.as_secs(), 1_814_436_791);

        // The zero date and a missing expiry both mean "not said".
        for value in [
            json!({"token": "tok", "expires": "0001-01-01T00:00:00"}),
            json!({"token": "tok"}),
        ] {
            let Ok(Granted::Session(state)) = login(value) else {
                panic!("no session");
            };
            assert_eq!(session_of(state).expires(), None);
        }
        // The same reading for the code answer, and a token wins over the flags.
        let state = code_answer(dto(json!({"token": "tok2", "tfa": true}))).unwrap();
        assert_eq!(session_of(state).token().expose_secret(), "tok2");
    }

    #[test]
    fn a_token_no_header_can_carry_is_refused() {
        for bad in ["", "a b", "line\nbreak"] {
            let detail = unexpected(login(json!({ "token": bad })));
            assert!(detail.contains("not a valid header value"), "{detail}");
            let detail = unexpected(code_answer(dto(json!({ "token": bad }))));
            assert!(detail.contains("not a valid header value"), "{detail}");
        }
    }

    #[test]
    fn an_enrolment_key_must_be_base32() {
        let with_key = |key: &str| login(json!({"tfa": true, "tfaKey": key}));
        assert!(matches!(
            with_key("IFREGZCFMYWV6MJS"),
            Ok(Granted::SecondFactor(Challenge::AppEnrollment(_)))
        ));
        for bad in [
            "ABC&issuer=Evil\u{1b}[2J",
            "ifregzcfmywv6mjs",
            "IFREGZCF MYWV6MJS",
            "",
            "1",
        ] {
            let detail = unexpected(with_key(bad));
            assert!(detail.contains("tfaKey"), "{detail}");
        }
    }

    #[test]
    fn challenges() {
        match login(json!({"sms": true, "phoneNoise": "+1555*****4567",
                           "expires": "2027-07-01T10:13:11Z"}))
        {
            Ok(Granted::SecondFactor(Challenge::Sms {
                phone_noise,
                expires,
            })) => {
                assert_eq!(phone_noise, "+1555*****4567");
                assert!(expires.is_some());
            }
            _ => panic!("not an SMS challenge"),
        }
        match login(json!({"sms": true, "confirmUrl": "https://p/confirm"})) {
            Ok(Granted::SecondFactor(Challenge::SmsPhoneActivation { confirm_url })) => {
                assert_eq!(confirm_url, "https://p/confirm");
            }
            _ => panic!("not a phone activation"),
        }
        match login(json!({"tfa": true, "tfaKey": "JBSWY3DPEHPK3PXP", "confirmUrl": "https://p/c"}))
        {
            Ok(Granted::SecondFactor(Challenge::AppEnrollment(enrollment))) => {
                assert_eq!(enrollment.secret().expose_secret(), "JBSWY3DPEHPK3PXP");
                assert_eq!(enrollment.issuer(), "portal.example.com");
                assert_eq!(enrollment.account(), "carol@example.com");
                assert_eq!(enrollment.confirm_url(), "https://p/c");
            }
            _ => panic!("not an enrolment"),
        }
        match login(json!({"tfa": true, "tfaKey": "JBSWY3DPEHPK3PXP"})) {
            Ok(Granted::SecondFactor(Challenge::AppEnrollment(enrollment))) => {
                assert_eq!(enrollment.confirm_url(), "");
            }
            _ => panic!("not an enrolment"),
        }
        assert!(matches!(
            login(json!({"tfa": true})),
            Ok(Granted::SecondFactor(Challenge::App))
        ));
    }

    #[test]
    fn answers_that_make_no_sense_are_refused() {
        let detail = unexpected(login(json!({"sms": true})));
        assert!(detail.contains("without confirmUrl"), "{detail}");
        let detail = unexpected(login(json!({"sms": false, "tfa": false})));
        assert!(detail.contains("neither a token"), "{detail}");
        let detail = unexpected(code_answer(dto(json!({"tfa": true, "tfaKey": "K"}))));
        assert!(detail.contains("no token"), "{detail}");
        let detail = unexpected(sms_sent(dto(json!({"sms": true}))));
        assert!(detail.contains("no phoneNoise"), "{detail}");
        let detail = unexpected(required::<TokenDto>(br#"{"status":0}"#));
        assert!(detail.contains("no `response`"), "{detail}");
    }

    #[test]
    fn sms_sent_and_backup_codes() {
        let sent = sms_sent(dto(json!({
            "phoneNoise": "+1555*****4567", "expires": "2027-07-01T10:13:11Z", "sms": true
        })))
        .unwrap();
        assert_eq!(sent.phone_noise, "+1555*****4567");
        assert!(sent.expires.is_some());

        let codes: Vec<BackupCodeDto> = required(
            br#"{"response":[{"code":"aB3-x_","isUsed":true},{"code":"Zz9_0-"}],"status":0}"#,
        )
        .unwrap();
        let codes = backup_codes(codes);
        assert_eq!(codes.len(), 2);
        assert_eq!(codes[0].code.expose_secret(), "aB3-x_");
        assert!(codes[0].is_used);
        assert_eq!(codes[1].code.expose_secret(), "Zz9_0-");
        assert!(!codes[1].is_used);
    }
}
