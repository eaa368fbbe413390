import DocspaceAuth
import XCTest

/// `options` can be left out: `DocspaceClient(portalUrl:)`, `Session.resume(portalUrl:token:)`.
final class DefaultOptionsTests: XCTestCase {
    func testOptionsCanBeLeftOut() async throws {
        let emulator = try Emulator()
        defer { emulator.stop() }

        let result = try await DocspaceClient(portalUrl: emulator.baseURL)
            .login(user: "alice@example.com", password: "alice-pass")
        guard case .authenticated(let session) = result else { return XCTFail("expected a session") }
        let resumed = try Session.resume(portalUrl: emulator.baseURL, token: try session.token)
        let me = try await resumed.me()
        XCTAssertEqual(me.email, "alice@example.com")

        // Same checks as with explicit options: plain http to a host that is not loopback is refused.
        XCTAssertThrowsError(try DocspaceClient(portalUrl: "http://portal.example.com")) { error in
            guard case AuthError.InsecureUrl = error else { return XCTFail("expected InsecureUrl, got \(error)") }
        }
    }
}
