// Hand-written: what Swift needs on top of the generated bindings (docspace_auth_ffi.swift).
import Foundation

extension AuthError: LocalizedError {
    /// The library's readable message; it never contains a password, token, secret or code.
    public var errorDescription: String? { message }
}

extension AuthError {
    /// The library's readable message (also `localizedDescription`).
    public var message: String {
        switch self {
        case .InvalidCredentials(let message),
            .CodeRejected(let message),
            .Forbidden(let message),
            .NotFound(let message),
            .RateLimited(let message),
            .Server(let message),
            .Unauthorized(let message),
            .UnexpectedResponse(let message),
            .Connect(let message),
            .Tls(let message),
            .Timeout(let message),
            .Transport(let message),
            .InsecureUrl(let message),
            .InvalidUrl(let message),
            .InvalidCodeFormat(let message),
            .InvalidSecret(let message),
            .InvalidCertificate(let message),
            .InvalidConfiguration(let message),
            .AlreadyUsed(let message),
            .Other(let message):
            return message
        }
    }
}
