"""The calls of a login's path (login, confirm, token; blocking and async), made straight into
the library.

uniffi's generated methods (``_native``) check, lower, call and lift through general-purpose
converters: about a dozen Python frames per method, one more per crossing into the library,
and a foreign call per string to point at its bytes (``ctypes.cast``). A login makes its three
calls here instead: the same C functions the generated module declares, the same crossings in
the same order, the same errors, in a few lines each; the short crossings (a handle cloned, a
buffer made or freed) keep the interpreter lock. Measured on the benchmark's 2FA login
(bench/README.md): 338,000 instructions in the Python process before, 253,000 after, and 251 µs
of CPU down to 204 µs (medians of interleaved runs). Every other call, and any argument these do not take as is (not
a ``str``, 2 GiB or more of UTF-8), goes through the generated methods. The async calls make
their Rust future the same way, then await it with the generated module's own driver
(``_uniffi_rust_call_async``), so a cancelled call behaves as the generated one does; Python
async went from 557,000 instructions a login to 488,000.

What this relies on in the generated module (uniffi is pinned exactly, ffi/Cargo.toml), each
checked by ``tests/test_direct.py`` against the generated path:

- ``_UniffiLib``: the library, each function's ``argtypes`` and ``restype`` set; a call takes a
  ``_UniffiRustCallStatus`` last, which the library writes only when the call fails, and
  ``_uniffi_check_call_status`` raises the error it carries;
- a method consumes a clone of its object's handle (``uniffi_..._fn_clone_<object>``), a string
  argument a buffer (``rustbuffer_from_bytes``), and a returned buffer is the caller's to free;
- an object is made from its handle by ``_uniffi_make_instance``, which owns the handle from
  then on (its ``__del__`` frees it);
- a ``LoginResult`` crosses as a buffer: its variant (i32, 1 ``AUTHENTICATED``, 2
  ``TFA_REQUIRED``) then the object's handle (u64), big-endian.
"""

from __future__ import annotations

import ctypes
import struct
from typing import Any, Callable, List, Optional, Union

from . import _native
from ._native import docspace_auth_ffi as _ffi

_lib: Any = _ffi._UniffiLib
_Status: Any = _ffi._UniffiRustCallStatus
_check: Any = _ffi._uniffi_check_call_status
_AUTH_ERROR: Any = _ffi._UniffiFfiConverterTypeAuthError


class _Utf8(ctypes.Structure):
    """uniffi's ``ForeignBytes`` (an i32 length, then a pointer to the bytes) with the pointer
    typed ``c_char_p``: ctypes points it at a ``bytes`` object's own buffer, and keeps the object
    alive with the structure, without the foreign call that ``ctypes.cast`` makes."""

    _fields_ = [("len", ctypes.c_int32), ("data", ctypes.c_char_p)]


if ctypes.sizeof(_Utf8) != ctypes.sizeof(_ffi._UniffiForeignBytes) or any(
    getattr(_Utf8, name).offset != getattr(_ffi._UniffiForeignBytes, name).offset
    for name in ("len", "data")
):
    raise ImportError("docspace_auth: uniffi's ForeignBytes changed its layout")

# The library's short calls (a handle cloned, a buffer made or freed: no lock, no wait, no call
# back into Python) keep the interpreter lock (ctypes.PyDLL): releasing and taking it back costs
# more than the call. The calls that make requests release it (the generated module's CDLL).
_quick = ctypes.PyDLL(_lib._name)


def _short(name: str, *argtypes: Any) -> Any:
    function = getattr(_quick, name)
    generated = getattr(_lib, name)
    function.argtypes = argtypes or generated.argtypes
    function.restype = generated.restype
    return function


_from_bytes = _short(
    "ffi_docspace_auth_ffi_rustbuffer_from_bytes", _Utf8, ctypes.POINTER(_Status)
)
_free_buffer = _short("ffi_docspace_auth_ffi_rustbuffer_free")
_clone_client = _short("uniffi_docspace_auth_ffi_fn_clone_docspaceclient")
_clone_pending = _short("uniffi_docspace_auth_ffi_fn_clone_pendinglogin")
_clone_session = _short("uniffi_docspace_auth_ffi_fn_clone_session")
_login = _lib.uniffi_docspace_auth_ffi_fn_method_docspaceclient_login_blocking
_confirm = _lib.uniffi_docspace_auth_ffi_fn_method_pendinglogin_confirm_blocking
_token = _lib.uniffi_docspace_auth_ffi_fn_method_session_token
_make_session: Callable[[int], _native.Session] = _native.Session._uniffi_make_instance
_make_pending: Callable[[int], _native.PendingLogin] = _native.PendingLogin._uniffi_make_instance
_LOGIN_RESULT = struct.Struct(">iQ")
_AUTHENTICATED, _TFA_REQUIRED = 1, 2
# rustbuffer_from_bytes takes an i32 length; the generated converter builds longer ones.
_MAX_BYTES = 2**31 - 1


