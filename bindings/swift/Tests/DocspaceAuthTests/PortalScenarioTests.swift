import DocspaceAuth
import Foundation
import XCTest

/// The portal-level scenarios (docs/protocol.md §10–§17) against the emulator and the fixture's
/// `portal` (SSO with single logout, captcha, LDAP, password hash parameters): the 403 kinds and the
/// captcha, portal discovery, SSO through a web view played by hand, phone activation, active
/// sessions, new backup codes, and the client-side password hash.
final class PortalScenarioTests: EmulatorTestCase {
    // From tests/fixtures/users.json.
    static let alice = (email: "alice@example.com", password: "alice-pass")  // no 2FA
    static let bob = (email: "bob@example.com", password: "bob-pass", secret: "IFREGZCFMYWV6MJS")  // app, enrolled
    static let dave = (email: "dave@example.com", password: "dave-pass")  // SMS
    static let erin = (email: "erin@example.com", password: "erin-pass")  // disabled
    static let frank = "frank@example.com"  // SSO
    static let grace = (email: "grace@example.com", password: "grace-pass")  // LDAP
    static let heidi = (email: "heidi@example.com", password: "heidi-pass")  // SMS, no phone yet
    static let ivan = "ivan@example.com"  // SSO, disabled
    static let salt = "4d9abe238e2f7b14a30a4565d62214a795a15abb798ed61118a69820d6a6146c"

    // MARK: helpers

    func client(_ options: ClientOptions = ClientOptions(), emulator: Emulator? = nil) throws -> DocspaceClient {
        try DocspaceClient(portalUrl: (emulator ?? self.emulator).baseURL, options: options)
    }

    func session(_ user: String, _ password: String, options: ClientOptions = ClientOptions()) async throws -> Session {
        guard case .authenticated(let session) = try await client(options).login(user: user, password: password) else {
            throw Emulator.Failure(description: "\(user): expected a session, got a 2FA challenge")
        }
        return session
    }

    func pending(_ user: String, _ password: String) async throws -> PendingLogin {
        guard case .tfaRequired(let pending) = try await client().login(user: user, password: password) else {
            throw Emulator.Failure(description: "\(user): expected a 2FA challenge, got a session")
        }
        return pending
    }

    /// The error `body` throws (fails the test if it returns or throws something else).
    func authError<T>(
        _ body: () async throws -> T, file: StaticString = #filePath, line: UInt = #line
    ) async -> AuthError? {
        do {
            _ = try await body()
            XCTFail("expected an AuthError, got a result", file: file, line: line)
        } catch let error as AuthError {
            return error
        } catch {
            XCTFail("expected an AuthError, got \(error)", file: file, line: line)
        }
        return nil
    }

    /// The SSO web view for `email`, intercepted where `ssoRedirect` says the portal's landing is.
    func ssoLanding(_ client: DocspaceClient, _ email: String) async throws -> String {
        try await emulator.ssoWebView(email: email) { client.ssoRedirect(address: $0) != .elsewhere }
    }

    // MARK: 403 kinds

    func testLockedOutThenCaptchaRejectedThenAccepted() async throws {
        let locking = try Emulator(arguments: ["--lockout-attempts", "2"])
        defer { locking.stop() }
        let client = try client(emulator: locking)
        let alice = Self.alice
        for _ in 0..<2 {
            let error = await authError { try await client.login(user: alice.email, password: "not-her-password") }
            guard case .InvalidCredentials = error else { return XCTFail("\(String(describing: error))") }
        }
        let locked = await authError { try await client.login(user: alice.email, password: alice.password) }
        guard case .LockedOut = locked else { return XCTFail("expected LockedOut, got \(String(describing: locked))") }

        // The login screen shows the portal's captcha and sends its answer.
        let info = try await client.portalInfo()
        let captcha = try XCTUnwrap(info.captcha)
        let rejected = await authError {
            try await client.loginWithCaptcha(
                user: alice.email, password: alice.password, captchaKind: captcha.kind, captchaResponse: "not-the-answer")
        }
        guard case .CaptchaRejected = rejected else {
            return XCTFail("expected CaptchaRejected, got \(String(describing: rejected))")
        }
        // A valid answer passes the lockout, but the password is still checked.
        let wrong = await authError {
            try await client.loginWithCaptcha(
                user: alice.email, password: "not-her-password", captchaKind: captcha.kind, captchaResponse: "captcha-ok")
        }
        guard case .InvalidCredentials = wrong else {
            return XCTFail("expected InvalidCredentials, got \(String(describing: wrong))")
        }
        let result = try await client.loginWithCaptcha(
            user: alice.email, password: alice.password, captchaKind: captcha.kind, captchaResponse: "captcha-ok")
        guard case .authenticated(let session) = result else { return XCTFail("expected a session") }
        let me = try await session.me()
        XCTAssertEqual(me.email, alice.email)
    }

