//! The project's bindgen (`cargo run --bin uniffi-bindgen --manifest-path ffi/Cargo.toml
//! --features bindgen-cli`): maturin looks for a `uniffi-bindgen` bin in the crate it builds, and
//! `scripts/lib/uniffi-bindgen.sh` runs the same for Kotlin, Swift, Android and the XCFramework, so
//! that one build of it serves every binding. Same uniffi version as the library. Only built with
//! the `bindgen-cli` feature, never part of an app build.
//!
//! After uniffi has generated the Python module, these patches (as `bindings/swift/scripts/` patches
//! the Swift sources), each of which must apply exactly once:
//! - the module imports `asyncio` only where it uses it. uniffi's template imports it at the top,
//!   and it is most of `import docspace_auth`'s time (about 35 ms of 95 ms here) and memory for a
//!   synchronous program; a program that awaits a call has imported it already.
//!   `bindings/python/tests/test_installed.py` checks that the installed package does not import it;
//! - nor does it import `platform`, `traceback` and `itertools`, which it does not use, and its
//!   records and enum variants are plain classes: uniffi decorates them with `dataclass`, but each
//!   defines its own `__init__`, `__str__` and `__eq__` and declares no field, so that the
//!   decorator only added an empty `__repr__`, making each method with `exec`. Together these
//!   were more than half of `import docspace_auth` (medians of 15 interleaved fresh interpreters,
//!   on a slow spell of this VM: 101 ms before, 45 ms after); a class that would need the
//!   decorator fails the import, and a use of the dropped modules fails the build;
//! - a string crosses in one copy: into the library with `rustbuffer_from_bytes` (one call), back
//!   with `ctypes.string_at` then the buffer's free, instead of uniffi's buffer builder and stream
//!   in generator context managers. With the zero-filled call status (below), a 2FA login's CPU in
//!   Python sync went from about 255 µs to 210 µs here;
//! - every call into the library (`_uniffi_rust_call_with_error`) starts from a call status that
//!   ctypes zero-fills, the same value as uniffi's `default()` (`CALL_SUCCESS` is 0, the empty
//!   buffer all zeros), which builds it with keyword arguments and a default buffer (1.3 µs here,
//!   13 times per 2FA login, against a tenth of that); the status is looked at only when it is not
//!   a success, and the call is made without building a new argument tuple.
//!   `_uniffi_rust_call` is that function with no error converter (`functools.partial`), not a
//!   second Python frame (about 2 µs a login);
//! - records, enums and objects are read from one copy of their buffer (`ctypes.string_at`), not
//!   a slice of the ctypes pointer per field, and without a generator context manager around it
//!   (`_UniffiConverterRustBuffer.lift`). With the previous edit, sync 207 µs to 194 µs;
//! - async calls (uniffi's foreign-future protocol): a continuation that the library calls back
//!   during the poll itself, on the event loop's thread (the future was ready), completes the
//!   Python future there instead of writing to the loop's self-pipe and waiting for the loop's
//!   next turn; one that a library thread calls back keeps that thread's Python thread state
//!   (one `PyGILState_Ensure` per such thread, never released) instead of ctypes creating and
//!   destroying one (a 16 KiB mapping, a `gettid`) per call back. Python async 467 µs to 372 µs
//!   (355 µs with the two edits before). The per-thread flags this reads have class defaults, so
//!   that the library thread, which never sets `polling`, does not raise and catch an
//!   `AttributeError` per call back (488,000 to 481,000 instructions a login).

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

/// uniffi's `_uniffi_rust_call_with_error`: a new argument tuple, the status checked in a call.
const CALL_WITH_ERROR: &str = "
def _uniffi_rust_call_with_error(error_ffi_converter, fn, *args):
    # Call a rust function and handle any errors
    #
    # This function is used for rust calls that return Result<> and therefore can set the CALL_ERROR status code.
    # error_ffi_converter must be set to the _UniffiConverter for the error class that corresponds to the result.
    call_status = _UniffiRustCallStatus.default()

    args_with_error = args + (ctypes.byref(call_status),)
    result = fn(*args_with_error)
    _uniffi_check_call_status(error_ffi_converter, call_status)
    return result
";

/// uniffi's continuation callback: always through `call_soon_threadsafe`.
const CONTINUATION_CALLBACK: &str = "
def _uniffi_continuation_callback(future_ptr, poll_code):
    (eventloop, future) = _UniffiContinuationHandleMap.remove(future_ptr)
    eventloop.call_soon_threadsafe(_uniffi_set_future_result, future, poll_code)
";

