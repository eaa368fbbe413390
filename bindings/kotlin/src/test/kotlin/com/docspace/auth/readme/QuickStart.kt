package com.docspace.auth.readme

// The README's code, compiled and run by QuickStartTest, which also checks that the README contains the
// lines between each pair of markers exactly.

// README-BEGIN quick-start
import com.docspace.auth.AuthException
import com.docspace.auth.Challenge
import com.docspace.auth.ClientOptions
import com.docspace.auth.DocspaceClient
import com.docspace.auth.LoginResult
import com.docspace.auth.PendingLogin
import com.docspace.auth.Session
import com.docspace.auth.totpNow

/** Logs in, asking [askCode] for a second-factor code as often as the server rejects one. */
suspend fun signIn(
    portalUrl: String,
    email: String,
    password: String,
    askCode: suspend (Challenge) -> String,
): Session {
    val client = DocspaceClient(portalUrl, ClientOptions())
    val pending = when (val result = client.login(email, password)) {
        is LoginResult.Authenticated -> return result.session
        is LoginResult.TfaRequired -> result.pending
    }
    while (true) {
        try {
            return pending.confirm(askCode(pending.challenge()))
        } catch (e: AuthException.CodeRejected) {
            println("${e.detail}: try again") // same pending login, no new password needed
        }
    }
}

/** What a terminal app would show for each challenge. */
fun prompt(challenge: Challenge): String = when (challenge) {
    is Challenge.App -> "Code from your authenticator app (or a backup code)"
    is Challenge.AppEnrollment ->
        "Add this key to your authenticator app: ${challenge.enrollment.secret()} " +
            "(or scan a QR code of ${challenge.enrollment.provisioningUri()}), then enter its code"
    is Challenge.Sms -> "Code sent by SMS to ${challenge.phoneNoise}"
    is Challenge.SmsPhoneActivation -> "Activate your phone first: ${challenge.confirmUrl}"
}

suspend fun example(portalUrl: String, input: () -> String = ::readln) {
    val session = signIn(portalUrl, "bob@example.com", "bob-pass") { challenge ->
        println(prompt(challenge))
        input().trim()
    }
    println("Hello, ${session.me().displayName}")
    val token = session.token() // keep it in secure storage ...

    // ... and later, without the password:
    val resumed = Session.resume(portalUrl, token, ClientOptions())
    if (resumed.isValid()) resumed.logout() // revokes the token on the server
}
// README-END

// README-BEGIN more
fun clientWithOptions(portalUrl: String, caPem: String) = DocspaceClient(
    portalUrl,
    ClientOptions(
        timeout = java.time.Duration.ofSeconds(30), // whole request (default 30 s)
        connectTimeout = java.time.Duration.ofSeconds(10), // default 10 s
        extraRootCertificatePem = caPem, // a private CA, trusted on top of the platform's store
        session = false, // DocSpace's `session` flag (default false)
        userAgent = "my-app/1.0",
    ),
)

suspend fun moreCalls(smsPending: PendingLogin, session: Session, totpSecret: String) {
    val sent = smsPending.resendSms() // a new SMS code
    println("New code sent to ${sent.phoneNoise}, valid until ${sent.expires}")
    println("Session valid until ${session.expires()}") // java.time.Instant? (null: not given)
    val left = session.backupCodes().count { !it.isUsed() } // BackupCode: code(), isUsed()
    println("$left backup codes left")
    val code = totpNow(totpSecret) // what an authenticator shows now (also totpAt, totpSecondsRemaining)
    check(code.length == 6)
}
// README-END
