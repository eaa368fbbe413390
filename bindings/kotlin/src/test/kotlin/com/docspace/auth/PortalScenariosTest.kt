package com.docspace.auth

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The portal-level scenarios (docs/protocol.md §10–§17) against the emulator and the fixture's `portal`
 * (SSO with single logout, captcha, LDAP, password hash parameters): the 403 kinds and the captcha, portal
 * discovery, SSO through a web view played by hand, phone activation, active sessions, new backup codes,
 * and the client-side password hash.
 */
class PortalScenariosTest {
    private companion object {
        // tests/fixtures/users.json
        const val ALICE = "alice@example.com"
        const val ALICE_PASSWORD = "alice-pass"
        const val BOB = "bob@example.com"
        const val BOB_PASSWORD = "bob-pass"
        const val BOB_SECRET = "IFREGZCFMYWV6MJS"
        const val DAVE = "dave@example.com"
        const val DAVE_PASSWORD = "dave-pass"
        const val ERIN = "erin@example.com"
        const val ERIN_PASSWORD = "erin-pass"
        const val FRANK = "frank@example.com"
        const val GRACE = "grace@example.com"
        const val GRACE_PASSWORD = "grace-pass"
        const val HEIDI = "heidi@example.com"
        const val HEIDI_PASSWORD = "heidi-pass"
        const val IVAN = "ivan@example.com"
        const val SALT = "4d9abe238e2f7b14a30a4565d62214a795a15abb798ed61118a69820d6a6146c"
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

    private suspend fun loginAuthenticated(user: String, password: String, options: ClientOptions = ClientOptions()): Session =
        assertIs<LoginResult.Authenticated>(client(options).login(user, password)).session

    private suspend fun loginPending(user: String, password: String): PendingLogin =
        assertIs<LoginResult.TfaRequired>(client().login(user, password)).pending

    /** The SSO web view for [email], intercepted where `ssoRedirect` says the portal's landing is. */
    private fun ssoLanding(client: DocspaceClient, email: String): String =
        emu.ssoWebView(email) { address -> client.ssoRedirect(address) != SsoRedirect.ELSEWHERE }

    // --- 403 kinds ---------------------------------------------------------------------------------------

    @Test
    fun lockedOutThenCaptchaRejectedThenAccepted() = runBlocking<Unit> {
        val locking = startEmulator("--lockout-attempts", "2")
        val client = DocspaceClient(locking.baseUrl, ClientOptions())
        repeat(2) {
            assertFailsWith<AuthException.InvalidCredentials> { client.login(ALICE, "not-her-password") }
        }
        assertFailsWith<AuthException.LockedOut> { client.login(ALICE, ALICE_PASSWORD) }

        // The login screen shows the portal's captcha and sends its answer.
        val captcha = assertNotNull(client.portalInfo().captcha)
        assertFailsWith<AuthException.CaptchaRejected> {
            client.loginWithCaptcha(ALICE, ALICE_PASSWORD, captcha.kind, "not-the-answer")
        }
        // A valid answer passes the lockout, but the password is still checked.
        assertFailsWith<AuthException.InvalidCredentials> {
            client.loginWithCaptcha(ALICE, "not-her-password", captcha.kind, "captcha-ok")
        }
        val result = client.loginWithCaptcha(ALICE, ALICE_PASSWORD, captcha.kind, "captcha-ok")
        assertEquals(ALICE, assertIs<LoginResult.Authenticated>(result).session.me().email)
    }

    @Test
    fun disabledUser() = runBlocking<Unit> {
        val disabled = assertFailsWith<AuthException.UserDisabled> { client().login(ERIN, ERIN_PASSWORD) }
        assertTrue(disabled.detail.isNotBlank())
        // A wrong password says nothing about the account.
        assertFailsWith<AuthException.InvalidCredentials> { client().login(ERIN, "not-her-password") }
    }

    @Test
    fun portalInMaintenanceAndWrongAddress() = runBlocking<Unit> {
        emu.portal("""{"tenantStatus": 4}""")
        val info = client().portalInfo()
        assertEquals(TenantStatus.Restoring, info.tenantStatus)
        assertFalse(info.acceptsLogins)
        assertFailsWith<AuthException.PortalUnavailable> { client().login(ALICE, ALICE_PASSWORD) }

        emu.portal("""{"tenantStatus": 0}""")
        emu.fault("status", "status" to 404, "path" to "/api/2.0/authentication")
        assertFailsWith<AuthException.WrongPortalAddress> { client().login(ALICE, ALICE_PASSWORD) }
        loginAuthenticated(ALICE, ALICE_PASSWORD)
    }

    // --- portal discovery --------------------------------------------------------------------------------

    @Test
    fun portalInfoOfTheFixture() = runBlocking<Unit> {
        val info = client().portalInfo()
        assertTrue(info.version.isNotEmpty())
        assertTrue(info.standalone)
        assertEquals(TenantStatus.Active, info.tenantStatus)
        assertTrue(info.acceptsLogins)
        val sso = assertNotNull(info.sso)
        assertEquals("${emu.baseUrl}/sso/login", sso.url)
        assertEquals("Single Sign-on", sso.label)
        assertTrue(info.ldapEnabled)
        assertEquals(emptyList(), info.providers)
        assertEquals(PasswordHashParams(salt = SALT, iterations = 100_000u, size = 256u), info.passwordHash)
        assertEquals(Captcha(kind = CaptchaKind.RECAPTCHA, publicKey = "test-site-key"), info.captcha)

        // The portal changes at run time: no SSO any more.
        emu.portal("""{"sso": {"enabled": false}}""")
        assertNull(client().portalInfo().sso)
    }

    @Test
    fun notADocSpacePortal() = runBlocking<Unit> {
        emu.fault("html", "path" to "/api/2.0/settings")
        assertFailsWith<AuthException.NotADocSpacePortal> { client().portalInfo() }
        emu.fault("status", "status" to 404, "path" to "/api/2.0/settings")
        assertFailsWith<AuthException.NotADocSpacePortal> { client().portalInfo() }
        // The faults were used up: the emulator is DocSpace again.
        assertTrue(client().portalInfo().acceptsLogins)
    }

    // --- SSO -----------------------------------------------------------------------------------------------

    @Test
    fun ssoLoginAndSingleLogout() = runBlocking<Unit> {
        val client = client()
        val landing = ssoLanding(client, FRANK)
        assertEquals(SsoRedirect.TOKEN, client.ssoRedirect(landing))
        // The identity provider's pages are not the portal's landing.
        assertEquals(SsoRedirect.ELSEWHERE, client.ssoRedirect("${emu.baseUrl}/emulator/idp/sso"))
        assertEquals(SsoRedirect.ELSEWHERE, client.ssoRedirect("https://idp.example.com/?token=abc"))

        val session = client.completeSso(landing)
        assertTrue(session.isValid())
        val me = session.me()
        assertEquals(FRANK, me.email)
        assertTrue(me.isSso)
        assertFalse(me.isLdap)

        // Single logout: the address to open in the web view, on the portal.
        val token = session.token()
        val logoutUrl = assertNotNull(session.logout(), "an SSO user on a portal with single logout gets its URL")
        assertTrue(logoutUrl.startsWith("${emu.baseUrl}/sso/slo?data="), logoutUrl)
        val (status, location) = emu.getOnce(logoutUrl)
        assertEquals(302, status)
        assertEquals("${emu.baseUrl}/login", location)
        assertFalse(Session.resume(emu.baseUrl, token).isValid())
    }

    @Test
    fun ssoErrorForADisabledUser() = runBlocking<Unit> {
        val client = client()
        val landing = ssoLanding(client, IVAN)
        assertEquals(SsoRedirect.ERROR, client.ssoRedirect(landing))
        val error = assertFailsWith<AuthException.Sso> { client.completeSso(landing) }
        assertEquals(SsoFailure.USER_DISABLED, error.reason)
        assertEquals(16, error.messageKey)
        assertTrue(error.detail.isNotBlank())
    }

    @Test
    fun completeSsoElsewhereIsInvalidUrl() {
        assertFailsWith<AuthException.InvalidUrl> { client().completeSso("https://idp.example.com/?token=abc") }
    }

    @Test
    fun passwordLogoutHasNoSingleLogoutUrl() = runBlocking<Unit> {
        assertNull(loginAuthenticated(ALICE, ALICE_PASSWORD).logout())
    }

    // --- phone activation ----------------------------------------------------------------------------------

    @Test
    fun phoneActivation() = runBlocking<Unit> {
        val pending = loginPending(HEIDI, HEIDI_PASSWORD)
        assertIs<Challenge.SmsPhoneActivation>(pending.challenge())
        assertFailsWith<AuthException.InvalidPhoneNumber> { pending.setPhone("no digits") }

        val challenge = assertIs<Challenge.Sms>(pending.setPhone("+1 (555) 000-1111"))
        assertFalse("5550001111" in challenge.phoneNoise, "the phone number is masked")
        assertIs<Challenge.Sms>(pending.challenge())
        val outbox = emu.sms("+15550001111")
        assertEquals(1, outbox.size, "set_phone sent one SMS")

        val session = pending.confirm(outbox.last().code)
        assertEquals(HEIDI, session.me().email)
    }

    @Test
    fun setPhoneWithoutPhoneActivation() = runBlocking<Unit> {
        val pending = loginPending(DAVE, DAVE_PASSWORD)
        assertFailsWith<AuthException.NotPhoneActivation> { pending.setPhone("+15550001111") }
        assertIs<Challenge.Sms>(pending.challenge())
    }

    // --- active sessions -----------------------------------------------------------------------------------

    @Test
    fun activeSessions() = runBlocking<Unit> {
        val mine = loginAuthenticated(ALICE, ALICE_PASSWORD)
        val other = loginAuthenticated(ALICE, ALICE_PASSWORD)

        val listed = mine.sessions()
        assertEquals(2, listed.size, "$listed")
        val current = listed.single { it.current }
        val otherId = listed.single { !it.current }.id
        assertEquals(otherId, other.sessions().single { it.current }.id, "each session sees itself as current")

        assertFailsWith<AuthException.CurrentSession> { mine.endSession(current.id) }
        assertTrue(mine.endSession(otherId))
        assertFalse(other.isValid(), "the ended session's token no longer works")
        assertFalse(mine.endSession(otherId), "no such active session any more")
        assertTrue(mine.isValid())

        val third = loginAuthenticated(ALICE, ALICE_PASSWORD)
        val fourth = loginAuthenticated(ALICE, ALICE_PASSWORD)
        mine.endOtherSessions()
        assertFalse(third.isValid())
        assertFalse(fourth.isValid())
        assertTrue(mine.isValid(), "ending the others keeps this one")
        assertEquals(listOf(current.id), mine.sessions().map { it.id })
    }

    // --- backup codes ----------------------------------------------------------------------------------------

    @Test
    fun backupCodesRegenerated() = runBlocking<Unit> {
        val session = loginPending(BOB, BOB_PASSWORD).confirm(totpNow(BOB_SECRET))
        val old = session.backupCodes().map { it.code() }
        val fresh = session.regenerateBackupCodes()
        assertTrue(fresh.isNotEmpty())
        assertTrue(fresh.none { it.isUsed() })
        val freshCodes = fresh.map { it.code() }
        assertTrue(freshCodes.none { it in old }, "new codes replace the old ones")
        assertEquals(freshCodes.toSet(), session.backupCodes().map { it.code() }.toSet())

        // The old codes stop working; a new one works (once).
        val pending = loginPending(BOB, BOB_PASSWORD)
        assertFailsWith<AuthException.CodeRejected> { pending.confirm(old.first()) }
        assertEquals(BOB, pending.confirm(freshCodes.first()).me().email)
    }

    // --- client-side password hash ---------------------------------------------------------------------------

    @Test
    fun hashedPasswordLogin() = runBlocking<Unit> {
        val hashing = ClientOptions(hashPassword = true)
        assertEquals(ALICE, loginAuthenticated(ALICE, ALICE_PASSWORD, hashing).me().email)
        assertFailsWith<AuthException.InvalidCredentials> { client(hashing).login(ALICE, "not-her-password") }

        // LDAP accounts need the plain password.
        assertFailsWith<AuthException.InvalidCredentials> { client(hashing).login(GRACE, GRACE_PASSWORD) }
        val grace = loginAuthenticated(GRACE, GRACE_PASSWORD).me()
        assertEquals(GRACE, grace.email)
        assertTrue(grace.isLdap)
        assertNotEquals(true, grace.isSso)
    }
}
