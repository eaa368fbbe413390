// The Kotlin/JVM client of the login benchmark: the binding as the README shows it, a new
// DocspaceClient per login, one coroutine per concurrent login.
//
//   java -cp ... BenchKt seq N ROUNDS | conc C TOTAL | cold
//
// Configuration in the environment (DS_URL, DS_USER, DS_PASSWORD, DS_SECRET, DS_WARMUP); one JSON line
// out (or `TOKEN <length>` for cold), like every client (bench/README.md).
import com.docspace.auth.ClientOptions
import com.docspace.auth.DocspaceClient
import com.docspace.auth.LoginResult
import java.lang.management.ManagementFactory
import java.nio.ByteBuffer
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec
import kotlin.system.exitProcess
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking

private fun env(name: String): String = System.getenv(name) ?: error("$name is not set")

private val url = env("DS_URL").also {
    require(Regex("^https?://127\\.0\\.0\\.1:\\d+/?$").matches(it)) { "logins only to the local emulator, not $it" }
}
private val user = env("DS_USER")
private val password = env("DS_PASSWORD")
private val key = base32(env("DS_SECRET"))
private val warmup = minOf((System.getenv("DS_WARMUP") ?: "20").toInt(), 10_000)

private fun base32(s: String): ByteArray {
    val alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    var bits = 0
    var value = 0
    val out = java.io.ByteArrayOutputStream()
    for (ch in s.uppercase().trimEnd('=')) {
        value = (value shl 5) or alphabet.indexOf(ch)
        bits += 5
        if (bits >= 8) {
            out.write((value ushr (bits - 8)) and 0xff)
            bits -= 8
        }
    }
    return out.toByteArray()
}

/** RFC 6238 with DocSpace's parameters (protocol §4.4): HMAC-SHA-1, 6 digits, 30 s. */
private fun totpNow(): String {
    val mac = Mac.getInstance("HmacSHA1").apply { init(SecretKeySpec(key, "HmacSHA1")) }
    val h = mac.doFinal(ByteBuffer.allocate(8).putLong(System.currentTimeMillis() / 1000 / 30).array())
    val o = h[h.size - 1].toInt() and 0x0f
    val v = ByteBuffer.wrap(h, o, 4).int and 0x7fffffff
    return "%06d".format(v % 1_000_000)
}

private suspend fun login(): String {
    val client = DocspaceClient(url, ClientOptions())
    val pending = when (val result = client.login(user, password)) {
        is LoginResult.TfaRequired -> result.pending
        is LoginResult.Authenticated -> error("logged in without a second factor")
    }
    return pending.confirm(totpNow()).token()
}

private class Tally(var ok: Int = 0, var failures: Int = 0, var tokenLen: Int = 0)

private fun many(c: Int, per: Int): Tally = runBlocking(Dispatchers.Default) {
    val tallies = (0 until c).map {
        async {
            val t = Tally()
            repeat(per) {
                try {
                    val token = login()
                    check(token.isNotEmpty()) { "no token" }
                    t.ok++
                    t.tokenLen = token.length
                } catch (e: Exception) {
                    if (t.failures == 0) System.err.println("login failed: $e")
                    t.failures++
                }
            }
            t
        }
    }.awaitAll()
    Tally(tallies.sumOf { it.ok }, tallies.sumOf { it.failures }, tallies.maxOf { it.tokenLen })
}

private val os = ManagementFactory.getOperatingSystemMXBean() as com.sun.management.OperatingSystemMXBean

private fun measure(c: Int, per: Int): String {
    val cpu0 = os.processCpuTime
    val wall0 = System.nanoTime()
    val t = many(c, per)
    val cpuUs = (os.processCpuTime - cpu0) / 1000
    val wallUs = (System.nanoTime() - wall0) / 1000
    return """{"n":${c * per},"ok":${t.ok},"failures":${t.failures},"cpu_us":$cpuUs,"wall_us":$wallUs}"""
}

fun main(args: Array<String>) {
    fun num(i: Int): Int = args.getOrNull(i)?.toIntOrNull()?.takeIf { it in 1..1_000_000 }
        ?: error("a number in 1..1000000 expected at argument ${i + 1}")
    when (args.getOrNull(0)) {
        "cold" -> {
            val t = many(1, 1)
            if (t.ok != 1) exitProcess(1)
            println("TOKEN ${t.tokenLen}")
        }
        "seq", "conc" -> {
            val w = if (warmup > 0) many(1, warmup) else Tally()
            val warm = """{"ok":${w.ok},"failures":${w.failures}}"""
            if (args[0] == "seq") {
                val rounds = (0 until minOf(num(2), 100)).map { measure(1, num(1)) }
                println("""{"mode":"seq","warmup":$warm,"rounds":[${rounds.joinToString(",")}]}""")
            } else {
                val c = num(1)
                println("""{"mode":"conc","c":$c,"warmup":$warm,"run":${measure(c, (num(2) + c - 1) / c)}}""")
            }
        }
        else -> error("mode must be seq N ROUNDS, conc C TOTAL or cold")
    }
    exitProcess(0)
}
