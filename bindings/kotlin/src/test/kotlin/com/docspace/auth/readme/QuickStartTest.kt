package com.docspace.auth.readme

import com.docspace.auth.Challenge
import com.docspace.auth.Emulator
import com.docspace.auth.LoginResult
import com.docspace.auth.totpNow
import com.docspace.auth.wrongCode
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import java.io.ByteArrayOutputStream
import java.io.File
import java.io.PrintStream
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** Runs the README's quick start (QuickStart.kt) against the emulator, and checks the README shows it. */
class QuickStartTest {
    private val emu = Emulator.start()

    @AfterEach
    fun stop() = emu.close()

    private fun captureStdout(block: () -> Unit): String {
        val original = System.out
        val buffer = ByteArrayOutputStream()
        System.setOut(PrintStream(buffer, true, Charsets.UTF_8))
        try {
            block()
        } finally {
            System.setOut(original)
        }
        return buffer.toString(Charsets.UTF_8)
    }

    @Test
    fun `quick start example runs with a wrong code and then the right one`() {
        val answers = ArrayDeque(listOf(wrongCode("IFREGZCFMYWV6MJS")))
        val output = captureStdout {
            runBlocking { example(emu.baseUrl) { answers.removeFirstOrNull() ?: totpNow("IFREGZCFMYWV6MJS") } }
        }
        assertTrue(answers.isEmpty())
        assertEquals(2, Regex("Code from your authenticator app").findAll(output).count(), output)
        assertTrue("try again" in output)
        assertTrue("Hello, " in output)
    }

    @Test
    fun `signIn covers enrolment and SMS`() = runBlocking<Unit> {
        val carol = signIn(emu.baseUrl, "carol@example.com", "carol-pass") { challenge ->
            val enrollment = assertIs<Challenge.AppEnrollment>(challenge).enrollment
            assertTrue(enrollment.secret() in prompt(challenge))
            totpNow(enrollment.secret())
        }
        assertEquals("carol@example.com", carol.me().email)

        val dave = signIn(emu.baseUrl, "dave@example.com", "dave-pass") { challenge ->
            assertTrue(prompt(challenge).startsWith("Code sent by SMS to +"))
            emu.sms("+15551234567").last().code
        }
        assertEquals("dave@example.com", dave.me().email)
    }

    @Test
    fun `client options and more calls run over TLS`() {
        val tls = Emulator.start("--tls")
        try {
            val output = captureStdout {
                runBlocking {
                    val client = clientWithOptions(tls.baseUrl, assertNotNull(tls.caPem))
                    val dave = assertIs<LoginResult.TfaRequired>(client.login("dave@example.com", "dave-pass")).pending
                    val bob = assertIs<LoginResult.TfaRequired>(client.login("bob@example.com", "bob-pass")).pending
                    moreCalls(dave, bob.confirm(totpNow("IFREGZCFMYWV6MJS")), "IFREGZCFMYWV6MJS")
                }
            }
            assertTrue(Regex("New code sent to \\+\\d{4}\\*+\\d{4}, valid until 20").containsMatchIn(output), output)
            assertTrue("Session valid until 20" in output, output)
            assertTrue("5 backup codes left" in output, output)
        } finally {
            tls.close()
        }
    }

    @Test
    fun `README shows this code exactly`() {
        val root = File(System.getProperty("docspace.root")).canonicalFile
        val source = File(root, "bindings/kotlin/src/test/kotlin/com/docspace/auth/readme/QuickStart.kt").readText()
        val readme = File(root, "bindings/kotlin/README.md").readText()
        val blocks = source.split("// README-BEGIN ").drop(1).map { it.substringAfter("\n").substringBefore("// README-END") }
        assertEquals(2, blocks.size)
        for (block in blocks) {
            assertTrue(block.isNotBlank())
            assertTrue(block in readme, "bindings/kotlin/README.md must contain this block of QuickStart.kt verbatim:\n$block")
        }
        val rootReadme = File(root, "README.md").readText()
        assertTrue(blocks[0] in rootReadme, "README.md must contain the quick start of QuickStart.kt verbatim:\n${blocks[0]}")
    }
}
