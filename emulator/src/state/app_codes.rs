//! Authenticator-app codes on the code endpoint (docs/protocol.md §4.4–§4.6): TOTP, else a backup code,
//! behind the per-user attempt counter; the first success enrols the user. And regenerating the
//! backup codes (§14).

use crate::config::EmulatorConfig;
use crate::otp;

use super::users::BackupCode;
use super::{State, UserIdx};

impl State {
    /// docs/protocol.md §4.5: TOTP then backup code, with the per-user attempt counter.
    pub(crate) fn check_app_code(
        &mut self,
        cfg: &EmulatorConfig,
        user: UserIdx,
        code: &str,
    ) -> bool {
        let code = code.trim();
        if code.is_empty() {
            // "ActivateTfaAppEmptyCode" is thrown before the counter is read.
            return false;
        }
        let now = self.now();
        let key = self.user(user).id;
        let limit = cfg.code_limit.attempt_count;
        let window = cfg.code_limit.window;
        let Some(counter) = self.code_attempts.count(key, limit, window, now) else {
            return false;
        };
        let u = &mut self.users[user.0];
        let ok = otp::totp_matches(&u.secret, code, now.as_secs()) || u.use_backup_code(code);
        if ok {
            self.code_attempts.give_back(key, counter, window, now);
            u.enrol();
        }
        ok
    }
}

impl State {
    /// `TfaManager.GenerateBackupCodesAsync` (§14): 5 new unused codes replace all the stored
    /// ones at once. The caller checks the user is enrolled.
    pub(crate) fn regenerate_backup_codes(&mut self, user: UserIdx) -> Vec<BackupCode> {
        let codes: Vec<BackupCode> = otp::random_backup_codes()
            .into_iter()
            .map(|code| BackupCode { code, used: false })
            .collect();
        self.users[user.0].backup_codes = codes.clone();
        codes
    }
}
