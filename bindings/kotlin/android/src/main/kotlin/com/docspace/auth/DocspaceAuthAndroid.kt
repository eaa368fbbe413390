package com.docspace.auth

import android.content.Context

/**
 * Android-only setup of docspace-auth's native library: copy this file into the app (same package
 * and name) or add this folder as a source set. Its one native method is the JNI export
 * `Java_com_docspace_auth_DocspaceAuthAndroid_init` of `libdocspace_auth_ffi.so` (ffi/src/android.rs).
 */
object DocspaceAuthAndroid {
    init {
        System.loadLibrary("docspace_auth_ffi")
    }

    /**
     * Hands the JVM and [context] to rustls-platform-verifier. Call once before the first HTTPS
     * request (e.g. in `Application.onCreate()`); later calls do nothing. Throws a RuntimeException
     * if it fails (e.g. a null context).
     */
    @JvmStatic
    external fun init(context: Context)
}
