//! The portal's users, as the users file describes them and as logins change them (enrolment,
//! used backup codes).

use uuid::Uuid;

use crate::config::{TfaKind, UserSpec};
use crate::otp;
use crate::portal::PasswordHashParams;

use super::{State, UserIdx};

#[derive(Clone)]
pub(crate) struct BackupCode {
    pub code: String,
    pub used: bool,
}

#[derive(Clone)]
pub(crate) struct User {
    pub id: Uuid,
    pub email: String,
    /// `None` for SSO users (they have no password).
    pub password: Option<String>,
    pub tfa: TfaKind,
    pub enrolled: bool,
    pub secret: Vec<u8>,
    /// Live codes once enrolled; for a user not yet enrolled, the codes handed out at enrolment.
    pub backup_codes: Vec<BackupCode>,
    pub phone: Option<String>,
    /// `mobilePhoneActivationStatus`: a phone from the users file is activated; one set through
    /// `setphone` is not, until its first SMS code succeeds (§16).
    pub phone_activated: bool,
    pub disabled: bool,
    /// Has a SAML NameID (`isSSO`): an SSO user of the users file, or a user who signed in
    /// through SSO (found by e-mail, §13.2 step 4).
    pub sso: bool,
    /// `isLDAP` (§11.4).
    pub ldap: bool,
    /// The user's cookie index: bumped by "log out of all sessions" (§15.1); a token issued under
    /// another index is dead.
    pub cookie_index: u64,
    /// The client-side hash of the password and the parameters it was computed with (§11.3),
    /// computed at the first `passwordHash` login.
    pub hash_memo: Option<(PasswordHashParams, String)>,
    pub display_name: String,
    pub first_name: String,
    pub last_name: String,
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

impl User {
    pub(crate) fn from_spec(spec: &UserSpec) -> User {
        let email = spec.email.trim().to_string();
        let id = spec
            .id
            .as_deref()
            .and_then(|s| Uuid::parse_str(s).ok())
            .unwrap_or_else(|| Uuid::new_v5(&Uuid::NAMESPACE_URL, email.to_lowercase().as_bytes()));
        let secret = spec
            .totp_secret
            .as_deref()
            .and_then(otp::decode_base32)
            .filter(|b| !b.is_empty())
            .unwrap_or_else(otp::random_secret);
        let codes = match &spec.backup_codes {
            Some(codes) if !codes.is_empty() => codes.clone(),
            _ => otp::random_backup_codes(),
        };
        let backup_codes = codes
            .into_iter()
            .map(|code| BackupCode { code, used: false })
            .collect();
        let local = email.split('@').next().unwrap_or("");
        let first_name = spec.first_name.clone().unwrap_or_else(|| capitalise(local));
        let last_name = spec.last_name.clone().unwrap_or_default();
        let display_name = spec
            .display_name
            .clone()
            .unwrap_or_else(|| format!("{first_name} {last_name}").trim().to_string());
        User {
            id,
            email,
            password: spec.password.clone(),
            tfa: spec.tfa,
            enrolled: spec.tfa == TfaKind::App && spec.enrolled,
            secret,
            backup_codes,
            phone: spec.phone.clone().filter(|p| !p.trim().is_empty()),
            phone_activated: true,
            disabled: spec.disabled,
            sso: spec.sso,
            ldap: spec.ldap,
            cookie_index: 0,
            hash_memo: None,
            display_name,
            first_name,
            last_name,
        }
    }

    /// Spends an unused backup code (only once enrolled, §4.6).
    pub(super) fn use_backup_code(&mut self, code: &str) -> bool {
        if !self.enrolled {
            return false;
        }
        match self
            .backup_codes
            .iter_mut()
            .find(|c| !c.used && c.code == code)
        {
            Some(c) => {
                c.used = true;
                true
            }
            None => false,
        }
    }

    /// The first valid code enrols the user, and the backup codes come into force.
    pub(super) fn enrol(&mut self) {
        if !self.enrolled {
            self.enrolled = true;
            for c in &mut self.backup_codes {
                c.used = false;
            }
        }
    }
}

impl State {
    /// The user behind an index this state handed out.
    pub(crate) fn user(&self, idx: UserIdx) -> &User {
        &self.users[idx.0]
    }

    /// By GUID, else by e-mail (case-insensitive), as `GetUserByPasswordHashAsync` looks up.
    pub(crate) fn find_user(&self, login: &str) -> Option<UserIdx> {
        let login = login.trim();
        if let Ok(id) = Uuid::parse_str(login) {
            if let Some(i) = self.users.iter().position(|u| u.id == id) {
                return Some(UserIdx(i));
            }
        }
        self.users
            .iter()
            .position(|u| u.email.eq_ignore_ascii_case(login))
            .map(UserIdx)
    }

    /// After an SSO sign-in the user has a SAML NameID (`isSSO`, §13.2 step 4).
    pub(crate) fn link_sso(&mut self, idx: UserIdx) {
        self.users[idx.0].sso = true;
    }

    /// HTTP Basic (`BasicAuthHandler`): e-mail and password, no 2FA, no brute-force check.
    pub(crate) fn basic_login(&self, login: &str, password: &str) -> Option<UserIdx> {
        let idx = self
            .users
            .iter()
            .position(|u| u.email.eq_ignore_ascii_case(login.trim()))?;
        let u = &self.users[idx];
        let ok = u.password.as_deref() == Some(password.trim());
        (ok && !u.disabled).then_some(UserIdx(idx))
    }
}
