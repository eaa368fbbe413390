package com.docspace.auth.readme

import com.docspace.auth.Challenge
import com.docspace.auth.Emulator
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
    fun `README shows the quick start exactly`() {
        val root = File(System.getProperty("docspace.root")).canonicalFile
        val source = File(root, "bindings/kotlin/src/test/kotlin/com/docspace/auth/readme/QuickStart.kt").readText()
        val snippet = source.substringAfter("// README-BEGIN quick-start\n").substringBefore("// README-END")
        val readme = File(root, "bindings/kotlin/README.md").readText()
        assertTrue(snippet.isNotBlank())
        assertTrue(snippet in readme, "bindings/kotlin/README.md must contain QuickStart.kt's quick-start block verbatim")
    }
}
