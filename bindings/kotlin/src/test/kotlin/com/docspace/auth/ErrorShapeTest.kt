package com.docspace.auth

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import java.io.File
import kotlin.reflect.full.primaryConstructor
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * `AuthException`'s shape: every variant carries a readable `detail`, which is its `toString()` (the Rust
 * `Display`); the variants a caller acts on carry their data; and every variant is documented in the
 * README's error table.
 */
class ErrorShapeTest {
    private val emulators = mutableListOf<Emulator>()
    private val emu = Emulator.start().also { emulators += it }

    @AfterEach
    fun stop() = emulators.forEach { it.close() }

    /** What an app does about each error. Exhaustive without `else`: a new variant does not compile here. */
    private fun advice(error: AuthException): String = when (error) {
        is AuthException.InvalidCredentials -> "check the e-mail and password"
        is AuthException.CodeRejected -> "ask for the code again"
        is AuthException.Forbidden -> "show the server's text, try later"
        is AuthException.LockedOut -> "wait a minute, or show the portal's captcha"
        is AuthException.UserDisabled -> "ask the portal's administrator"
        is AuthException.CaptchaRejected -> "show a new captcha"
        is AuthException.PortalUnavailable -> "the portal is in maintenance, try later"
        is AuthException.WrongPortalAddress -> "check the portal address"
        is AuthException.NotADocSpacePortal -> "this address is not a DocSpace portal"
        is AuthException.Sso -> "single sign-on failed (${error.reason}, messageKey ${error.messageKey})"
        is AuthException.NotPhoneActivation -> "no phone to activate"
        is AuthException.InvalidPhoneNumber -> "type a phone number"
        is AuthException.PhoneActivationExpired -> "log in again"
        is AuthException.CurrentSession -> "use logout for this session"
        is AuthException.NotFound -> "check the user"
        is AuthException.RateLimited -> "wait ${error.retryAfterSecs ?: 60u} s"
        is AuthException.Server -> "the portal failed (HTTP ${error.status}), try later"
        is AuthException.Unauthorized -> "log in again"
        is AuthException.UnexpectedResponse -> "is this a DocSpace portal?"
        is AuthException.Transport -> "network problem (${error.kind})"
        is AuthException.InsecureUrl -> "use https://"
        is AuthException.InvalidUrl -> "check the portal URL"
        is AuthException.InvalidCodeFormat -> "type 6 digits"
        is AuthException.InvalidSecret -> "check the key"
        is AuthException.InvalidCertificate -> "check the CA certificate"
        is AuthException.InvalidConfiguration -> "check the client options"
        is AuthException.AlreadyUsed -> "log in again"
        is AuthException.Other -> "update the app"
    }

    @Test
    fun everyVariantIsDescribedByItsDetailAndDocumented() {
        val samples = mapOf<String, Any>(
            "detail" to "a readable sentence",
            "retryAfterSecs" to 7uL,
            "status" to 503.toUShort(),
            "kind" to TransportKind.TLS,
            "reason" to SsoFailure.USER_DISABLED,
            "messageKey" to 16,
        )
        val readme = File(System.getProperty("docspace.root"), "bindings/kotlin/README.md").readText()
        val variants = AuthException::class.sealedSubclasses
        assertTrue(variants.size >= 28, "$variants")
        for (variant in variants) {
            val name = variant.simpleName
            val constructor = variant.primaryConstructor ?: fail("$name has no primary constructor")
            val arguments = constructor.parameters.associateWith {
                samples[it.name] ?: fail("AuthException.$name: add a sample for `${it.name}` to this test")
            }
            val error = constructor.callBy(arguments)
            assertEquals("a readable sentence", error.toString(), "$name: toString() is the detail")
            assertTrue("a readable sentence" in error.message.orEmpty(), "$name: message holds the detail")
            assertTrue(advice(error).isNotBlank())
            assertTrue("`AuthException.$name`" in readme, "bindings/kotlin/README.md: document AuthException.$name")
        }
    }

    @Test
    fun structuredErrorsCarryTheirData() = runBlocking<Unit> {
        val client = DocspaceClient(emu.baseUrl, ClientOptions())
        val path = "path" to "/api/2.0/authentication"

        emu.fault("status", "status" to 429, "headers" to mapOf("Retry-After" to "7"), path)
        val limited = assertFailsWith<AuthException.RateLimited> { client.login("alice@example.com", "alice-pass") }
        assertEquals(7uL, limited.retryAfterSecs)
        assertEquals("rate limited; retry after 7 s", limited.detail)
        emu.fault("status", "status" to 429, path)
        assertNull(assertFailsWith<AuthException.RateLimited> { client.login("alice@example.com", "alice-pass") }.retryAfterSecs)

        emu.fault("status", "status" to 503, path)
        val server = assertFailsWith<AuthException.Server> { client.login("alice@example.com", "alice-pass") }
        assertEquals(503.toUShort(), server.status)
        assertTrue("503" in server.detail)

        // The port of an emulator that has stopped: nothing listens there any more.
        val stopped = Emulator.start().also { emulators += it }
        stopped.close()
        val gone = DocspaceClient(stopped.baseUrl, ClientOptions())
        val refused = assertFailsWith<AuthException.Transport> { gone.login("alice@example.com", "alice-pass") }
        assertEquals(TransportKind.CONNECT, refused.kind)
    }
}
