// Hand-written: the library's sync accessors as Swift properties. The generated methods they call
// are renamed `uniffi*` in Swift only (uniffi-swift.toml), since a property cannot share its name
// with a method. None of these makes a request or waits for one.
import Foundation

extension DocspaceClient {
    /// The portal URL, normalized (with a trailing slash).
    public var portalUrl: String { uniffiPortalUrl() }
}

extension PendingLogin {
    /// Which second factor the server asks for (`.sms` after `setPhone(number:)`).
    public var challenge: Challenge { uniffiChallenge() }
    /// The login name this second factor is for.
    public var user: String { uniffiUser() }
}

extension Session {
    /// The session token, to store (Keychain) and `Session.resume` later. Throws
    /// `AuthError.AlreadyUsed` once `logout()` sent its request.
    public var token: String { get throws { try uniffiToken() } }
    /// When the token expires, if the server said.
    public var expires: Date? { uniffiExpires() }
}

extension Enrollment {
    /// The TOTP secret (Base32 "manual entry key") to add to an authenticator app.
    public var secret: String { uniffiSecret() }
    /// The `otpauth://totp/...` URI to show as a QR code (contains the secret).
    public var provisioningUri: String { uniffiProvisioningUri() }
    /// The portal's browser page for enrolment (empty if the server sent none).
    public var confirmUrl: String { uniffiConfirmUrl() }
}

extension BackupCode {
    /// The code (6 characters, case-sensitive).
    public var code: String { uniffiCode() }
    /// Whether it was used already (each works once).
    public var isUsed: Bool { uniffiIsUsed() }
}
