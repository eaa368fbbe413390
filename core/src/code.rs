//! Second-factor codes.

use secrecy::{ExposeSecret, SecretString};

use crate::Error;

/// A second-factor code, checked for format before it goes anywhere near the network:
/// a 6-digit TOTP or SMS code, or a 6-character backup code (`[A-Za-z0-9_-]`).
///
/// A code is a secret: it lives in a [`SecretString`] (zeroized on drop), has no `Display`, and
/// its `Debug` is redacted.
///
/// ```
/// use docspace_auth::Code;
///
/// let code = Code::parse("123 456")?;          // spaces people type are dropped
/// assert_eq!(code.expose(), "123456");
/// assert_eq!(format!("{code:?}"), "Code([REDACTED])");
///
/// let backup = Code::parse("aB3-x_")?;          // backup codes are case-sensitive
/// assert_eq!(backup.expose(), "aB3-x_");
///
/// assert!(Code::parse("12345").is_err());       // too short
/// assert!(Code::parse("12345!").is_err());      // not in the alphabet
/// # Ok::<(), docspace_auth::Error>(())
/// ```
pub struct Code(SecretString);

/// Number of characters of every DocSpace code (TOTP, SMS, backup).
const CODE_LEN: usize = 6;

impl Code {
    /// Parses a code typed by a person or produced by [`crate::totp`]. Whitespace is dropped;
    /// anything but exactly 6 characters of `[A-Za-z0-9_-]` is [`Error::InvalidCodeFormat`].
    ///
    /// ```
    /// use docspace_auth::{Code, Error};
    /// assert!(Code::parse(" 000 001 ").is_ok());
    /// assert!(matches!(Code::parse("1234567"), Err(Error::InvalidCodeFormat)));
    /// assert!(matches!(Code::parse(""), Err(Error::InvalidCodeFormat)));
    /// ```
    pub fn parse(input: &str) -> Result<Code, Error> {
        let mut cleaned = String::with_capacity(CODE_LEN);
        for c in input.chars().filter(|c| !c.is_whitespace()) {
            if cleaned.len() >= CODE_LEN || !(c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                // Wipe what was collected so far before refusing.
                zeroize::Zeroize::zeroize(&mut cleaned);
                return Err(Error::InvalidCodeFormat);
            }
            cleaned.push(c);
        }
        let secret = SecretString::from(cleaned);
        if secret.expose_secret().len() != CODE_LEN {
            return Err(Error::InvalidCodeFormat);
        }
        Ok(Code(secret))
    }

    /// The code's characters (6 of them). Handle with care: this is the secret itself.
    ///
    /// ```
    /// let code = docspace_auth::Code::parse("654321")?;
    /// assert_eq!(code.expose(), "654321");
    /// # Ok::<(), docspace_auth::Error>(())
    /// ```
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Whether this is all digits (a TOTP or SMS code) rather than a backup code.
    ///
    /// ```
    /// use docspace_auth::Code;
    /// assert!(Code::parse("123456")?.is_numeric());
    /// assert!(!Code::parse("aB3-x_")?.is_numeric());
    /// # Ok::<(), docspace_auth::Error>(())
    /// ```
    pub fn is_numeric(&self) -> bool {
        self.expose().bytes().all(|b| b.is_ascii_digit())
    }

    /// The code as a [`SecretString`].
    ///
    /// ```
    /// use docspace_auth::secrecy::ExposeSecret;
    /// let secret = docspace_auth::Code::parse("123456")?.into_secret();
    /// assert_eq!(secret.expose_secret(), "123456");
    /// # Ok::<(), docspace_auth::Error>(())
    /// ```
    pub fn into_secret(self) -> SecretString {
        self.0
    }
}

impl ExposeSecret<str> for Code {
    fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Code([REDACTED])")
    }
}

impl std::str::FromStr for Code {
    type Err = Error;

    /// Same as [`Code::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Code::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_digits_and_backup_alphabet() {
        for ok in [
            "123456",
            "000000",
            "12 34 56",
            "\t123456\n",
            "aB3-x_",
            "Z_-9aa",
            "k2k2k2",
        ] {
            assert!(Code::parse(ok).is_ok(), "{ok:?} should parse");
        }
    }

    #[test]
    fn refuses_everything_else() {
        for bad in [
            "",
            "12345",
            "1234567",
            "12345!",
            "１２３４５６",
            "abc/12",
            "abc%12",
            "12345\u{0}",
            "ab.def",
        ] {
            assert!(
                matches!(Code::parse(bad), Err(Error::InvalidCodeFormat)),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn drops_whitespace() {
        assert_eq!(Code::parse(" 1 2 3 4 5 6 ").unwrap().expose(), "123456");
    }

    #[test]
    fn debug_is_redacted() {
        let code = Code::parse("987654").unwrap();
        assert!(!format!("{code:?}").contains("987654"));
    }
}
