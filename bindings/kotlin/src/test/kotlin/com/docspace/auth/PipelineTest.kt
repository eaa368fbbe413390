package com.docspace.auth

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

class PipelineTest {
    @Test
    fun `the native library is loaded from inside the jar`() {
        val resource = javaClass.classLoader.getResource("linux-x86-64/libdocspace_auth_ffi.so")
        assertNotNull(resource, "native library not on the classpath")
        // The tests run against the packaged jar, not target/classes.
        assertEquals("jar", resource.protocol, "expected the library inside the jar, found $resource")
        assertTrue(libraryVersion().matches(Regex("""\d+\.\d+\.\d+.*""")))
    }
}
