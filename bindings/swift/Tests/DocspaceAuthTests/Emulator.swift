import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import DocspaceAuth

/// A running `docspace-emulator` process (the binary from `DOCSPACE_EMULATOR_BIN`, users from
/// `DOCSPACE_USERS_FILE`; both default to the workspace's `target/debug` and fixture).
final class Emulator {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct SmsMessage: Decodable {
        let phone: String
        let code: String
    }

    struct Counters: Decodable, Equatable {
        let connections: Int
        let requests: Int
    }

    /// e.g. `http://127.0.0.1:41234`
    let baseURL: String
    /// PEM of the CA that signed the emulator's certificate (with `tls: true`).
    let caPEM: String?
    private let process: Process
    private let stdout: Pipe

    static var repoRoot: URL {
        // Tests/DocspaceAuthTests/Emulator.swift -> repository root
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static var binary: String {
        ProcessInfo.processInfo.environment["DOCSPACE_EMULATOR_BIN"]
            ?? repoRoot.appendingPathComponent("target/debug/docspace-emulator").path
    }

    static var usersFile: String {
        ProcessInfo.processInfo.environment["DOCSPACE_USERS_FILE"]
            ?? repoRoot.appendingPathComponent("tests/fixtures/users.json").path
    }

    /// Starts the emulator on a free loopback port and waits for its `listening on` line.
    init(tls: Bool = false, arguments: [String] = []) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Emulator.binary)
        var args = ["--listen", "127.0.0.1:0", "--users", Emulator.usersFile]
        if tls { args.append("--tls") }
        process.arguments = args + arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        try Emulator.withSignalsUnblocked { try process.run() }
        self.process = process
        self.stdout = stdout

        var reader = LineReader(handle: stdout.fileHandleForReading)
        do {
            let first = try reader.line()
            let prefix = "listening on "
            guard first.hasPrefix(prefix) else {
                throw Failure(description: "unexpected first emulator line: \(first)")
            }
            baseURL = String(first.dropFirst(prefix.count))
            if tls {
                var path: String?
                while path == nil {
                    let line = try reader.line()
                    if line.hasPrefix("ca certificate: ") {
                        path = String(line.dropFirst("ca certificate: ".count))
                    }
                }
                caPEM = try String(contentsOfFile: path!, encoding: .utf8)
            } else {
                caPEM = nil
            }
            // Keep draining stdout so that later output can never block the emulator.
            stdout.fileHandleForReading.readabilityHandler = { handle in _ = handle.availableData }
        } catch {
            process.terminate()
            process.waitUntilExit()
            throw error
        }
    }

    deinit { stop() }

    /// Runs `body` with no signal blocked on this thread. A child process inherits the spawning
    /// thread's signal mask, and the threads Swift concurrency runs tests on block SIGTERM: an
    /// emulator spawned from one of them would never see the SIGTERM that `stop()` sends.
    private static func withSignalsUnblocked<T>(_ body: () throws -> T) rethrows -> T {
        #if canImport(Glibc)
        var none = sigset_t()
        var saved = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        #endif
        return try body()
    }

    func stop() {
        stdout.fileHandleForReading.readabilityHandler = nil
        guard process.isRunning else { return }
        process.terminate()
        // Never hang a test run on an emulator that does not stop.
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline {
            usleep(10_000)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    // MARK: emulator-only endpoints

    func sms(phone: String) async throws -> [SmsMessage] {
        struct Outbox: Decodable { let messages: [SmsMessage] }
        let encoded = phone.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? phone
        let data = try await request("GET", "/emulator/sms?phone=\(encoded)")
        return try JSONDecoder().decode(Outbox.self, from: data).messages
    }

    func counters() async throws -> Counters {
        try JSONDecoder().decode(Counters.self, from: try await request("GET", "/emulator/counters"))
    }

    func resetCounters() async throws {
        _ = try await request("POST", "/emulator/counters/reset")
    }

    func advanceClock(seconds: Int) async throws {
        _ = try await request("POST", "/emulator/clock", json: ["advanceSecs": seconds])
    }

    /// Changes the portal's settings at run time (`POST /emulator/portal`) with a partial `portal`
    /// object of the users file, e.g. `["tenantStatus": 4]`; `POST /emulator/reset` restores them.
    func portal(_ patch: [String: Any]) async throws {
        _ = try await request("POST", "/emulator/portal", json: patch)
    }

    /// `GET address` without following redirects (one step of a web view): status and `Location`.
    func getOnce(_ address: String) async throws -> (status: Int, location: String?) {
        guard let url = URL(string: address) else { throw Failure(description: "bad URL \(address)") }
        let delegate = NoRedirects()
        let session = URLSession(configuration: .ephemeral, delegate: delegate, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let response: HTTPURLResponse = try await withCheckedThrowingContinuation { cont in
            delegate.done = { cont.resume(with: $0) }
            session.dataTask(with: URLRequest(url: url)).resume()
        }
        return (response.statusCode, response.value(forHTTPHeaderField: "Location"))
    }

    /// Plays the SSO web view for `email`: opens the portal's `/sso/login` (the emulator's IdP signs
    /// in whoever `email` names) and follows each `Location` by hand, asking `isPortalLanding` about
    /// every address it is about to load (as `webView(_:decidePolicyFor:decisionHandler:)` would),
    /// until that says to stop. Returns that address (absolute).
    func ssoWebView(email: String, isPortalLanding: (String) -> Bool) async throws -> String {
        let encoded = email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? email
        var address = "\(baseURL)/sso/login?email=\(encoded)"
        for _ in 0..<10 {
            let (status, location) = try await getOnce(address)
            guard (300..<400).contains(status), let location,
                let next = URL(string: location, relativeTo: URL(string: address))
            else {
                throw Failure(description: "GET \(address): HTTP \(status) without a redirect")
            }
            address = next.absoluteString
            if isPortalLanding(address) { return address }
        }
        throw Failure(description: "the SSO redirects did not reach the portal within 10 steps (at \(address))")
    }

    @discardableResult
    func request(_ method: String, _ path: String, json: [String: Any]? = nil) async throws -> Data {
        guard let url = URL(string: baseURL + path) else {
            throw Failure(description: "bad URL \(baseURL + path)")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response): (Data, URLResponse) = try await withCheckedThrowingContinuation { cont in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    cont.resume(throwing: error)
                } else if let data, let response {
                    cont.resume(returning: (data, response))
                } else {
                    cont.resume(throwing: Failure(description: "no response to \(method) \(path)"))
                }
            }.resume()
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw Failure(description: "\(method) \(path) -> HTTP \(status)")
        }
        return data
    }
}

