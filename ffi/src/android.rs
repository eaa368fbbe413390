//! Android only: the JNI entry point that initialises `rustls-platform-verifier`.
//!
//! On Android the platform verifier checks certificates with Android's `X509TrustManager`
//! through JNI, so it needs the JVM and the application `Context` before the first HTTPS
//! request. Its state lives in this library (`libdocspace_auth_ffi.so`), so the call must come
//! from a JNI function of this library: the app calls
//! `com.docspace.auth.DocspaceAuthAndroid.init(context)` once (see bindings/kotlin/README.md).

use jni::errors::ThrowRuntimeExAndDefault;
use jni::objects::{JClass, JObject};
use jni::refs::Reference;
use jni::EnvUnowned;

/// `external fun init(context: android.content.Context)` of the Kotlin object
/// `com.docspace.auth.DocspaceAuthAndroid` (a `@JvmStatic` member, hence the `JClass`).
///
/// Idempotent: later calls keep the first initialisation. Never unwinds into the JVM: the
/// closure runs under `catch_unwind` (`EnvUnowned::with_env`), and an error or panic becomes a
/// `java.lang.RuntimeException` thrown to the caller (a pending Java exception, e.g. from
/// `getClassLoader`, is left to propagate as it is).
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_docspace_auth_DocspaceAuthAndroid_init<'caller>(
    mut unowned_env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    context: JObject<'caller>,
) {
    unowned_env
        .with_env(|env| -> Result<(), jni::errors::Error> {
            if context.is_null() {
                return Err(jni::errors::Error::NullPtr(
                    "DocspaceAuthAndroid.init: context is null",
                ));
            }
            rustls_platform_verifier::android::init_with_env(env, context)
        })
        .resolve::<ThrowRuntimeExAndDefault>()
}