    func testDisabledUser() async throws {
        let client = try client()
        let erin = Self.erin
        let disabled = await authError { try await client.login(user: erin.email, password: erin.password) }
        guard case .UserDisabled(let detail) = disabled else {
            return XCTFail("expected UserDisabled, got \(String(describing: disabled))")
        }
        XCTAssertFalse(detail.isEmpty)
        // A wrong password says nothing about the account.
        let wrong = await authError { try await client.login(user: erin.email, password: "not-her-password") }
        guard case .InvalidCredentials = wrong else { return XCTFail("\(String(describing: wrong))") }
    }

    func testPortalInMaintenanceAndWrongAddress() async throws {
        let client = try client()
        let alice = Self.alice
        try await emulator.portal(["tenantStatus": 4])
        let info = try await client.portalInfo()
        XCTAssertEqual(info.tenantStatus, .restoring)
        XCTAssertFalse(info.acceptsLogins)
        let unavailable = await authError { try await client.login(user: alice.email, password: alice.password) }
        guard case .PortalUnavailable = unavailable else {
            return XCTFail("expected PortalUnavailable, got \(String(describing: unavailable))")
        }

        try await emulator.portal(["tenantStatus": 0])
        try await emulator.request(
            "POST", "/emulator/faults", json: ["kind": "status", "status": 404, "path": "/api/2.0/authentication"])
        let wrongAddress = await authError { try await client.login(user: alice.email, password: alice.password) }
        guard case .WrongPortalAddress = wrongAddress else {
            return XCTFail("expected WrongPortalAddress, got \(String(describing: wrongAddress))")
        }
        _ = try await session(alice.email, alice.password)
    }

    // MARK: portal discovery

    func testPortalInfoOfTheFixture() async throws {
        let info = try await client().portalInfo()
        XCTAssertFalse(info.version.isEmpty)
        XCTAssertTrue(info.standalone)
        XCTAssertEqual(info.tenantStatus, .active)
        XCTAssertTrue(info.acceptsLogins)
        XCTAssertEqual(info.sso, SsoProvider(url: "\(emulator.baseURL)/sso/login", label: "Single Sign-on"))
        XCTAssertTrue(info.ldapEnabled)
        XCTAssertEqual(info.providers, [])
        XCTAssertEqual(info.passwordHash, PasswordHashParams(salt: Self.salt, iterations: 100_000, size: 256))
        XCTAssertEqual(info.captcha, Captcha(kind: .recaptcha, publicKey: "test-site-key"))

        // The portal changes at run time: no SSO any more.
        try await emulator.portal(["sso": ["enabled": false]])
        let after = try await client().portalInfo()
        XCTAssertNil(after.sso)
    }

    func testNotADocSpacePortal() async throws {
        let client = try client()
        for fault: [String: Any] in [
            ["kind": "html", "path": "/api/2.0/settings"],
            ["kind": "status", "status": 404, "path": "/api/2.0/settings"],
        ] {
            try await emulator.request("POST", "/emulator/faults", json: fault)
            let error = await authError { try await client.portalInfo() }
            guard case .NotADocSpacePortal = error else {
                return XCTFail("\(fault): expected NotADocSpacePortal, got \(String(describing: error))")
            }
        }
        // The faults were used up: the emulator is DocSpace again.
        let info = try await client.portalInfo()
        XCTAssertTrue(info.acceptsLogins)
    }

