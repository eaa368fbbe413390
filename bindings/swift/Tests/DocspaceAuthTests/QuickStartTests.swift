import Foundation
import XCTest

// The code between the two markers is the README's quick start, verbatim
// (testReadmeShowsTheQuickStart checks it); the tests below run it against the emulator.
// README quick start: begin
import DocspaceAuth

/// Logs in to `portal`. `askCode` is shown the second-factor challenge and returns the code the
/// user typed: for `.app` the authenticator's code; for `.appEnrollment(let enrollment)` show
/// `enrollment.provisioningUri` as a QR code first; for `.sms` the code sent by SMS.
func signIn(
    portal: String, email: String, password: String,
    askCode: (Challenge) async throws -> String
) async throws -> Session {
    let client = try DocspaceClient(portalUrl: portal, options: ClientOptions())
    switch try await client.login(user: email, password: password) {
    case .authenticated(let session):
        return session
    case .tfaRequired(let pending):
        while true {
            do {
                return try await pending.confirm(code: try await askCode(pending.challenge))
            } catch AuthError.CodeRejected {
                continue  // a wrong code leaves the pending login usable: ask again
            }
        }
    }
}

/// Profile, token storage, resume, logout.
func useSession(_ session: Session, portal: String) async throws -> User {
    let me = try await session.me()
    let token = try session.token  // keep it in the Keychain
    // Later (say, after a restart), without logging in again:
    let resumed = try Session.resume(portalUrl: portal, token: token, options: ClientOptions())
    guard try await resumed.isValid() else { throw AuthError.Unauthorized(detail: "expired") }
    _ = try await resumed.logout()  // revokes the token on the server (nil: no SSO single logout)
    return me
}
// README quick start: end

final class QuickStartTests: EmulatorTestCase {
    func testQuickStartPlainLogin() async throws {
        let session = try await signIn(portal: emulator.baseURL, email: "alice@example.com", password: "alice-pass") {
            _ in
            XCTFail("alice has no second factor")
            return ""
        }
        let token = try session.token
        let me = try await useSession(session, portal: emulator.baseURL)
        XCTAssertEqual(me.email, "alice@example.com")
        // useSession logged out: the token is revoked.
        let stale = try Session.resume(portalUrl: emulator.baseURL, token: token, options: ClientOptions())
        let isValid = try await stale.isValid()
        XCTAssertFalse(isValid)
    }

    func testQuickStartWrongCodeThenRightCode() async throws {
        var asked = 0
        let session = try await signIn(portal: emulator.baseURL, email: "bob@example.com", password: "bob-pass") {
            challenge in
            guard case .app = challenge else { throw Emulator.Failure(description: "expected .app") }
            asked += 1
            switch asked {
            case 1: return try rejectedCode(secret: "IFREGZCFMYWV6MJS")
            case 2: return try totpNow(secret: "IFREGZCFMYWV6MJS")
            default: throw Emulator.Failure(description: "the right code was rejected")
            }
        }
        XCTAssertEqual(asked, 2)
        let me = try await useSession(session, portal: emulator.baseURL)
        XCTAssertEqual(me.email, "bob@example.com")
    }

    func testQuickStartEnrolmentAndSms() async throws {
        let carol = try await signIn(portal: emulator.baseURL, email: "carol@example.com", password: "carol-pass") {
            challenge in
            guard case .appEnrollment(let enrollment) = challenge else {
                throw Emulator.Failure(description: "expected .appEnrollment")
            }
            XCTAssertTrue(enrollment.provisioningUri.hasPrefix("otpauth://"))
            return try totpNow(secret: enrollment.secret)
        }
        let carolMe = try await useSession(carol, portal: emulator.baseURL)
        XCTAssertEqual(carolMe.email, "carol@example.com")

        let emulator = self.emulator!
        let dave = try await signIn(portal: emulator.baseURL, email: "dave@example.com", password: "dave-pass") {
            challenge in
            guard case .sms = challenge else { throw Emulator.Failure(description: "expected .sms") }
            let outbox = try await emulator.sms(phone: "+15551234567")
            return try XCTUnwrap(outbox.last?.code)
        }
        let daveMe = try await useSession(dave, portal: emulator.baseURL)
        XCTAssertEqual(daveMe.email, "dave@example.com")
    }

    func testReadmeShowsTheQuickStart() throws {
        let here = URL(fileURLWithPath: #filePath)
        let source = try String(contentsOf: here, encoding: .utf8)
        let begin = try XCTUnwrap(source.range(of: "// README quick start: begin\n"))
        let end = try XCTUnwrap(source.range(of: "// README quick start: end"))
        let quickStart = String(source[begin.upperBound..<end.lowerBound])
        XCTAssertGreaterThan(quickStart.count, 500)

        let readme = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        XCTAssertTrue(
            text.contains("```swift\n" + quickStart + "```"),
            "bindings/swift/README.md must show the quick start of QuickStartTests.swift verbatim")
        let rootReadme = readme.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        XCTAssertTrue(
            try String(contentsOf: rootReadme, encoding: .utf8).contains("```swift\n" + quickStart + "```"),
            "README.md must show the quick start of QuickStartTests.swift verbatim")
    }
}
