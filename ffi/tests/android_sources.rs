//! The Android files shipped with the Kotlin bindings (bindings/kotlin/android/) agree with the
//! library: the JNI export in ffi/src/android.rs is named after the Kotlin object's package, name
//! and method, and the consumer R8 rules keep what JNA and JNI reach by name. An Android build is
//! not possible here (no NDK); this catches a rename on either side.

use std::path::Path;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_kotlin_object_matches_the_jni_export() {
    let kotlin =
        read("../bindings/kotlin/android/src/main/kotlin/com/docspace/auth/DocspaceAuthAndroid.kt");
    let rust = read("src/android.rs");
    let package = kotlin
        .lines()
        .find_map(|l| l.strip_prefix("package "))
        .expect("a package line")
        .trim();
    let object = kotlin
        .lines()
        .find_map(|l| l.strip_prefix("object "))
        .and_then(|l| l.split_whitespace().next())
        .expect("an object declaration");
    assert!(
        kotlin.contains("external fun init(context: Context)"),
        "{kotlin}"
    );
    assert!(
        kotlin.contains("@JvmStatic"),
        "init must be static for the JClass receiver"
    );
    assert!(kotlin.contains("System.loadLibrary(\"docspace_auth_ffi\")"));
    let export = format!("Java_{}_{object}_init", package.replace('.', "_"));
    assert!(
        rust.contains(&format!("pub extern \"system\" fn {export}")),
        "ffi/src/android.rs has no `{export}`"
    );
    // The generated bindings live in the same package (ffi/uniffi.toml).
    assert!(read("uniffi.toml").contains(&format!("\"{package}\"")));
}

#[test]
fn the_consumer_rules_keep_what_is_reached_by_name() {
    let rules = read("../bindings/kotlin/android/consumer-rules.pro");
    for keep in [
        "-keep class com.sun.jna.* { *; }",
        "-keep class com.docspace.auth.** { *; }",
        "-keep, includedescriptorclasses class org.rustls.platformverifier.** { *; }",
    ] {
        assert!(rules.lines().any(|l| l.trim() == keep), "missing: {keep}");
    }
}
