// Hand-written: what Swift needs on top of the generated bindings (docspace_auth_ffi.swift).
import Foundation

// The generated `AuthError` has `description`, the Rust error's `Display` (exported with
// `#[uniffi::export(Display)]`): its `detail`, the library's readable message. uniffi 0.32.2 does not
// declare the conformance for errors; declaring it here makes `"\(error)"` and `String(describing:)`
// use it. Nothing below names a variant: a new one needs no change here.
extension AuthError: CustomStringConvertible {}

extension AuthError: LocalizedError {
    /// The library's readable message; it never contains a password, token, secret or code.
    public var errorDescription: String? { description }
}

extension AuthError {
    /// The library's readable message (also `description` and `localizedDescription`).
    public var message: String { description }
}
