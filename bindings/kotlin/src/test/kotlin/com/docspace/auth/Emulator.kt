package com.docspace.auth

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.int
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import java.io.BufferedReader
import java.io.File
import java.io.InputStreamReader
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.charset.StandardCharsets
import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit

/** One SMS in the emulator's outbox. */
data class Sms(val phone: String, val code: String)

/** The emulator's request counters (`GET /emulator/counters`). */
data class Counters(val connections: Int, val requests: Int)

/**
 * A `docspace-emulator` process on 127.0.0.1 (a free port), started for one test and stopped by [close].
 *
 * Paths come from the build: system property `docspace.root` (the repository root, set by the pom), and
 * `CARGO_TARGET_DIR` when set; the pom's `emulator` execution builds the binary before the tests.
 */
class Emulator private constructor(
    private val process: Process,
    /** `http://127.0.0.1:PORT` or, with `--tls`, `https://127.0.0.1:PORT`. */
    val baseUrl: String,
    /** PEM of the CA that signed the emulator's certificate (only with `--tls`). */
    val caPem: String?,
) : AutoCloseable {

    companion object {
        private val root: File =
            File(System.getProperty("docspace.root") ?: error("system property docspace.root is not set (run through Maven)"))
                .canonicalFile
        private val targetDir: File = System.getenv("CARGO_TARGET_DIR")?.let(::File) ?: File(root, "target")
        val binary: File = File(targetDir, "debug/docspace-emulator")
        val usersFile: File = File(root, "tests/fixtures/users.json")
        private val logDir = File(System.getProperty("user.dir"), "target/emulator-logs").apply { mkdirs() }

        /** Starts the emulator with the shared users file and [flags] (e.g. `--tls`, `--lockout-attempts 2`). */
        fun start(vararg flags: String): Emulator {
            check(binary.canExecute()) { "emulator binary not found at $binary (cargo build -p docspace-emulator)" }
            val command = listOf(binary.path, "--listen", "127.0.0.1:0", "--users", usersFile.path) + flags
            val log = File(logDir, "emulator-${ProcessHandle.current().pid()}.log")
            val process = ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log))
                .start()
            try {
                val stdout = BufferedReader(InputStreamReader(process.inputStream, StandardCharsets.UTF_8))
                val first = readLine(stdout, process) ?: error("emulator exited before printing its address (see $log)")
                val prefix = "listening on "
                check(first.startsWith(prefix)) { "unexpected first line from the emulator: $first" }
                val baseUrl = first.removePrefix(prefix).trim()
                var caPem: String? = null
                if ("--tls" in flags) {
                    while (caPem == null) {
                        val line = readLine(stdout, process) ?: error("emulator exited before naming its CA (see $log)")
                        if (line.startsWith("ca certificate: ")) {
                            caPem = File(line.removePrefix("ca certificate: ").trim()).readText()
                        }
                    }
                }
                // Keep draining stdout so the emulator never blocks on a full pipe.
                Thread({ runCatching { stdout.lineSequence().forEach { } } }, "emulator-stdout").apply {
                    isDaemon = true
                    start()
                }
                return Emulator(process, baseUrl, caPem)
            } catch (e: Throwable) {
                process.destroyForcibly()
                throw e
            }
        }

        private fun readLine(reader: BufferedReader, process: Process): String? {
            val line = CompletableFuture.supplyAsync { reader.readLine() }
            return try {
                line.get(20, TimeUnit.SECONDS)
            } catch (e: java.util.concurrent.TimeoutException) {
                process.destroyForcibly()
                error("emulator printed nothing within 20 s")
            }
        }
    }

    private val http: HttpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()

    private fun call(method: String, path: String, body: JsonObject? = null): String = call(method, path, body?.toString())

    private fun call(method: String, path: String, body: String?): String {
        val request = HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .method(
                method,
                if (body == null) HttpRequest.BodyPublishers.noBody() else HttpRequest.BodyPublishers.ofString(body),
            )
            .build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        check(response.statusCode() in 200..299) { "$method $path: HTTP ${response.statusCode()}" }
        return response.body()
    }

    /** The SMS outbox, oldest first (optionally for one phone). */
    fun sms(phone: String? = null): List<Sms> {
        val query = phone?.let { "?phone=" + URLEncoder.encode(it, StandardCharsets.UTF_8) } ?: ""
        val json = Json.parseToJsonElement(call("GET", "/emulator/sms$query")).jsonObject
        return json.getValue("messages").jsonArray.map {
            val m = it.jsonObject
            Sms(m.getValue("phone").jsonPrimitive.content, m.getValue("code").jsonPrimitive.content)
        }
    }

    fun counters(): Counters {
        val json = Json.parseToJsonElement(call("GET", "/emulator/counters")).jsonObject
        return Counters(json.getValue("connections").jsonPrimitive.int, json.getValue("requests").jsonPrimitive.int)
    }

    fun resetCounters() {
        call("POST", "/emulator/counters/reset")
    }

    /**
     * Installs a fault, e.g. `fault("delay", "delayMs" to 3000, "path" to "/api/2.0/authentication/")`
     * (a map value is a JSON object of strings: `"headers" to mapOf("Retry-After" to "7")`).
     */
    fun fault(kind: String, vararg fields: Pair<String, Any>) {
        val body = buildJsonObject {
            put("kind", JsonPrimitive(kind))
            for ((name, value) in fields) {
                put(
                    name,
                    when (value) {
                        is Number -> JsonPrimitive(value)
                        is Boolean -> JsonPrimitive(value)
                        is Map<*, *> -> JsonObject(value.entries.associate { (k, v) -> k.toString() to JsonPrimitive(v.toString()) })
                        else -> JsonPrimitive(value.toString())
                    },
                )
            }
        }
        call("POST", "/emulator/faults", body)
    }

    fun clearFaults() {
        call("DELETE", "/emulator/faults")
    }

    /**
     * Changes the portal's settings at run time (`POST /emulator/portal`) with a partial `portal` object of
     * the users file, e.g. `portal("""{"tenantStatus": 4}""")`; `POST /emulator/reset` restores them.
     */
    fun portal(patch: String) {
        call("POST", "/emulator/portal", patch)
    }

    /** `GET address` without following redirects (a web view's single step): the status and `Location`. */
    fun getOnce(address: String): Pair<Int, String?> {
        val noRedirects = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build()
        val request = HttpRequest.newBuilder(URI.create(address)).timeout(Duration.ofSeconds(10)).GET().build()
        val response = noRedirects.send(request, HttpResponse.BodyHandlers.discarding())
        return response.statusCode() to response.headers().firstValue("Location").orElse(null)
    }

    /**
     * Plays the SSO web view for [email]: opens the portal's `/sso/login` (the emulator's IdP signs in whoever
     * `email` names) and follows each `Location` by hand, asking [isPortalLanding] about every address it is
     * about to load (as `WebViewClient.shouldOverrideUrlLoading` would), until that says to stop. Returns
     * that address (absolute).
     */
    fun ssoWebView(email: String, isPortalLanding: (String) -> Boolean): String {
        var address = "$baseUrl/sso/login?email=" + URLEncoder.encode(email, StandardCharsets.UTF_8)
        repeat(10) {
            val (status, location) = getOnce(address)
            check(status in 300..399 && location != null) { "GET $address: HTTP $status without a redirect" }
            address = URI.create(address).resolve(location).toString()
            if (isPortalLanding(address)) return address
        }
        error("the SSO redirects did not reach the portal within 10 steps (at $address)")
    }

    override fun close() {
        process.destroy() // SIGTERM: the emulator exits 0
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly()
            process.waitFor(5, TimeUnit.SECONDS)
        }
    }
}
