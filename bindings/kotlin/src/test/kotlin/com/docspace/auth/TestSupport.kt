package com.docspace.auth

import java.time.Instant

/**
 * A 6-digit code that the server certainly rejects for [secret] now: the server accepts the codes of
 * ±10 time steps, so this one differs from all of them (with a margin of two steps each side).
 */
fun wrongCode(secret: String): String {
    val now = Instant.now().epochSecond
    val accepted = (-12..12).map { totpAt(secret, (now + it * 30L).toULong()) }.toSet()
    return (0..999_999).asSequence().map { "%06d".format(it) }.first { it !in accepted }
}
