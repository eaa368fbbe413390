package com.docspace.auth

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs

/** `options` can be left out: `DocspaceClient(url)`, `Session.resume(url, token)`. */
class DefaultOptionsTest {
    private val emu = Emulator.start()

    @AfterEach
    fun stop() = emu.close()

    @Test
    fun optionsCanBeLeftOut() = runBlocking<Unit> {
        val result = DocspaceClient(emu.baseUrl).login("alice@example.com", "alice-pass")
        val session = assertIs<LoginResult.Authenticated>(result).session
        val resumed = Session.resume(emu.baseUrl, session.token())
        assertEquals("alice@example.com", resumed.me().email)

        // Same checks as with explicit options: plain http to a host that is not loopback is refused.
        assertFailsWith<AuthException.InsecureUrl> { DocspaceClient("http://portal.example.com") }
    }
}
