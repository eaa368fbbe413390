package com.docspace.auth

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import kotlin.test.Test
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertTrue

/** Error texts (`toString()`, the `detail` that `message` holds) are readable and never carry a secret. */
class ErrorMessagesTest {
    private val emu = Emulator.start()

    @AfterEach
    fun stop() = emu.close()

    /**
     * Readable: `toString()` (the Rust `Display`, i.e. the variant's `detail`) is a sentence of words, not a
     * debug dump, and uniffi's `message` ("detail=..., field=...") holds it; none of [secrets] in either.
     */
    private fun assertReadableWithout(error: AuthException, vararg secrets: String) {
        val text = error.toString()
        val message = error.message.orEmpty()
        assertTrue(text.isNotBlank(), "${error::class.simpleName} has a readable text")
        assertTrue(' ' in text && text.length < 300, "readable text: $text")
        assertFalse(Regex("""\w+\s*\{|\w+\(\w*:""").containsMatchIn(text), "no debug formatting: $text")
        assertTrue(text in message, "message holds the readable text: $message")
        for (secret in secrets) {
            assertFalse(secret in message, "${error::class.simpleName} message leaks a secret")
            assertFalse(secret in text, "${error::class.simpleName} toString() leaks a secret")
        }
    }

    @Test
    fun errorMessagesReadableAndFreeOfSecrets() = runBlocking<Unit> {
        val client = DocspaceClient(emu.baseUrl, ClientOptions())

        val password = "Sup3r-Secret-Passw0rd"
        assertReadableWithout(
            assertFailsWith<AuthException.InvalidCredentials> { client.login("alice@example.com", password) },
            password,
        )

        val pending = assertIs<LoginResult.TfaRequired>(client.login("bob@example.com", "bob-pass")).pending
        val wrongCode = wrongCode("IFREGZCFMYWV6MJS")
        assertReadableWithout(
            assertFailsWith<AuthException.CodeRejected> { pending.confirm(wrongCode) },
            wrongCode, "bob-pass",
        )
        val malformed = "98x!65"
        assertReadableWithout(assertFailsWith<AuthException.InvalidCodeFormat> { pending.confirm(malformed) }, malformed)

        val badSecret = "not*base32*secret"
        assertReadableWithout(assertFailsWith<AuthException.InvalidSecret> { totpNow(badSecret) }, badSecret)

        val session = assertIs<LoginResult.Authenticated>(client.login("alice@example.com", "alice-pass")).session
        val token = session.token()
        assertFalse(token in session.toString())
        session.logout()
        val revoked = Session.resume(emu.baseUrl, token, ClientOptions())
        assertReadableWithout(assertFailsWith<AuthException.Unauthorized> { revoked.me() }, token)
        assertReadableWithout(assertFailsWith<AuthException.AlreadyUsed> { session.me() }, token)

        assertReadableWithout(
            assertFailsWith<AuthException.InsecureUrl> { DocspaceClient("http://portal.example.com/", ClientOptions()) },
        )
        assertReadableWithout(
            assertFailsWith<AuthException.InvalidUrl> { DocspaceClient("https://user:pa55word@portal.example.com/", ClientOptions()) },
            "pa55word",
        )

        // Objects that hold secrets do not print them either.
        val carol = assertIs<LoginResult.TfaRequired>(client.login("carol@example.com", "carol-pass")).pending
        val challenge = assertIs<Challenge.AppEnrollment>(carol.challenge())
        val secret = challenge.enrollment.secret()
        assertFalse(secret in challenge.toString())
        assertFalse(secret in challenge.enrollment.toString())
    }
}
