//! Checking a password (docs/protocol.md §11): the plaintext `password`, the client-side
//! `passwordHash` (PBKDF2-HMAC-SHA256 of the trimmed password, §11.1) with the precedence of
//! §11.2, and the LDAP rule of §11.4. The expected hash is computed once per user and
//! parameters, at the first `passwordHash` login (not at start).

use std::num::NonZeroU32;

use super::{State, UserIdx};

/// `lowercase_hex(PBKDF2-HMAC-SHA256(UTF-8(trim(password)), UTF-8(salt), iterations, size/8))`
/// (§11.1): what a client sends as `passwordHash`.
pub fn client_password_hash(password: &str, salt: &str, iterations: u32, size_bits: u32) -> String {
    let iterations = NonZeroU32::new(iterations).unwrap_or(NonZeroU32::MIN);
    let mut out = vec![0u8; (size_bits / 8).max(1) as usize];
    ring::pbkdf2::derive(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        salt.as_bytes(),
        password.trim().as_bytes(),
        &mut out,
    );
    out.iter().map(|b| format!("{b:02x}")).collect()
}

/// The secrets a login request carries, after the precedence of §11.2.
pub(crate) struct Secret<'a> {
    /// `password` as sent (untrimmed).
    pub password: &'a str,
    /// The trimmed `passwordHash`, when non-empty: it wins and `password` is not hashed.
    pub hash: Option<&'a str>,
}

impl State {
    /// The client-side hash of the user's password under the portal's current parameters,
    /// memoized per user (recomputed when the parameters change). `None` for SSO users.
    fn expected_hash(&mut self, idx: UserIdx) -> Option<String> {
        let params = self.portal.password_hash.clone();
        let u = &mut self.users[idx.0];
        let password = u.password.as_deref()?;
        if let Some((p, h)) = &u.hash_memo {
            if *p == params {
                return Some(h.clone());
            }
        }
        let h = client_password_hash(password, &params.salt, params.iterations, params.size);
        u.hash_memo = Some((params, h.clone()));
        Some(h)
    }

    /// Whether `secret` is the user's password (§11.2–§11.4).
    pub(super) fn password_matches(&mut self, idx: UserIdx, secret: &Secret<'_>) -> bool {
        let u = self.user(idx);
        let Some(stored) = u.password.as_deref() else {
            return false; // SSO users have no password
        };
        if u.ldap {
            // LDAP bind with the plaintext: trimmed when it was the only secret, untrimmed when a
            // hash came too; the local fallback never matches an LDAP user (§11.4).
            if !self.portal.ldap_enabled {
                return false;
            }
            let plain = match secret.hash {
                Some(_) => secret.password,
                None => secret.password.trim(),
            };
            return !plain.is_empty() && plain == stored;
        }
        match secret.hash {
            // Exact, case-sensitive comparison with the stored hash (§11.3).
            Some(hash) => self.expected_hash(idx).is_some_and(|h| h == hash),
            // `pbkdf2(trim(password)) == pbkdf2(trim(stored))`, i.e. the trimmed strings agree.
            None => {
                let plain = secret.password.trim();
                !plain.is_empty() && plain == stored.trim()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::client_password_hash as h;

    const SALT: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const MOCK_SALT: &str = "4d9abe238e2f7b14a30a4565d62214a795a15abb798ed61118a69820d6a6146c";

    /// Every row of the §11.5 table.
    #[test]
    fn protocol_test_vectors() {
        let full = "cc9a39841c506c74088ae4cadcd50a6af988a36e5849b908d1e98420f5c45f3f";
        assert_eq!(h("Password123!", SALT, 100_000, 256), full);
        assert_eq!(h("  Password123!  ", SALT, 100_000, 256), full);
        // Hashing it untrimmed (what the server would get from a client that forgot to trim).
        let mut untrimmed = [0u8; 32];
        ring::pbkdf2::derive(
            ring::pbkdf2::PBKDF2_HMAC_SHA256,
            std::num::NonZeroU32::new(100_000).unwrap(),
            SALT.as_bytes(),
            b"  Password123!  ",
            &mut untrimmed,
        );
        let untrimmed: String = untrimmed.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            untrimmed,
            "646bd2b91509e92bcf29d8480844edabfa7cc069d1400ca6a602d55dc45231b2"
        );
        assert_eq!(
            "Пароль-123 ü".as_bytes(),
            [
                0xd0, 0x9f, 0xd0, 0xb0, 0xd1, 0x80, 0xd0, 0xbe, 0xd0, 0xbb, 0xd1, 0x8c, 0x2d, 0x31,
                0x32, 0x33, 0x20, 0xc3, 0xbc
            ]
        );
        assert_eq!(
            h("Пароль-123 ü", SALT, 100_000, 256),
            "09c163a4afb84247d5b9d629f4a02a613b1f8b2e873c18e2fccfec76187b844c"
        );
        assert_eq!(
            h("Password123!", MOCK_SALT, 100_000, 256),
            "c7e75117727202437c2d9d1e996d53b8865fc351bf0f88c6202d10e8d13de703"
        );
        assert_eq!(
            h("Password123!", "my-salt", 1000, 256),
            "4db1579b3d294a386b2115e443764d5b7a43612382bcd9d23f1f92997cc857a2"
        );
        assert_eq!(h("Password123!", SALT, 100_000, 128), &full[..32]);
        assert_eq!(
            h("Password123!", SALT, 100_000, 512),
            "cc9a39841c506c74088ae4cadcd50a6af988a36e5849b908d1e98420f5c45f3f\
             d7e8e7d37cb04f5e4aeeba01bdbe075f6003dcba7f8e29735c5ffedd4832ff3e"
        );
    }
}