def _lowered(clone: Any, handle: Any, *texts: str) -> Optional[List[Any]]:
    """A method's arguments, lowered: its object's handle cloned, then a buffer per string.
    ``None`` (nothing crossed) when a string is one the generated method lowers instead (not a
    ``str``, or too long for ``rustbuffer_from_bytes``); its errors are then the generated ones.
    (Plain loops: generator expressions here cost about 16,000 instructions a login.)"""
    for text in texts:
        if type(text) is not str:
            return None
    encoded = []
    for text in texts:
        data = text.encode("utf-8")
        if len(data) > _MAX_BYTES:
            return None
        encoded.append(data)
    status = _Status()
    lowered = [clone(handle, status)]
    for data in encoded:
        lowered.append(_from_bytes(_Utf8(len(data), data), status))
    if status.code:
        _check(None, status)
    return lowered


def login(
    client: _native.DocspaceClient, user: str, password: str
) -> Union[_native.Session, _native.PendingLogin]:
    """``client.login_blocking(user, password)``, its result unwrapped: the session, or the
    pending login when a second factor is required."""
    lowered = _lowered(_clone_client, client._handle, user, password)
    if lowered is None:
        return unwrap(client.login_blocking(user, password))
    status = _Status()
    result = _login(*lowered, status)
    if status.code:
        _check(_AUTH_ERROR, status)
    return _login_result(result)


def _login_result(result: Any) -> Union[_native.Session, _native.PendingLogin]:
    """The session or pending login in a ``LoginResult``'s buffer, which this frees."""
    data = result.data[: result.len]
    _free_buffer(result, _Status())
    if len(data) != _LOGIN_RESULT.size:
        raise _ffi.InternalError(f"a login result of {len(data)} bytes")
    variant, handle = _LOGIN_RESULT.unpack(data)
    if handle == 0:
        raise _ffi.InternalError("Raw handle value was null")
    if variant == _TFA_REQUIRED:
        return _make_pending(handle)
    if variant == _AUTHENTICATED:
        return _make_session(handle)
    raise _ffi.InternalError("Raw enum value doesn't match any cases")


def unwrap(result: _native.LoginResult) -> Union[_native.Session, _native.PendingLogin]:
    """The session or the pending login a generated method's ``LoginResult`` holds."""
    if isinstance(result, _native.LoginResult.TFA_REQUIRED):
        return result.pending
    if isinstance(result, _native.LoginResult.AUTHENTICATED):
        return result.session
    raise TypeError(f"unexpected login result {type(result).__name__}")


def confirm(pending: _native.PendingLogin, code: str) -> _native.Session:
    """``pending.confirm_blocking(code)``."""
    lowered = _lowered(_clone_pending, pending._handle, code)
    if lowered is None:
        return pending.confirm_blocking(code)
    status = _Status()
    session = _confirm(*lowered, status)
    if status.code:
        _check(_AUTH_ERROR, status)
    return _make_session(session)


def token(session: _native.Session) -> str:
    """``session.token()``."""
    status = _Status()
    result = _token(_clone_session(session._handle, status), status)
    if status.code:
        _check(_AUTH_ERROR, status)
    try:
        text: str = result.data[: result.len].decode("utf-8")
        return text
    finally:
        _free_buffer(result, status)


_login_async = _lib.uniffi_docspace_auth_ffi_fn_method_docspaceclient_login
_confirm_async = _lib.uniffi_docspace_auth_ffi_fn_method_pendinglogin_confirm
_call_async: Any = _ffi._uniffi_rust_call_async
_poll_buffer = _lib.ffi_docspace_auth_ffi_rust_future_poll_rust_buffer
_complete_buffer = _lib.ffi_docspace_auth_ffi_rust_future_complete_rust_buffer
_free_future_buffer = _lib.ffi_docspace_auth_ffi_rust_future_free_rust_buffer
_poll_u64 = _lib.ffi_docspace_auth_ffi_rust_future_poll_u64
_complete_u64 = _lib.ffi_docspace_auth_ffi_rust_future_complete_u64
_free_future_u64 = _lib.ffi_docspace_auth_ffi_rust_future_free_u64


async def login_async(
    client: _native.DocspaceClient, user: str, password: str
) -> Union[_native.Session, _native.PendingLogin]:
    """``await client.login(user, password)``, its result unwrapped."""
    lowered = _lowered(_clone_client, client._handle, user, password)
    if lowered is None:
        return unwrap(await client.login(user, password))
    result: Union[_native.Session, _native.PendingLogin] = await _call_async(
        _login_async(*lowered),
        _poll_buffer, _complete_buffer, _free_future_buffer, _login_result, _AUTH_ERROR,
    )
    return result


async def confirm_async(pending: _native.PendingLogin, code: str) -> _native.Session:
    """``await pending.confirm(code)``."""
    lowered = _lowered(_clone_pending, pending._handle, code)
    if lowered is None:
        return await pending.confirm(code)
    session: _native.Session = await _call_async(
        _confirm_async(*lowered),
        _poll_u64, _complete_u64, _free_future_u64, _make_session, _AUTH_ERROR,
    )
    return session
