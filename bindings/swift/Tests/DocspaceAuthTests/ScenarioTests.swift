import DocspaceAuth
import Foundation
import XCTest

/// The login scenarios shared by every language's suite (issue 5), against a real emulator process
/// on 127.0.0.1, through the generated Swift bindings and the Rust library.
final class ScenarioTests: EmulatorTestCase {
    // From tests/fixtures/users.json.
    static let alice = (email: "alice@example.com", password: "alice-pass")  // no 2FA
    static let bob = (email: "bob@example.com", password: "bob-pass", secret: "IFREGZCFMYWV6MJS")  // app, enrolled
    static let carol = (email: "carol@example.com", password: "carol-pass")  // app, not enrolled
    static let dave = (email: "dave@example.com", password: "dave-pass", phone: "+15551234567")  // SMS

    // MARK: helpers

    func client(_ options: ClientOptions = ClientOptions()) throws -> DocspaceClient {
        try DocspaceClient(portalUrl: emulator.baseURL, options: options)
    }

    /// Logs in, expecting a session right away.
    func session(_ user: String, _ password: String, client: DocspaceClient? = nil) async throws -> Session {
        let result = try await (client ?? self.client()).login(user: user, password: password)
        guard case .authenticated(let session) = result else {
            throw Emulator.Failure(description: "\(user): expected a session, got a 2FA challenge")
        }
        return session
    }

