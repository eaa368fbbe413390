//! SMS codes (docs/protocol.md §4.7, `SmsKeyStorage`, `SmsManager`): the keys stored per phone, the
//! per-phone attempt counter, and the outbox the emulator "sends" them to.

use std::collections::VecDeque;
use std::time::Duration;

use crate::config::EmulatorConfig;
use crate::otp;

use super::{State, UserIdx};

/// Most messages in the SMS outbox (the oldest are dropped).
const MAX_OUTBOX: usize = 1_000;

/// An SMS the emulator "sent".
#[derive(Clone)]
pub(crate) struct SmsMessage {
    pub phone: String,
    pub code: String,
    pub sent_at: Duration,
}

/// What happened to a request to send an SMS code.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SendSms {
    /// A new code went to `phone`.
    Sent { phone: String },
    /// Step 1 only: a live code for `phone` exists, nothing is sent.
    AlreadyLive { phone: String },
    /// More than `sms_key_count` live keys: 500 "You have sent too many text messages".
    TooMany,
    /// The user has no phone: `SmsKeyStorage.GenerateKeyAsync("")` throws `ArgumentException`.
    NoPhone,
}

/// Why `setphone` refused a number (§16).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SetPhoneError {
    /// 500 "Enter mobile phone number".
    NoDigits,
    /// 500 "To change the number, you need to delete your current phone number".
    AlreadyActivated,
}

/// The digits of a phone number: the server keys everything by them.
fn digits_of(phone: &str) -> String {
    phone.chars().filter(|c| c.is_ascii_digit()).collect()
}

/// The intended mask of docs/protocol.md §4.7: `+` + first 4 digits + `*`×(n-8) + last 4.
pub(crate) fn phone_noise(phone: &str) -> String {
    let d = digits_of(phone);
    if d.len() <= 8 {
        return format!("+{d}");
    }
    let n = d.len();
    format!("+{}{}{}", &d[..4], "*".repeat(n - 8), &d[n - 4..])
}

/// The outbox, oldest first, bounded.
#[derive(Default)]
pub(super) struct Outbox(VecDeque<SmsMessage>);

impl Outbox {
    fn push(&mut self, message: SmsMessage) {
        if self.0.len() >= MAX_OUTBOX {
            self.0.pop_front();
        }
        self.0.push_back(message);
    }
}

impl State {
    /// Sends an SMS code to the user's phone (docs/protocol.md §4.7); `again` is `sendsms` (always
    /// sends), otherwise step 1 (sends only when no live code exists).
    pub(crate) fn send_sms(&mut self, cfg: &EmulatorConfig, user: UserIdx, again: bool) -> SendSms {
        let u = self.user(user);
        let Some(phone) = u.phone.clone() else {
            return SendSms::NoPhone;
        };
        if !again && !u.phone_activated {
            // Step 1 with a phone that is not activated yet: phone activation first (§2.1 e).
            return SendSms::NoPhone;
        }
        self.send_to_phone(cfg, phone, again)
    }

    /// `SmsManager.PutAuthCodeAsync` for a phone: a new code unless `!again` and a live one
    /// exists; more than `sms_key_count` live keys ⇒ [`SendSms::TooMany`].
    fn send_to_phone(&mut self, cfg: &EmulatorConfig, phone: String, again: bool) -> SendSms {
        let now = self.now();
        let keys = self
            .sms_keys
            .entry(digits_of(&phone), |keys| {
                keys.iter().any(|(_, exp)| *exp > now)
            })
            .or_default();
        keys.retain(|(_, exp)| *exp > now);
        if !again && !keys.is_empty() {
            return SendSms::AlreadyLive { phone };
        }
        if keys.len() > cfg.sms_key_count as usize {
            return SendSms::TooMany;
        }
        let code = otp::random_sms_code();
        keys.push((code.clone(), now.saturating_add(cfg.sms_validity)));
        self.outbox.push(SmsMessage {
            phone: phone.clone(),
            code,
            sent_at: now,
        });
        SendSms::Sent { phone }
    }

