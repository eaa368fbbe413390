package com.docspace.auth

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import java.time.Instant
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * The scenarios every language's suite runs (issue "Bindings"), against a real emulator process over
 * 127.0.0.1, through the generated Kotlin API in the packaged jar.
 */
class LoginScenariosTest {
    private companion object {
        // tests/fixtures/users.json
        const val ALICE = "alice@example.com"
        const val ALICE_PASSWORD = "alice-pass"
        const val BOB = "bob@example.com"
        const val BOB_PASSWORD = "bob-pass"
        const val BOB_SECRET = "IFREGZCFMYWV6MJS"
        const val CAROL = "carol@example.com"
        const val CAROL_PASSWORD = "carol-pass"
        const val DAVE = "dave@example.com"
        const val DAVE_PASSWORD = "dave-pass"
        const val DAVE_PHONE = "+15551234567"
    }

    private val emulators = mutableListOf<Emulator>()
    private lateinit var emu: Emulator

    private fun startEmulator(vararg flags: String): Emulator = Emulator.start(*flags).also { emulators += it }

    @BeforeEach
    fun start() {
        emu = startEmulator()
    }

    @AfterEach
    fun stop() {
        emulators.forEach { it.close() }
    }

    private fun client(options: ClientOptions = ClientOptions()) = DocspaceClient(emu.baseUrl, options)

    private suspend fun loginAuthenticated(user: String, password: String): Session {
        val result = client().login(user, password)
        return assertIs<LoginResult.Authenticated>(result).session
    }

    private suspend fun loginPending(user: String, password: String): PendingLogin {
        val result = client().login(user, password)
        return assertIs<LoginResult.TfaRequired>(result).pending
    }

    private suspend fun waitUntil(what: String, condition: () -> Boolean) {
        withTimeout(10_000) {
            while (!condition()) delay(10)
        }
        assertTrue(condition(), what)
    }

    @Test
    fun plainLogin() = runBlocking<Unit> {
        val session = loginAuthenticated(ALICE, ALICE_PASSWORD)
        assertTrue(session.token().isNotEmpty())
        val expires = assertNotNull(session.expires(), "a token issued with session=false has an expiry")
        assertTrue(expires.isAfter(Instant.now()))
        assertTrue(session.isValid())
    }

    @Test
    fun app2faEnrolled() = runBlocking<Unit> {
        val pending = loginPending(BOB, BOB_PASSWORD)
        assertIs<Challenge.App>(pending.challenge())
        assertEquals(BOB, pending.user())
        val session = pending.confirm(totpNow(BOB_SECRET))
        assertTrue(session.token().isNotEmpty())
        assertEquals(BOB, session.me().email)
    }

    @Test
    fun enrolment() = runBlocking<Unit> {
        val pending = loginPending(CAROL, CAROL_PASSWORD)
        val enrollment = assertIs<Challenge.AppEnrollment>(pending.challenge()).enrollment
        val secret = enrollment.secret()
        assertTrue(secret.matches(Regex("[A-Z2-7]+=*")), "the secret is Base32")
        val uri = enrollment.provisioningUri()
        assertTrue(uri.startsWith("otpauth://totp/"), "provisioning URI: otpauth://totp/...")
        assertTrue("secret=$secret" in uri)
        assertTrue(enrollment.confirmUrl().isNotEmpty())

        val session = pending.confirm(totpNow(secret))
        val codes = session.backupCodes()
        assertTrue(codes.isNotEmpty(), "enrolment creates backup codes")
        assertTrue(codes.none { it.isUsed() })
        assertTrue(codes.all { it.code().length == 6 })

        // Enrolled now: the next login asks for the app's code, no secret any more.
        assertIs<Challenge.App>(loginPending(CAROL, CAROL_PASSWORD).challenge())
    }

    @Test
    fun wrongCodeThenRightCode() = runBlocking<Unit> {
        val pending = loginPending(BOB, BOB_PASSWORD)
        assertFailsWith<AuthException.CodeRejected> { pending.confirm(wrongCode(BOB_SECRET)) }
        val session = pending.confirm(totpNow(BOB_SECRET))
        assertEquals(BOB, session.me().email)
    }