    /// Logs in, expecting a second factor.
    func pending(_ user: String, _ password: String) async throws -> PendingLogin {
        let result = try await client().login(user: user, password: password)
        guard case .tfaRequired(let pending) = result else {
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

    func wrongCode(secret: String) throws -> String { try rejectedCode(secret: secret) }

    /// Holds the next request to a path starting with `path` for `ms` milliseconds, and resets the
    /// request counters.
    func delayNextRequest(path: String, ms: Int) async throws {
        try await emulator.request(
            "POST", "/emulator/faults", json: ["kind": "delay", "delayMs": ms, "path": path])
        try await emulator.resetCounters()
    }

    /// Polls `condition` every 20 ms until it holds (fails after `timeout` seconds).
    func waitUntil(
        _ what: String, timeout: TimeInterval = 5, _ condition: () async throws -> Bool
    ) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try await !condition() {
            guard Date() < deadline else { throw Emulator.Failure(description: "timed out: \(what)") }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// Cancels `task`, checks that it ended with `CancellationError` and returns how many seconds
    /// that took.
    func cancelAndWait<T>(
        _ task: Task<T, Error>, file: StaticString = #filePath, line: UInt = #line
    ) async throws -> TimeInterval {
        let started = Date()
        task.cancel()
        let outcome = await task.result
        let elapsed = Date().timeIntervalSince(started)
        guard case .failure(let error) = outcome, error is CancellationError else {
            XCTFail("expected CancellationError, got \(outcome)", file: file, line: line)
            return elapsed
        }
        return elapsed
    }

    // MARK: scenarios

    func testPlainLogin() async throws {
        let session = try await session(Self.alice.email, Self.alice.password)
        XCTAssertFalse(try session.token.isEmpty)
        if let expires = session.expires {
            XCTAssertGreaterThan(expires, Date())
        }
        let isValid = try await session.isValid()
        XCTAssertTrue(isValid)
    }

    func testApp2faEnrolled() async throws {
        let pending = try await pending(Self.bob.email, Self.bob.password)
        guard case .app = pending.challenge else {
            return XCTFail("expected the app challenge, got \(pending.challenge)")
        }
        XCTAssertEqual(pending.user, Self.bob.email)
        let session = try await pending.confirm(code: try totpNow(secret: Self.bob.secret))
        let me = try await session.me()
        XCTAssertEqual(me.email, Self.bob.email)
    }

    func testEnrolment() async throws {
        let pending = try await pending(Self.carol.email, Self.carol.password)
        guard case .appEnrollment(let enrollment) = pending.challenge else {
            return XCTFail("expected the enrolment challenge, got \(pending.challenge)")
        }
        let secret = enrollment.secret
        XCTAssertFalse(secret.isEmpty)
        XCTAssertTrue(enrollment.provisioningUri.hasPrefix("otpauth://totp/"))
        XCTAssertTrue(enrollment.provisioningUri.contains("secret=\(secret)"))

        let session = try await pending.confirm(code: try totpNow(secret: secret))
        let codes = try await session.backupCodes()
        XCTAssertFalse(codes.isEmpty)
        for code in codes {
            XCTAssertEqual(code.code.count, 6)
            XCTAssertFalse(code.isUsed)
        }
        let me = try await session.me()
        XCTAssertEqual(me.email, Self.carol.email)
    }

    func testWrongCodeThenRightCode() async throws {
        let pending = try await pending(Self.bob.email, Self.bob.password)
        let error = await authError { try await pending.confirm(code: try self.wrongCode(secret: Self.bob.secret)) }
        guard case .CodeRejected = error else { return XCTFail("expected CodeRejected, got \(String(describing: error))") }

        // The same pending login, still usable.
        let session = try await pending.confirm(code: try totpNow(secret: Self.bob.secret))
        let me = try await session.me()
        XCTAssertEqual(me.email, Self.bob.email)
    }

    func testReusingUsedPendingLogin() async throws {
        let pending = try await pending(Self.bob.email, Self.bob.password)
        let code = try totpNow(secret: Self.bob.secret)
        _ = try await pending.confirm(code: code)

        let again = await authError { try await pending.confirm(code: code) }
        guard case .AlreadyUsed = again else { return XCTFail("expected AlreadyUsed, got \(String(describing: again))") }
        let resend = await authError { try await pending.resendSms() }
        guard case .AlreadyUsed = resend else { return XCTFail("expected AlreadyUsed, got \(String(describing: resend))") }
    }

    func testConcurrentConfirmsSendOneRequest() async throws {
        let pending = try await pending(Self.bob.email, Self.bob.password)
        let code = try totpNow(secret: Self.bob.secret)
        try await emulator.resetCounters()

        async let first = Result<Session, Error>(asyncCatching: { try await pending.confirm(code: code) })
        async let second = Result<Session, Error>(asyncCatching: { try await pending.confirm(code: code) })
        let results = await [first, second]

        let sessions = results.compactMap { try? $0.get() }
        XCTAssertEqual(sessions.count, 1, "exactly one confirm wins")
        let errors = results.compactMap { result -> AuthError? in
            if case .failure(let error) = result { return error as? AuthError }
            return nil
        }
        XCTAssertEqual(errors.count, 1)
        guard case .AlreadyUsed = errors.first else { return XCTFail("expected AlreadyUsed, got \(errors)") }
        let counters = try await emulator.counters()
        XCTAssertEqual(counters.requests, 1, "only one confirm went out")
    }

    /// Cancelling the Task of a `confirm` whose request the server holds for 3 s ends it at once with
    /// `CancellationError` (the Rust future is cancelled, see scripts/patch-cancellation.pl); the
    /// request completes in the library, the server accepts the code, and the next `confirm` returns
    /// that session (sending nothing).
    func testCancellationMidConfirm() async throws {
        let pending = try await pending(Self.bob.email, Self.bob.password)
        let code = try totpNow(secret: Self.bob.secret)
        try await delayNextRequest(path: "/api/2.0/authentication/", ms: 3000)

        let task = Task { try await pending.confirm(code: code) }
        try await waitUntil("the confirm request reached the emulator") { try await self.emulator.counters().requests >= 1 }
        let elapsed = try await cancelAndWait(task)
        XCTAssertLessThan(elapsed, 1.5, "cancelling returns at once, not after the delayed response")

        let session = try await pending.confirm(code: code)
        let me = try await session.me()
        XCTAssertEqual(me.email, Self.bob.email)
        let counters = try await emulator.counters()
        XCTAssertEqual(counters.requests, 2, "the cancelled confirm's request and me(); the second confirm sent nothing")
    }

    /// A cancelled `confirm` with a wrong code: the code is rejected after the caller left, the pending
    /// login is put back, and a `confirm` with the right code succeeds.
    func testCancellationMidConfirmWithWrongCode() async throws {
        let pending = try await pending(Self.bob.email, Self.bob.password)
        try await delayNextRequest(path: "/api/2.0/authentication/", ms: 3000)

        let wrong = try wrongCode(secret: Self.bob.secret)
        let task = Task { try await pending.confirm(code: wrong) }
        try await waitUntil("the confirm request reached the emulator") { try await self.emulator.counters().requests >= 1 }
        let elapsed = try await cancelAndWait(task)
        XCTAssertLessThan(elapsed, 1.5, "cancelling returns at once, not after the delayed response")

        let session = try await pending.confirm(code: try totpNow(secret: Self.bob.secret))
        let me = try await session.me()
        XCTAssertEqual(me.email, Self.bob.email)
    }

    /// A cancelled `login` ends at once with `CancellationError`; the session the server issues after
    /// the caller left is logged out by the library (nobody can claim it), and the client can log in
    /// again.
    func testCancellationMidLogin() async throws {
        let client = try client()
        try await delayNextRequest(path: "/api/2.0/authentication", ms: 3000)

        let task = Task { try await client.login(user: Self.alice.email, password: Self.alice.password) }
        try await waitUntil("the login request reached the emulator") { try await self.emulator.counters().requests >= 1 }
        let elapsed = try await cancelAndWait(task)
        XCTAssertLessThan(elapsed, 1.5, "cancelling returns at once, not after the delayed response")

        try await waitUntil("the unclaimed session was logged out", timeout: 10) {
            try await self.emulator.counters().requests >= 2
        }
        let session = try await session(Self.alice.email, Self.alice.password, client: client)
        let valid = try await session.isValid()
        XCTAssertTrue(valid)
    }

    func testSmsWithResend() async throws {
        let pending = try await pending(Self.dave.email, Self.dave.password)
        guard case .sms(let phoneNoise, _) = pending.challenge else {
            return XCTFail("expected the SMS challenge, got \(pending.challenge)")
        }
        XCTAssertFalse(phoneNoise.isEmpty)
        XCTAssertNotEqual(phoneNoise, Self.dave.phone, "the phone number is masked")
        let sent = try await emulator.sms(phone: Self.dave.phone)
        XCTAssertEqual(sent.count, 1)

        let resent = try await pending.resendSms()
        XCTAssertFalse(resent.phoneNoise.isEmpty)
        let outbox = try await emulator.sms(phone: Self.dave.phone)
        XCTAssertEqual(outbox.count, 2)
        let code = try XCTUnwrap(outbox.last?.code)

        let session = try await pending.confirm(code: code)
        let me = try await session.me()
        XCTAssertEqual(me.email, Self.dave.email)
    }

    func testLockout() async throws {
        let client = try client()
        // The emulator's defaults: 5 failures within 60 s lock (login, IP) out for 60 s.
        for attempt in 1...5 {
            let error = await authError { try await client.login(user: Self.alice.email, password: "wrong-\(attempt)") }
            guard case .InvalidCredentials = error else {
                return XCTFail("attempt \(attempt): expected InvalidCredentials, got \(String(describing: error))")
            }
        }
        // Locked: even the right password is refused now.
        let locked = await authError { try await client.login(user: Self.alice.email, password: Self.alice.password) }
        guard case .LockedOut = locked else { return XCTFail("expected LockedOut, got \(String(describing: locked))") }
        XCTAssertFalse(locked?.localizedDescription.isEmpty ?? true)
    }

    func testMalformedCode() async throws {
        let pending = try await pending(Self.bob.email, Self.bob.password)
        try await emulator.resetCounters()
        for malformed in ["12345", "1234567", "12#456", "", "ab.cde"] {
            let error = await authError { try await pending.confirm(code: malformed) }
            guard case .InvalidCodeFormat = error else {
                return XCTFail("\(malformed.debugDescription): expected InvalidCodeFormat, got \(String(describing: error))")
            }
        }
        let counters = try await emulator.counters()
        XCTAssertEqual(counters, Emulator.Counters(connections: 0, requests: 0), "no request reached the emulator")

        // Still usable afterwards (spaces are fine).
        let code = try totpNow(secret: Self.bob.secret)
        _ = try await pending.confirm(code: String(code.prefix(3)) + " " + String(code.dropFirst(3)))
    }

    func testPlainHttpNonLoopback() async throws {
        do {
            _ = try DocspaceClient(portalUrl: "http://portal.example.com", options: ClientOptions())
            XCTFail("a plain http:// portal that is not loopback must be refused")
        } catch AuthError.InsecureUrl(let detail) {
            XCTAssertFalse(detail.isEmpty)
        }
        do {
            _ = try Session.resume(portalUrl: "http://portal.example.com", token: "stored-token", options: ClientOptions())
            XCTFail("resuming on a plain http:// portal that is not loopback must be refused")
        } catch AuthError.InsecureUrl {
        }
    }

    func testMe() async throws {
        let session = try await session(Self.alice.email, Self.alice.password)
        let me = try await session.me()
        XCTAssertEqual(me.email, Self.alice.email)
        XCTAssertNotNil(UUID(uuidString: me.id), "id is a GUID: \(me.id)")
        XCTAssertFalse(me.displayName.isEmpty)
    }

    func testLogoutRevokes() async throws {
        let session = try await session(Self.alice.email, Self.alice.password)
        let token = try session.token
        _ = try await session.logout()

        // The server no longer accepts the token...
        let resumed = try Session.resume(portalUrl: emulator.baseURL, token: token, options: ClientOptions())
        let isValid = try await resumed.isValid()
        XCTAssertFalse(isValid)
        let me = await authError { try await resumed.me() }
        guard case .Unauthorized = me else { return XCTFail("expected Unauthorized, got \(String(describing: me))") }
        // ...and the logged-out session object is used up.
        let again = await authError { try await session.me() }
        guard case .AlreadyUsed = again else { return XCTFail("expected AlreadyUsed, got \(String(describing: again))") }
    }

    func testResumeFromStoredToken() async throws {
        let stored = try await session(Self.alice.email, Self.alice.password).token

        let resumed = try Session.resume(portalUrl: emulator.baseURL, token: stored, options: ClientOptions())
        XCTAssertNil(resumed.expires)
        XCTAssertEqual(try resumed.token, stored)
        let isValid = try await resumed.isValid()
        XCTAssertTrue(isValid)
        let me = try await resumed.me()
        XCTAssertEqual(me.email, Self.alice.email)

        let bogus = try Session.resume(portalUrl: emulator.baseURL, token: "not-a-token", options: ClientOptions())
        let bogusIsValid = try await bogus.isValid()
        XCTAssertFalse(bogusIsValid)
    }

    func testTlsWithEmulatorCa() async throws {
        let tls = try Emulator(tls: true)
        defer { tls.stop() }
        XCTAssertTrue(tls.baseURL.hasPrefix("https://"))
        let ca = try XCTUnwrap(tls.caPEM)

        let trusting = try DocspaceClient(portalUrl: tls.baseURL, options: ClientOptions(extraRootCertificatePem: ca))
        let session = try await session(Self.alice.email, Self.alice.password, client: trusting)
        let me = try await session.me()
        XCTAssertEqual(me.email, Self.alice.email)

        // Without the emulator's CA the certificate is not trusted.
        let plain = try DocspaceClient(portalUrl: tls.baseURL, options: ClientOptions())
        let error = await authError { try await plain.login(user: Self.alice.email, password: Self.alice.password) }
        guard case .Transport(_, kind: .tls) = error else {
            return XCTFail("expected Transport(kind: .tls), got \(String(describing: error))")
        }
    }

    func testErrorMessagesReadableAndFreeOfSecrets() async throws {
        let password = "Sup3r-Secret-Passw0rd"
        let wrongCode = try wrongCode(secret: Self.bob.secret)
        let badSecret = "NOT*BASE32*SECRET"
        var errors: [AuthError] = []

        if let e = await authError({ try await self.client().login(user: Self.alice.email, password: password) }) {
            errors.append(e)
        }
        let pending = try await pending(Self.bob.email, Self.bob.password)
        if let e = await authError({ try await pending.confirm(code: wrongCode) }) { errors.append(e) }
        if let e = await authError({ try await pending.confirm(code: "98#65x") }) { errors.append(e) }
        if let e = await authError({ try totpNow(secret: badSecret) }) { errors.append(e) }
        let session = try await session(Self.alice.email, Self.alice.password)
        let token = try session.token
        _ = try await session.logout()
        let revoked = try Session.resume(portalUrl: emulator.baseURL, token: token, options: ClientOptions())
        if let e = await authError({ try await revoked.me() }) { errors.append(e) }
        if let e = await authError({ try DocspaceClient(portalUrl: "http://portal.example.com", options: ClientOptions()) }) {
            errors.append(e)
        }
        XCTAssertEqual(errors.count, 6)

        let secrets = [password, wrongCode, "98#65x", badSecret, token, Self.bob.secret]
        for error in errors {
            let text = error.localizedDescription
            XCTAssertFalse(text.isEmpty)
            XCTAssertEqual(text, error.message)
            XCTAssertFalse(text.contains("AuthError"), "readable, not a type dump: \(text)")
            XCTAssertFalse(text.contains("operation could"), "not Foundation's generic text: \(text)")
            for shown in [text, "\(error)", String(reflecting: error)] {
                for secret in secrets {
                    XCTAssertFalse(shown.contains(secret), "a secret leaked into an error message of \(error.kindName)")
                }
            }
        }
    }
}

extension AuthError {
    /// The case name only (never the message), for assertion messages.
    var kindName: String { String(String(reflecting: self).split(separator: "(").first ?? "") }
}

extension Result where Failure == Error {
    init(asyncCatching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