/// A session delegate that refuses every redirect: the task completes with the 3xx itself.
private final class NoRedirects: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    var done: ((Result<HTTPURLResponse, Error>) -> Void)?

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        let finish = done
        done = nil
        if let error {
            finish?(.failure(error))
        } else if let response = task.response as? HTTPURLResponse {
            finish?(.success(response))
        } else {
            finish?(.failure(Emulator.Failure(description: "no HTTP response")))
        }
    }
}

/// A 6-digit code the emulator rejects for `secret`: none of the codes of the ±10 time steps it
/// accepts around now.
func rejectedCode(secret: String) throws -> String {
    let now = UInt64(Date().timeIntervalSince1970)
    let valid = try Set((0...24).map { try totpAt(secret: secret, unixSecs: now - 360 + UInt64($0) * 30) })
    return ["000000", "111111", "222222", "333333", "444444"].first { !valid.contains($0) }!
}

/// Reads `\n`-terminated lines from a pipe, blocking.
private struct LineReader {
    let handle: FileHandle
    var buffer = Data()

    init(handle: FileHandle) { self.handle = handle }

    mutating func line() throws -> String {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer = Data(buffer[buffer.index(after: newline)...])
                return String(decoding: line, as: UTF8.self)
            }
            let chunk = handle.availableData
            if chunk.isEmpty {
                throw Emulator.Failure(description: "emulator exited before printing its address")
            }
            buffer.append(chunk)
        }
    }
}

/// A test case with a fresh emulator process per test, stopped after it.
class EmulatorTestCase: XCTestCase {
    var emulator: Emulator!

    override func setUpWithError() throws {
        emulator = try Emulator()
    }

    override func tearDown() {
        emulator?.stop()
        emulator = nil
    }
}