    @Test
    fun reusingUsedPendingLogin() = runBlocking<Unit> {
        val pending = loginPending(BOB, BOB_PASSWORD)
        pending.confirm(totpNow(BOB_SECRET))
        assertFailsWith<AuthException.AlreadyUsed> { pending.confirm(totpNow(BOB_SECRET)) }
        assertFailsWith<AuthException.AlreadyUsed> { pending.resendSms() }
    }

    @Test
    fun smsWithResend() = runBlocking<Unit> {
        val pending = loginPending(DAVE, DAVE_PASSWORD)
        val challenge = assertIs<Challenge.Sms>(pending.challenge())
        assertTrue(challenge.phoneNoise.isNotEmpty())
        assertFalse(DAVE_PHONE in challenge.phoneNoise, "the phone number is masked")
        assertEquals(1, emu.sms(DAVE_PHONE).size, "login sent one SMS")

        val sent = pending.resendSms()
        assertTrue(sent.phoneNoise.isNotEmpty())
        val outbox = emu.sms(DAVE_PHONE)
        assertEquals(2, outbox.size, "resend sent a second SMS")

        val session = pending.confirm(outbox.last().code)
        assertEquals(DAVE, session.me().email)
    }

    @Test
    fun lockout() = runBlocking<Unit> {
        val locking = startEmulator("--lockout-attempts", "2")
        val client = DocspaceClient(locking.baseUrl, ClientOptions())
        repeat(2) {
            assertFailsWith<AuthException.InvalidCredentials> { client.login(ALICE, "not-her-password") }
        }
        // Blocked now, even with the right password.
        val locked = assertFailsWith<AuthException.LockedOut> { client.login(ALICE, ALICE_PASSWORD) }
        assertTrue(locked.message.orEmpty().isNotBlank())
    }

    @Test
    fun malformedCode() = runBlocking<Unit> {
        val pending = loginPending(BOB, BOB_PASSWORD)
        emu.resetCounters()
        for (code in listOf("12345", "1234567", "12#456", "", "abc")) {
            assertFailsWith<AuthException.InvalidCodeFormat>("code '$code'") { pending.confirm(code) }
        }
        assertEquals(Counters(connections = 0, requests = 0), emu.counters())
        // ... and the pending login is still usable.
        assertEquals(BOB, pending.confirm(totpNow(BOB_SECRET)).me().email)
    }

    @Test
    fun plainHttpNonLoopback() {
        assertFailsWith<AuthException.InsecureUrl> { DocspaceClient("http://portal.example.com", ClientOptions()) }
        assertFailsWith<AuthException.InsecureUrl> { Session.resume("http://192.0.2.1/", "token", ClientOptions()) }
        // Loopback over plain http is allowed (that is how these tests reach the emulator).
        DocspaceClient("http://127.0.0.1:9", ClientOptions()).close()
    }