    // MARK: SSO

    func testSsoLoginAndSingleLogout() async throws {
        let client = try client()
        let landing = try await ssoLanding(client, Self.frank)
        XCTAssertEqual(client.ssoRedirect(address: landing), .token)
        // The identity provider's pages are not the portal's landing.
        XCTAssertEqual(client.ssoRedirect(address: "\(emulator.baseURL)/emulator/idp/sso"), .elsewhere)
        XCTAssertEqual(client.ssoRedirect(address: "https://idp.example.com/?token=abc"), .elsewhere)

        let session = try client.completeSso(address: landing)
        let isValid = try await session.isValid()
        XCTAssertTrue(isValid)
        let me = try await session.me()
        XCTAssertEqual(me.email, Self.frank)
        XCTAssertTrue(me.isSso)
        XCTAssertFalse(me.isLdap)

        // Single logout: the address to open in the web view, on the portal.
        let token = try session.token
        let logout = try await session.logout()
        let logoutURL = try XCTUnwrap(logout, "an SSO user with single logout gets its URL")
        XCTAssertTrue(logoutURL.hasPrefix("\(emulator.baseURL)/sso/slo?data="), logoutURL)
        let (status, location) = try await emulator.getOnce(logoutURL)
        XCTAssertEqual(status, 302)
        XCTAssertEqual(location, "\(emulator.baseURL)/login")
        let stillValid = try await Session.resume(portalUrl: emulator.baseURL, token: token, options: ClientOptions())
            .isValid()
        XCTAssertFalse(stillValid)
    }

    func testSsoErrorForADisabledUser() async throws {
        let client = try client()
        let landing = try await ssoLanding(client, Self.ivan)
        XCTAssertEqual(client.ssoRedirect(address: landing), .error)
        do {
            _ = try client.completeSso(address: landing)
            XCTFail("expected Sso")
        } catch AuthError.Sso(let detail, let reason, let messageKey) {
            XCTAssertEqual(reason, .userDisabled)
            XCTAssertEqual(messageKey, 16)
            XCTAssertFalse(detail.isEmpty)
        }
    }

    func testCompleteSsoElsewhereIsInvalidUrl() throws {
        let client = try client()
        XCTAssertThrowsError(try client.completeSso(address: "https://idp.example.com/?token=abc")) { error in
            guard case AuthError.InvalidUrl = error else { return XCTFail("expected InvalidUrl, got \(error)") }
        }
    }

    func testPasswordLogoutHasNoSingleLogoutUrl() async throws {
        let session = try await session(Self.alice.email, Self.alice.password)
        let url = try await session.logout()
        XCTAssertNil(url)
    }

    // MARK: phone activation

    func testPhoneActivation() async throws {
        let pending = try await pending(Self.heidi.email, Self.heidi.password)
        guard case .smsPhoneActivation = pending.challenge else {
            return XCTFail("expected smsPhoneActivation, got \(pending.challenge)")
        }
        let invalid = await authError { try await pending.setPhone(number: "no digits") }
        guard case .InvalidPhoneNumber = invalid else {
            return XCTFail("expected InvalidPhoneNumber, got \(String(describing: invalid))")
        }

        let challenge = try await pending.setPhone(number: "+1 (555) 000-1111")
        guard case .sms(let phoneNoise, _) = challenge else { return XCTFail("expected sms, got \(challenge)") }
        XCTAssertFalse(phoneNoise.contains("5550001111"), "the phone number is masked")
        guard case .sms = pending.challenge else { return XCTFail("the challenge is sms now") }
        let outbox = try await emulator.sms(phone: "+15550001111")
        XCTAssertEqual(outbox.count, 1, "setPhone sent one SMS")

        let session = try await pending.confirm(code: try XCTUnwrap(outbox.last?.code))
        let me = try await session.me()
        XCTAssertEqual(me.email, Self.heidi.email)
    }

