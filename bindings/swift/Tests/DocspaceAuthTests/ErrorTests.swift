import DocspaceAuth
import Foundation
import XCTest

/// `AuthError`'s shape: every case is described by its `detail` (the hand-written extension names no
/// case), and the cases a caller acts on carry their data.
final class ErrorTests: EmulatorTestCase {
    /// The `detail` of any case. Exhaustive without `default`: a case added to the Rust `AuthError`
    /// does not compile here until it is handled (and given a sample below).
    static func detail(of error: AuthError) -> String {
        switch error {
        case .InvalidCredentials(let detail), .CodeRejected(let detail), .Forbidden(let detail),
            .NotFound(let detail), .Unauthorized(let detail), .UnexpectedResponse(let detail),
            .InsecureUrl(let detail), .InvalidUrl(let detail), .InvalidCodeFormat(let detail),
            .InvalidSecret(let detail), .InvalidCertificate(let detail), .InvalidConfiguration(let detail),
            .AlreadyUsed(let detail), .Other(let detail), .LockedOut(let detail), .UserDisabled(let detail),
            .CaptchaRejected(let detail), .PortalUnavailable(let detail), .WrongPortalAddress(let detail),
            .NotADocSpacePortal(let detail), .NotPhoneActivation(let detail), .InvalidPhoneNumber(let detail),
            .PhoneActivationExpired(let detail), .CurrentSession(let detail):
            return detail
        case .RateLimited(let detail, _), .Server(let detail, _), .Transport(let detail, _):
            return detail
        case .Sso(let detail, _, _):
            return detail
        }
    }

    func testEveryCaseIsDescribedByItsDetail() {
        let samples: [AuthError] = [
            .InvalidCredentials(detail: "invalid user name or password"),
            .CodeRejected(detail: "the code was rejected"),
            .Forbidden(detail: "forbidden: locked out"),
            .NotFound(detail: "not found"),
            .RateLimited(detail: "rate limited; retry after 7 s", retryAfterSecs: 7),
            .Server(detail: "server error (HTTP 503)", status: 503),
            .Unauthorized(detail: "the token is not valid"),
            .UnexpectedResponse(detail: "unexpected response: not JSON"),
            .Transport(detail: "transport error (tls): untrusted", kind: .tls),
            .InsecureUrl(detail: "plain http:// is only allowed for loopback hosts"),
            .InvalidUrl(detail: "invalid portal URL"),
            .InvalidCodeFormat(detail: "the code must be 6 digits"),
            .InvalidSecret(detail: "the TOTP secret is not valid base32"),
            .InvalidCertificate(detail: "invalid root certificate: empty"),
            .InvalidConfiguration(detail: "invalid client configuration: user agent"),
            .AlreadyUsed(detail: "this session was logged out; log in again"),
            .Other(detail: "something new"),
            .LockedOut(detail: "too many failed logins"),
            .UserDisabled(detail: "the user is disabled"),
            .CaptchaRejected(detail: "the captcha was rejected"),
            .PortalUnavailable(detail: "the portal is unavailable"),
            .WrongPortalAddress(detail: "wrong portal address"),
            .NotADocSpacePortal(detail: "not a DocSpace portal: HTML page"),
            .Sso(detail: "single sign-on failed: user disabled", reason: .userDisabled, messageKey: 16),
            .NotPhoneActivation(detail: "no phone activation is pending"),
            .InvalidPhoneNumber(detail: "invalid phone number"),
            .PhoneActivationExpired(detail: "the phone activation expired"),
            .CurrentSession(detail: "this is the current session"),
        ]
        for error in samples {
            let detail = Self.detail(of: error)
            XCTAssertEqual(error.description, detail)
            XCTAssertEqual(error.message, detail)
            XCTAssertEqual(error.localizedDescription, detail)
            XCTAssertEqual("\(error)", detail)
        }
    }

    func testStructuredErrorsCarryTheirData() async throws {
        let client = try DocspaceClient(portalUrl: emulator.baseURL, options: ClientOptions())
        let login = { try await client.login(user: "alice@example.com", password: "alice-pass") }
        let path = "/api/2.0/authentication"

        try await emulator.request(
            "POST", "/emulator/faults",
            json: ["kind": "status", "status": 429, "headers": ["Retry-After": "7"], "path": path])
        do {
            _ = try await login()
            XCTFail("expected RateLimited")
        } catch AuthError.RateLimited(let detail, let retryAfterSecs) {
            XCTAssertEqual(retryAfterSecs, 7)
            XCTAssertEqual(detail, "rate limited; retry after 7 s")
        }
        try await emulator.request("POST", "/emulator/faults", json: ["kind": "status", "status": 429, "path": path])
        do {
            _ = try await login()
            XCTFail("expected RateLimited")
        } catch AuthError.RateLimited(_, let retryAfterSecs) {
            XCTAssertNil(retryAfterSecs)
        }

        try await emulator.request("POST", "/emulator/faults", json: ["kind": "status", "status": 503, "path": path])
        do {
            _ = try await login()
            XCTFail("expected Server")
        } catch AuthError.Server(let detail, let status) {
            XCTAssertEqual(status, 503)
            XCTAssertTrue(detail.contains("503"), detail)
        }

        // The port of an emulator that has stopped: nothing listens there any more.
        let stopped = try Emulator()
        stopped.stop()
        let gone = try DocspaceClient(portalUrl: stopped.baseURL, options: ClientOptions())
        do {
            _ = try await gone.login(user: "alice@example.com", password: "alice-pass")
            XCTFail("expected Transport")
        } catch AuthError.Transport(_, let kind) {
            XCTAssertEqual(kind, .connect)
        }
    }

    /// Timeouts are `TimeInterval`s (uniffi's mapping of a Rust `Duration`).
    func testATimeoutIsATimeInterval() async throws {
        let options = ClientOptions(timeout: 0.3, connectTimeout: 5)
        let client = try DocspaceClient(portalUrl: emulator.baseURL, options: options)
        try await emulator.request(
            "POST", "/emulator/faults",
            json: ["kind": "delay", "delayMs": 2000, "path": "/api/2.0/authentication"])
        let started = Date()
        do {
            _ = try await client.login(user: "alice@example.com", password: "alice-pass")
            XCTFail("expected a timeout")
        } catch AuthError.Transport(_, let kind) {
            XCTAssertEqual(kind, .timeout)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.5)
    }
}