    @Test
    fun me() = runBlocking<Unit> {
        val me = loginAuthenticated(ALICE, ALICE_PASSWORD).me()
        assertEquals(ALICE, me.email)
        assertTrue(me.id.matches(Regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")), "id is a GUID")
        assertTrue(me.displayName.isNotEmpty())
    }

    @Test
    fun logoutRevokes() = runBlocking<Unit> {
        val session = loginAuthenticated(ALICE, ALICE_PASSWORD)
        val token = session.token()
        session.logout()

        val again = Session.resume(emu.baseUrl, token, ClientOptions())
        assertFalse(again.isValid(), "the server no longer accepts the token")
        assertFailsWith<AuthException.Unauthorized> { again.me() }
        // The logged-out object itself is used up.
        assertFailsWith<AuthException.AlreadyUsed> { session.me() }
        assertFailsWith<AuthException.AlreadyUsed> { session.token() }
    }

    @Test
    fun resumeFromStoredToken() = runBlocking<Unit> {
        val token = loginAuthenticated(ALICE, ALICE_PASSWORD).token()
        Session.resume(emu.baseUrl, token, ClientOptions()).use { resumed ->
            assertTrue(resumed.isValid())
            assertEquals(ALICE, resumed.me().email)
            assertEquals(token, resumed.token())
        }
    }

    @Test
    fun tlsWithEmulatorCa() = runBlocking<Unit> {
        val tls = startEmulator("--tls")
        assertTrue(tls.baseUrl.startsWith("https://"))
        val ca = assertNotNull(tls.caPem)

        val trusted = DocspaceClient(tls.baseUrl, ClientOptions(extraRootCertificatePem = ca))
        val session = assertIs<LoginResult.Authenticated>(trusted.login(ALICE, ALICE_PASSWORD)).session
        assertEquals(ALICE, session.me().email)

        // Without the CA the platform trust store does not know the emulator's certificate.
        val untrusted = DocspaceClient(tls.baseUrl, ClientOptions())
        val error = assertFailsWith<AuthException.Transport> { untrusted.login(ALICE, ALICE_PASSWORD) }
        assertEquals(TransportKind.TLS, error.kind)
    }

    /** Timeouts are `java.time.Duration`s (uniffi's mapping of a Rust `Duration`). */
    @Test
    fun aTimeoutIsAJavaDuration() = runBlocking<Unit> {
        val options = ClientOptions(timeout = java.time.Duration.ofMillis(300), connectTimeout = java.time.Duration.ofSeconds(5))
        emu.fault("delay", "delayMs" to 2000, "path" to "/api/2.0/authentication")
        val started = System.nanoTime()
        val error = assertFailsWith<AuthException.Transport> { client(options).login(ALICE, ALICE_PASSWORD) }
        assertEquals(TransportKind.TIMEOUT, error.kind)
        assertTrue((System.nanoTime() - started) / 1_000_000 < 1500)
    }

    @Test
    fun cancellationMidConfirm() = runBlocking<Unit> {
        val pending = loginPending(BOB, BOB_PASSWORD)
        val code = totpNow(BOB_SECRET)
        emu.fault("delay", "delayMs" to 1500, "path" to "/api/2.0/authentication/")
        emu.resetCounters()

        val confirming = launch(Dispatchers.Default) {
            pending.confirm(code)
            fail("the confirm should have been cancelled")
        }
        waitUntil("the confirm request reached the emulator") { emu.counters().requests >= 1 }
        val started = System.nanoTime()
        confirming.cancelAndJoin()
        val cancelMs = (System.nanoTime() - started) / 1_000_000
        assertTrue(confirming.isCancelled)
        assertTrue(cancelMs < 1000, "cancelling returns at once, not after the delayed response ($cancelMs ms)")

        val session = pending.confirm(code)
        assertEquals(BOB, session.me().email)
    }

    @Test
    fun cancellationMidConfirmWithWrongCode() = runBlocking<Unit> {
        val pending = loginPending(BOB, BOB_PASSWORD)
        emu.fault("delay", "delayMs" to 1000, "path" to "/api/2.0/authentication/")
        emu.resetCounters()

        val confirming = launch(Dispatchers.Default) { pending.confirm(wrongCode(BOB_SECRET)) }
        waitUntil("the confirm request reached the emulator") { emu.counters().requests >= 1 }
        confirming.cancelAndJoin()
        assertTrue(confirming.isCancelled)

        val session = pending.confirm(totpNow(BOB_SECRET))
        assertEquals(BOB, session.me().email)
    }

    @Test
    fun concurrentConfirmsSendOneRequest() = runBlocking<Unit> {
        val pending = loginPending(BOB, BOB_PASSWORD)
        val code = totpNow(BOB_SECRET)
        emu.fault("delay", "delayMs" to 500, "path" to "/api/2.0/authentication/")
        emu.resetCounters()

        val results = List(2) {
            async(Dispatchers.Default) { runCatching { pending.confirm(code) } }
        }.map { it.await() }
        assertEquals(1, results.count { it.isSuccess }, "exactly one confirm gets the session")
        assertIs<AuthException.AlreadyUsed>(results.single { it.isFailure }.exceptionOrNull())
        assertEquals(1, emu.counters().requests, "only one confirm went out")
    }
}