const NO_DATACLASS: &str = "
def dataclass(cls):
    # docspace-auth: uniffi decorates its records and enum variants with dataclasses' `dataclass`,
    # but each defines its own __init__, __str__ and __eq__ and declares no field: the decorator
    # only added an empty __repr__, and was most of this module's import time (dataclasses
    # imports inspect, and makes each method it adds with exec). A class that would need it
    # fails the import instead.
    if \"__init__\" not in vars(cls) or vars(cls).get(\"__annotations__\"):
        raise ImportError(f\"docspace_auth: uniffi's {cls.__qualname__} needs dataclasses\")
    return cls
";

/// Every edit must apply exactly once, and afterwards `asyncio` may appear only in an annotation
/// and in the function that imports it: a uniffi whose template differs fails the build here.
fn patch_python(text: &str) -> Result<String, String> {
    const EDITS: [(&str, &str); 15] = [
        ("\nfrom dataclasses import dataclass\n", NO_DATACLASS),
        ("\nimport itertools\nimport traceback\n", "\n"),
        ("\nimport platform\n", "\n"),
        (
            "\nimport asyncio\n",
            "\nif typing.TYPE_CHECKING:  # docspace-auth: imported where it is used\n    import asyncio\n",
        ),
        (
            "\nimport threading\n",
            "\nimport functools  # docspace-auth: for _uniffi_rust_call\nimport threading\n",
        ),
        (
            "\n        return asyncio.get_running_loop()\n",
            "\n        import asyncio\n        return asyncio.get_running_loop()\n",
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
        (
            "
def _uniffi_rust_call(fn, *args):
    # Call a rust function
    return _uniffi_rust_call_with_error(None, fn, *args)
",
            "
# docspace-auth: _uniffi_rust_call is defined after _uniffi_rust_call_with_error, below
",
        ),
        (
            CALL_WITH_ERROR,
            "
def _uniffi_rust_call_with_error(error_ffi_converter, fn, *args):
    # docspace-auth: the status zero-filled by ctypes (CALL_SUCCESS and an empty buffer, the
    # value uniffi's default() builds with keyword arguments, for a tenth of the time), passed as
    # is (ctypes passes it by reference for its POINTER argument type), and looked at only when it
    # is not a success
    call_status = _UniffiRustCallStatus()
    result = fn(*args, call_status)
    if call_status.code != _UniffiRustCallStatus.CALL_SUCCESS:
        _uniffi_check_call_status(error_ffi_converter, call_status)
    return result

# docspace-auth: without an error converter, and without a Python frame of its own (handles are
# cloned and freed, and buffers made and freed, this way: ten calls a login)
_uniffi_rust_call = functools.partial(_uniffi_rust_call_with_error, None)
",
        ),
        (
            "
    @classmethod
    def from_rust_buffer(cls, buf):
        return cls(buf.data, buf.len)
",
            "
    @classmethod
    def from_rust_buffer(cls, buf):
        # docspace-auth: one copy of the whole buffer, read field by field from the bytes
        return cls(ctypes.string_at(buf.data, buf.len), buf.len)
",
        ),
        (
            "
        value = struct.unpack(format, self.data[self.offset:self.offset+size])[0]
",
            "
        value = struct.unpack_from(format, self.data, self.offset)[0]
",
        ),
        (
            "
    @classmethod
    def lift(cls, rbuf):
        with rbuf.consume_with_stream() as stream:
            return cls.read(stream)
",
            "
    @classmethod
    def lift(cls, rbuf):
        # docspace-auth: consume_with_stream without the generator context manager
        try:
            stream = _UniffiRustBufferStream.from_rust_buffer(rbuf)
            value = cls.read(stream)
            if stream.remaining() != 0:
                raise RuntimeError(f\"junk data left in buffer at end of consume_with_stream {stream.remaining()}\")
            return value
        finally:
            rbuf.free()
",
        ),
        (
            CONTINUATION_CALLBACK,
            "
def _uniffi_continuation_callback(future_ptr, poll_code):
    (eventloop, future) = _UniffiContinuationHandleMap.remove(future_ptr)
    # docspace-auth: called back during the poll, on the loop's own thread: completed here (its
    # coroutine then does not wait at all); from another thread, through the loop as before
    if _uniffi_thread.polling is eventloop:
        _uniffi_set_future_result(future, poll_code)
        return
    if not _uniffi_thread.kept:
        # docspace-auth: a library thread that calls back gets a Python thread state from ctypes,
        # made for the call and destroyed after it; one more PyGILState_Ensure, never released,
        # keeps it (and this flag with it) for the thread's next calls back
        _uniffi_thread.kept = True
        ctypes.pythonapi.PyGILState_Ensure()
    eventloop.call_soon_threadsafe(_uniffi_set_future_result, future, poll_code)

class _UniffiThread(threading.local):
    # docspace-auth: per thread, the loop whose future it is polling (see the poll below), and
    # whether its Python thread state is kept; class defaults for a thread that never set them
    # (a library thread's `polling`), instead of an AttributeError raised and caught per read
    polling = None
    kept = False

_uniffi_thread = _UniffiThread()
",
        ),
        (
            "
            ffi_poll(
                rust_future,
                _uniffi_continuation_callback,
                _UniffiContinuationHandleMap.insert((eventloop, future)),
            )
",
            "
            _uniffi_thread.polling = eventloop
            try:
                ffi_poll(
                    rust_future,
                    _uniffi_continuation_callback,
                    _UniffiContinuationHandleMap.insert((eventloop, future)),
                )
            finally:
                _uniffi_thread.polling = None
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
    // The modules it no longer imports (`sys.platform` is not `platform`).
    if let Some(line) = out.lines().find(|l| {
        let code = l.trim_start();
        !code.starts_with('#')
            && (code.contains("traceback.")
                || code.contains("itertools.")
                || code.replace("sys.platform", "").contains("platform."))
    }) {
        return Err(format!(
            "uniffi's Python module uses a module this patch does not import: {line:?}"
        ));
    }
    Ok(out)
}
