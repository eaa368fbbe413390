package com.docspace.auth

import kotlin.test.Test
import kotlin.test.assertTrue

class PipelineTest {
    @Test
    fun `native library loads from the classpath`() {
        val resource = javaClass.classLoader.getResource("linux-x86-64/libdocspace_auth_ffi.so")
        assertTrue(resource != null, "native library not on the classpath")
        assertTrue(libraryVersion().isNotEmpty())
    }
}