    func testSetPhoneWithoutPhoneActivation() async throws {
        let pending = try await pending(Self.dave.email, Self.dave.password)
        let error = await authError { try await pending.setPhone(number: "+15550001111") }
        guard case .NotPhoneActivation = error else {
            return XCTFail("expected NotPhoneActivation, got \(String(describing: error))")
        }
        guard case .sms = pending.challenge else { return XCTFail("still the sms challenge") }
    }

    // MARK: active sessions

    func testActiveSessions() async throws {
        let alice = Self.alice
        let mine = try await session(alice.email, alice.password)
        let other = try await session(alice.email, alice.password)

        let listed = try await mine.sessions()
        XCTAssertEqual(listed.count, 2, "\(listed)")
        let current = try XCTUnwrap(listed.first { $0.current })
        let otherId = try XCTUnwrap(listed.first { !$0.current }).id
        let seenByOther = try await other.sessions()
        XCTAssertEqual(seenByOther.first { $0.current }?.id, otherId, "each session sees itself as current")

        let ended = await authError { try await mine.endSession(id: current.id) }
        guard case .CurrentSession = ended else { return XCTFail("expected CurrentSession, got \(String(describing: ended))") }
        let endedOther = try await mine.endSession(id: otherId)
        XCTAssertTrue(endedOther)
        let otherValid = try await other.isValid()
        XCTAssertFalse(otherValid, "the ended session's token no longer works")
        let again = try await mine.endSession(id: otherId)
        XCTAssertFalse(again, "no such active session any more")

        let third = try await session(alice.email, alice.password)
        let fourth = try await session(alice.email, alice.password)
        try await mine.endOtherSessions()
        let thirdValid = try await third.isValid()
        let fourthValid = try await fourth.isValid()
        let mineValid = try await mine.isValid()
        XCTAssertFalse(thirdValid)
        XCTAssertFalse(fourthValid)
        XCTAssertTrue(mineValid, "ending the others keeps this one")
        let left = try await mine.sessions()
        XCTAssertEqual(left.map(\.id), [current.id])
    }

    // MARK: backup codes

    func testBackupCodesRegenerated() async throws {
        let bob = Self.bob
        let session = try await pending(bob.email, bob.password).confirm(code: try totpNow(secret: bob.secret))
        let old = try await session.backupCodes().map { $0.code }
        let fresh = try await session.regenerateBackupCodes()
        XCTAssertFalse(fresh.isEmpty)
        XCTAssertTrue(fresh.allSatisfy { !$0.isUsed })
        let freshCodes = fresh.map { $0.code }
        XCTAssertTrue(freshCodes.allSatisfy { !old.contains($0) }, "new codes replace the old ones")
        let listed = try await session.backupCodes().map { $0.code }
        XCTAssertEqual(Set(listed), Set(freshCodes))

        // The old codes stop working; a new one works.
        let pending = try await pending(bob.email, bob.password)
        let rejected = await authError { try await pending.confirm(code: old[0]) }
        guard case .CodeRejected = rejected else { return XCTFail("expected CodeRejected, got \(String(describing: rejected))") }
        let me = try await pending.confirm(code: freshCodes[0]).me()
        XCTAssertEqual(me.email, bob.email)
    }

    // MARK: client-side password hash

    func testHashedPasswordLogin() async throws {
        let hashing = ClientOptions(hashPassword: true)
        let alice = Self.alice
        let grace = Self.grace
        let aliceMe = try await session(alice.email, alice.password, options: hashing).me()
        XCTAssertEqual(aliceMe.email, alice.email)
        let wrong = await authError { try await self.client(hashing).login(user: alice.email, password: "not-her-password") }
        guard case .InvalidCredentials = wrong else { return XCTFail("\(String(describing: wrong))") }

        // LDAP accounts need the plain password.
        let ldapHashed = await authError { try await self.client(hashing).login(user: grace.email, password: grace.password) }
        guard case .InvalidCredentials = ldapHashed else { return XCTFail("\(String(describing: ldapHashed))") }
        let graceMe = try await session(grace.email, grace.password).me()
        XCTAssertEqual(graceMe.email, grace.email)
        XCTAssertTrue(graceMe.isLdap)
    }
}