    /// Validates an SMS code (`SmsKeyStorage.ValidateKeyAsync`): a blank code fails uncounted;
    /// then the per-phone attempt counter; a code matching a stored key deletes every key of
    /// the phone, and succeeds if that key is still live.
    pub(crate) fn check_sms_code(
        &mut self,
        cfg: &EmulatorConfig,
        user: UserIdx,
        code: &str,
    ) -> bool {
        let code = code.trim();
        let Some(phone) = self.user(user).phone.clone() else {
            return false;
        };
        if code.is_empty() {
            return false;
        }
        let now = self.now();
        let digits = digits_of(&phone);
        let limit = cfg.code_limit.attempt_count;
        let window = cfg.sms_validity;
        let Some(counter) = self.sms_checks.count(digits.clone(), limit, window, now) else {
            return false;
        };
        let Some(keys) = self.sms_keys.get(&digits) else {
            return false; // Timeout
        };
        let matching: Vec<Duration> = keys
            .iter()
            .filter(|(k, _)| k == code)
            .map(|(_, exp)| *exp)
            .collect();
        if matching.is_empty() {
            return false; // Invalide
        }
        self.sms_keys.remove(&digits);
        if !matching.iter().any(|exp| *exp > now) {
            return false; // Timeout
        }
        self.sms_checks.give_back(digits, counter, window, now);
        // A successful SMS validation activates the phone (§4.7, §16).
        self.users[user.0].phone_activated = true;
        true
    }

    /// `SmsManager.SaveMobilePhoneAsync` (§16): keeps the digits (at most 64), refuses to replace
    /// an activated number, stores it not activated and, for an SMS user, sends a code to it
    /// (unless a live one exists).
    pub(crate) fn set_phone(
        &mut self,
        cfg: &EmulatorConfig,
        user: UserIdx,
        mobile_phone: &str,
    ) -> Result<(String, SendSms), SetPhoneError> {
        let digits: String = digits_of(mobile_phone).chars().take(64).collect();
        if digits.is_empty() {
            return Err(SetPhoneError::NoDigits);
        }
        let u = &mut self.users[user.0];
        if u.phone.is_some() && u.phone_activated {
            return Err(SetPhoneError::AlreadyActivated);
        }
        u.phone = Some(digits.clone());
        u.phone_activated = false;
        let sent = if u.tfa == crate::config::TfaKind::Sms {
            self.send_to_phone(cfg, digits.clone(), false)
        } else {
            SendSms::AlreadyLive {
                phone: digits.clone(),
            }
        };
        Ok((digits, sent))
    }

    /// The outbox, oldest first; with `phone`, only the messages to it (compared by digits).
    pub(crate) fn sent_sms(&self, phone: Option<&str>) -> Vec<SmsMessage> {
        let want = phone.map(digits_of);
        self.outbox
            .0
            .iter()
            .filter(|m| want.as_ref().is_none_or(|w| digits_of(&m.phone) == *w))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::SendSms;
    use crate::config::EmulatorConfig;
    use crate::state::{State, User};

    /// `SmsKeyStorage.GenerateKeyAsync("")` throws `ArgumentException` (⇒ 400), it is not "too
    /// many text messages" (⇒ 500): a user without a phone gets `NoPhone` from step 1 and
    /// `sendsms` alike, and nothing is sent; `TooMany` stays for a phone with too many codes.
    #[test]
    fn a_user_without_a_phone_is_not_told_too_many() {
        let mut cfg = EmulatorConfig::from_users_json(
            r#"{"users":[{"email":"frank@example.com","password":"p","tfa":"sms"},
                         {"email":"dave@example.com","password":"p","tfa":"sms","phone":"+15551234567"}]}"#,
        )
        .expect("users");
        cfg.sms_key_count = 0;
        let users = cfg.users.iter().map(User::from_spec).collect();
        let mut st = State::new(users, cfg.initial_portal());
        let frank = st.find_user("frank@example.com").expect("frank");
        for again in [false, true, true] {
            assert_eq!(st.send_sms(&cfg, frank, again), SendSms::NoPhone);
        }
        assert!(st.sent_sms(None).is_empty());
        let dave = st.find_user("dave@example.com").expect("dave");
        let phone = "+15551234567".to_string();
        assert_eq!(st.send_sms(&cfg, dave, true), SendSms::Sent { phone });
        assert_eq!(st.send_sms(&cfg, dave, true), SendSms::TooMany);
        assert_eq!(st.sent_sms(Some("1 (555) 123-4567")).len(), 1);
    }
}
