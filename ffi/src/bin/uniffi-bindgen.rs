//! The project's bindgen (`cargo run --bin uniffi-bindgen --manifest-path ffi/Cargo.toml
//! --features bindgen-cli`): maturin looks for a `uniffi-bindgen` bin in the crate it builds, and
//! `scripts/lib/uniffi-bindgen.sh` runs the same for Kotlin, Swift, Android and the XCFramework, so
//! that one build of it serves every binding. Same uniffi version as the library. Only built with
//! the `bindgen-cli` feature, never part of an app build.
//!
//! After uniffi has generated the Python module, three patches (as `bindings/swift/scripts/` patches
//! the Swift sources), each of which must apply exactly once:
//! - the module imports `asyncio` only where it uses it. uniffi's template imports it at the top,
//!   and it is most of `import docspace_auth`'s time (about 35 ms of 95 ms here) and memory for a
//!   synchronous program; a program that awaits a call has imported it already.
//!   `bindings/python/tests/test_installed.py` checks that the installed package does not import it;
//! - every call into the library starts from a new call status, made with keyword arguments and a
//!   default buffer (1.3 µs here, 13 times per 2FA login); ctypes zero-fills a new struct, which is
//!   the same value (`CALL_SUCCESS` is 0, the empty buffer all zeros) for a tenth of that;
//! - a string crosses in one copy: into the library with `rustbuffer_from_bytes` (one call), back
//!   with `ctypes.string_at` then the buffer's free, instead of uniffi's buffer builder and stream
//!   in generator context managers. With the call status, a 2FA login's CPU in Python sync went
//!   from about 255 µs to 210 µs here.

use std::path::Path;
use std::process::exit;

fn main() {
    uniffi::uniffi_bindgen_main();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) != Some("generate") {
        return;
    }
    let (Some(language), Some(out_dir)) = (
        option(&args, "--language", "-l"),
        option(&args, "--out-dir", "-o"),
    ) else {
        return;
    };
    if language != "python" {
        return;
    }
    // uniffi names the module after the crate's namespace; every patch below must apply to it.
    let module = Path::new(&out_dir).join("docspace_auth_ffi.py");
    if let Err(e) = patch_file(&module) {
        eprintln!(
            "uniffi-bindgen (docspace-auth-ffi): {}: {e}",
            module.display()
        );
        exit(1);
    }
}

/// The value of `--long X`, `--long=X` or `-s X`.
fn option(args: &[String], long: &str, short: &str) -> Option<String> {
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == long || arg == short {
            return it.next().cloned();
        }
        if let Some(value) = arg.strip_prefix(long).and_then(|r| r.strip_prefix('=')) {
            return Some(value.to_owned());
        }
    }
    None
}

fn patch_file(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    std::fs::write(path, patch_python(&text)?).map_err(|e| e.to_string())
}

/// uniffi's `_UniffiFfiConverterString.lower`: a buffer builder (one call to allocate, generator
/// context managers around the write).
const STRING_LOWER: &str = "
    @staticmethod
    def lower(value):
        with _UniffiRustBuffer.alloc_with_builder() as builder:
            builder.write(value.encode(\"utf-8\"))
            return builder.finalize()
";

/// uniffi's `_UniffiFfiConverterString.lift`: a stream over the buffer, in a context manager.
const STRING_LIFT: &str = "
    @staticmethod
    def lift(buf):
        with buf.consume_with_stream() as stream:
            return stream.read(stream.remaining()).decode(\"utf-8\")
";

/// Every edit must apply exactly once, and afterwards `asyncio` may appear only in an annotation
/// and in the function that imports it: a uniffi whose template differs fails the build here.
fn patch_python(text: &str) -> Result<String, String> {
    const EDITS: [(&str, &str); 5] = [
        (
            "\nimport asyncio\n",
            "\nif typing.TYPE_CHECKING:  # docspace-auth: imported where it is used\n    import asyncio\n",
        ),
        (
            "\n        return asyncio.get_running_loop()\n",
            "\n        import asyncio\n        return asyncio.get_running_loop()\n",
        ),
        (
            "\n        return _UniffiRustCallStatus(code=_UniffiRustCallStatus.CALL_SUCCESS, error_buf=_UniffiRustBuffer.default())\n",
            "\n        # docspace-auth: zero-filled by ctypes, i.e. CALL_SUCCESS and an empty buffer\n        return _UniffiRustCallStatus()\n",
        ),
        (
            STRING_LOWER,
            "
    @staticmethod
    def lower(value):
        # docspace-auth: the bytes copied into a new buffer in one call (rustbuffer_from_bytes,
        # whose length is an i32; uniffi's way above that)
        data = value.encode(\"utf-8\")
        if len(data) >= 2**31:
            with _UniffiRustBuffer.alloc_with_builder() as builder:
                builder.write(data)
                return builder.finalize()
        pointer = ctypes.cast(data, ctypes.POINTER(ctypes.c_char))
        return _uniffi_rust_call(_UniffiLib.ffi_docspace_auth_ffi_rustbuffer_from_bytes, _UniffiForeignBytes(len(data), pointer))
",
        ),
        (
            STRING_LIFT,
            "
    @staticmethod
    def lift(buf):
        # docspace-auth: the bytes read in one copy; the buffer freed as before
        try:
            return ctypes.string_at(buf.data, buf.len).decode(\"utf-8\")
        finally:
            buf.free()
",
        ),
    ];
    let mut out = text.to_owned();
    for (from, to) in EDITS {
        let n = out.matches(from).count();
        if n != 1 {
            return Err(format!(
                "expected {from:?} once in uniffi's Python module, found it {n} times"
            ));
        }
        out = out.replacen(from, to, 1);
    }
    let allowed = [
        "if typing.TYPE_CHECKING:  # docspace-auth: imported where it is used",
        "import asyncio",
        "return asyncio.get_running_loop()",
        "def uniffi_set_event_loop(eventloop: asyncio.BaseEventLoop):",
    ];
    if let Some(line) = out
        .lines()
        .map(str::trim)
        .filter(|l| l.contains("asyncio") && !l.starts_with('#'))
        .find(|l| !allowed.contains(l))
    {
        return Err(format!(
            "uniffi's Python module uses asyncio where this patch does not expect it: {line:?}"
        ));
    }
    Ok(out)
}
