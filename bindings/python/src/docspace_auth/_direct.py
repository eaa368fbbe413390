"""The calls of a login's path (login, confirm, token; blocking and async), made straight into
the library.

uniffi's generated methods (``_native``) check, lower, call and lift through general-purpose
converters: about a dozen Python frames per method, and a crossing into the library per handle
(cloned for the call), per string (copied into a buffer) and per returned buffer (freed): 13
crossings for a 2FA login, each hundreds of nanoseconds of ctypes. A login makes its calls here
instead, into the library's direct entry points (``ffi/src/direct.rs``): the same methods,
reached with the object's handle borrowed, each string as a pointer to its UTF-8 bytes and their
length, a login's outcome as one tagged handle, and the token copied into a buffer of Python's;
5 crossings with the two objects' frees. The short crossings (the token read, an async call
begun or stepped, a future made) keep the
interpreter lock; the blocking requests release it (a ``CDLL`` function). Every other call, and
any argument these do not take as is (not a ``str``), goes through the generated methods.

The async calls, on Unix, are tasks that the running loop steps on its own thread
(``ffi/src/stepped/``): a step runs the call until it waits for a socket or a deadline, and
the loop steps it again when one is ready, so that no thread of the library's takes part and no
hand-off brings each answer back to the loop's thread. On Linux the waits go into the library's
reactor (an epoll instance per thread, ``ffi/src/reactor.rs``), which the loop watches as one
file descriptor, and a call crosses three times (begun and stepped once, stepped on when the
reactor names it, output and free included); elsewhere the loop watches each wait's sockets and
deadline itself. A cancelled call is abandoned, and what it must still finish (a request under
way, the pending login's state put back) is stepped to its end in a task of the loop's, as the
library's runtime would run it.
Where a loop cannot watch sockets (Windows' proactor loop, or no stepped calls in the library),
they await a uniffi future with the generated module's own driver (``_uniffi_rust_call_async``).

Measured on the benchmark's 2FA login (bench/README.md, ``bench/instructions.sh``): see the
table there for each step since the generated path.

What this relies on in the generated module (uniffi is pinned exactly, ffi/Cargo.toml), each
checked by ``tests/test_direct.py`` against the generated path:

- ``_UniffiLib``: the library, loaded; ``_UniffiRustCallStatus``, which a call takes last and
  the library writes only when the call fails; ``_uniffi_check_call_status``, which raises the
  error it carries (the direct entry points make their errors as the generated functions do);
- an object is made from its handle by ``_uniffi_make_instance``, which owns the handle from
  then on (its ``__del__`` frees it), and holds it in ``_handle``;
- a future's handle is polled, completed and freed with the generated ``rust_future_*_u64``
  functions.
"""

from __future__ import annotations

import ctypes
import threading
from ctypes import POINTER, c_char_p, c_double, c_size_t, c_uint32, c_uint64
from typing import TYPE_CHECKING, Any, Awaitable, Callable, TypeVar, Union, cast

if TYPE_CHECKING:
    import asyncio  # imported by the async calls, when a loop runs (an import of asyncio costs)

from . import _native
from ._native import docspace_auth_ffi as _ffi

_T = TypeVar("_T")

_lib: Any = _ffi._UniffiLib
_Status: Any = _ffi._UniffiRustCallStatus
_check: Any = _ffi._uniffi_check_call_status
_AUTH_ERROR: Any = _ffi._UniffiFfiConverterTypeAuthError

# The requests release the interpreter lock while they wait (the generated module's library, a
# ctypes.CDLL); the short calls (no lock, no wait, no call back into Python) keep it
# (ctypes.PyDLL): releasing it and taking it back costs more than they do.
_quick = ctypes.PyDLL(_lib._name)


def _declare(library: Any, name: str, restype: Any, *argtypes: Any) -> Any:
    function = getattr(library, name)
    function.argtypes = argtypes
    function.restype = restype
    return function


_Text = (c_char_p, c_size_t)  # a string: its UTF-8 bytes (a bytes object's own) and their length
_STATUS = POINTER(_Status)
_login = _declare(
    _lib, "docspace_auth_ffi_direct_login_blocking", c_uint64, c_uint64, *_Text, *_Text, _STATUS
)
_confirm = _declare(
    _lib, "docspace_auth_ffi_direct_confirm_blocking", c_uint64, c_uint64, *_Text, _STATUS
)
_token_into = _declare(
    _quick, "docspace_auth_ffi_direct_session_token_into", c_uint64, c_uint64, c_char_p, c_size_t, _STATUS
)
_login_async = _declare(_quick, "docspace_auth_ffi_direct_login", c_uint64, c_uint64, *_Text, *_Text)
_confirm_async = _declare(_quick, "docspace_auth_ffi_direct_confirm", c_uint64, c_uint64, *_Text)
_make_session: Callable[[int], _native.Session] = _native.Session._uniffi_make_instance
_make_pending: Callable[[int], _native.PendingLogin] = _native.PendingLogin._uniffi_make_instance
# A login's outcome: its object's handle, the lowest bit set for a pending login (a Rust
# handle, an aligned pointer, never has it).
_PENDING = 1


def _outcome(handle: int) -> Union[_native.Session, _native.PendingLogin]:
    """The session or pending login a login's outcome holds."""
    if handle & _PENDING:
        return _make_pending(handle & ~_PENDING)
    return _make_session(handle)


def login(
    client: _native.DocspaceClient, user: str, password: str
) -> Union[_native.Session, _native.PendingLogin]:
    """``client.login_blocking(user, password)``, its result unwrapped: the session, or the
    pending login when a second factor is required."""
    if type(user) is not str or type(password) is not str:
        return unwrap(client.login_blocking(user, password))
    user_bytes = user.encode("utf-8")
    password_bytes = password.encode("utf-8")
    status = _Status()
    handle = _login(
        client._handle, user_bytes, len(user_bytes), password_bytes, len(password_bytes), status
    )
    if status.code:
        _check(_AUTH_ERROR, status)
    return _outcome(handle)


def unwrap(result: _native.LoginResult) -> Union[_native.Session, _native.PendingLogin]:
    """The session or the pending login a generated method's ``LoginResult`` holds."""
    if isinstance(result, _native.LoginResult.TFA_REQUIRED):
        return result.pending
    if isinstance(result, _native.LoginResult.AUTHENTICATED):
        return result.session
    raise TypeError(f"unexpected login result {type(result).__name__}")


def confirm(pending: _native.PendingLogin, code: str) -> _native.Session:
    """``pending.confirm_blocking(code)``."""
    if type(code) is not str:
        return pending.confirm_blocking(code)
    code_bytes = code.encode("utf-8")
    status = _Status()
    handle = _confirm(pending._handle, code_bytes, len(code_bytes), status)
    if status.code:
        _check(_AUTH_ERROR, status)
    return _make_session(handle)


_TOKEN_ROOM = 1024  # a DocSpace token's bytes fit in it (a longer one takes a second crossing)
_TokenRoom = ctypes.c_char * _TOKEN_ROOM


def token(session: _native.Session) -> str:
    """``session.token()``: copied by the library into a buffer of Python's (one crossing)."""
    status = _Status()
    room = _TokenRoom()
    length = _token_into(session._handle, room, _TOKEN_ROOM, status)
    if status.code:
        _check(_AUTH_ERROR, status)
    if length > _TOKEN_ROOM:
        room = (ctypes.c_char * length)()
        length = _token_into(session._handle, room, length, status)
        if status.code:
            _check(_AUTH_ERROR, status)
    # A slice of a c_char array is bytes (typeshed says a list).
    text: str = cast(bytes, room[:length]).decode("utf-8")
    return text


_call_async: Any = _ffi._uniffi_rust_call_async
_poll_u64 = _lib.ffi_docspace_auth_ffi_rust_future_poll_u64
_complete_u64 = _lib.ffi_docspace_auth_ffi_rust_future_complete_u64
_free_future_u64 = _lib.ffi_docspace_auth_ffi_rust_future_free_u64

# The async calls are tasks that the running event loop steps on its own thread
# (``ffi/src/stepped/``): each step runs the call until it waits, and names the sockets to
# watch and the time to step again by. Where the library has none (not a Unix system), or the
# loop cannot watch a socket (Windows' proactor loop), they await a uniffi future instead.
_STEPPED = hasattr(_quick, "docspace_auth_ffi_direct_step")
if _STEPPED:
    _login_task = _declare(
        _quick, "docspace_auth_ffi_direct_login_task", c_uint64, c_uint64, *_Text, *_Text, _STATUS
    )
    _confirm_task = _declare(
        _quick, "docspace_auth_ffi_direct_confirm_task", c_uint64, c_uint64, *_Text, _STATUS
    )
    _step = _declare(
        _quick,
        "docspace_auth_ffi_direct_step",
        c_uint32,
        c_uint64,
        POINTER(c_uint64),
        c_size_t,
        POINTER(c_double),
        _STATUS,
    )
    _step_output = _declare(_quick, "docspace_auth_ffi_direct_step_output", c_uint64, c_uint64, _STATUS)
    _step_abandon = _declare(_quick, "docspace_auth_ffi_direct_step_abandon", None, c_uint64, _STATUS)
    _step_free = _declare(_quick, "docspace_auth_ffi_direct_step_free", None, c_uint64)

_FDS = 4  # the most file descriptors a step names (a request's socket, the task's wake-up one)
_Fds = c_uint64 * _FDS
_READABLE = 1

# On Linux the library keeps the waits of a thread's tasks in a reactor of its own (an epoll
# instance, ``ffi/src/reactor.rs``) that the loop watches as one file descriptor, registered once
# per loop: a wait then costs the loop no registration of its own, and one turn of the loop hears
# of every ready task. Elsewhere each wait's sockets and deadline are given to the loop.
_REACTOR = _STEPPED and hasattr(_quick, "docspace_auth_ffi_direct_reactor_fd")
if _REACTOR:
    _reactor_fd = _declare(_quick, "docspace_auth_ffi_direct_reactor_fd", ctypes.c_int32, _STATUS)
    _step_registered = _declare(
        _quick, "docspace_auth_ffi_direct_step_registered", c_uint32, c_uint64, _STATUS
    )
    _reactor_ready = _declare(
        _quick, "docspace_auth_ffi_direct_reactor_ready", c_uint32, POINTER(c_uint64), c_size_t,
        _STATUS,
    )
# With the reactor, a call is begun in one crossing that also steps it once (``*_begin``), and
# stepped on in one crossing that also takes its output and frees it once it is done
# (``step_on``): a call that waits answers its task's handle with this bit set.
if _REACTOR:
    _login_begin = _declare(
        _quick, "docspace_auth_ffi_direct_login_begin", c_uint64, c_uint64, *_Text, *_Text, _STATUS
    )
    _confirm_begin = _declare(
        _quick, "docspace_auth_ffi_direct_confirm_begin", c_uint64, c_uint64, *_Text, _STATUS
    )
    _step_on = _declare(_quick, "docspace_auth_ffi_direct_step_on", c_uint64, c_uint64, _STATUS)
_WAITING = 2
_READY = 64  # the most ready tasks one call hears of
_Ready = c_uint64 * _READY


class _Waiters(threading.local):
    """This thread's tasks waiting in its reactor (by handle), the loop that watches it, and what
    hearing of the ready ones takes (made once per thread)."""

    loop: "asyncio.AbstractEventLoop | None" = None
    futures: "dict[int, asyncio.Future[None]]"

    def __init__(self) -> None:
        self.futures = {}
        self.ready = _Ready()
        self.status = _Status()


_waiters = _Waiters()


def _watch_reactor(loop: "asyncio.AbstractEventLoop") -> "dict[int, asyncio.Future[None]]":
    """The waiting tasks' futures of this thread; its reactor watched by ``loop`` from now on."""
    waiters = _waiters
    if waiters.loop is not loop:
        status = _Status()
        fd = _reactor_fd(status)
        if status.code:
            _check(_AUTH_ERROR, status)
        loop.add_reader(fd, _on_reactor_ready, waiters)
        waiters.loop = loop
    return waiters.futures


def _on_reactor_ready(waiters: _Waiters) -> None:
    """The reactor is readable: each task that may go on has its future done."""
    futures, ready, status = waiters.futures, waiters.ready, waiters.status
    while True:
        count = _reactor_ready(ready, _READY, status)
        if status.code:
            _check(_AUTH_ERROR, status)
        for i in range(count):
            waiter = futures.pop(ready[i], None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
        if count < _READY:
            return


async def _begun(loop: "asyncio.AbstractEventLoop", begun: int, make: Callable[[int], _T]) -> _T:
    """A begun call's output, made by ``make``: ``begun`` itself if it is done, else its task's
    once stepped on ``loop`` each time the reactor says it may go on. Cancelled, the call is
    abandoned and what it must still finish is stepped to its end in a task of the loop's
    (``_finish``)."""
    if not begun & _WAITING:
        return make(begun)
    task = begun ^ _WAITING
    futures = _watch_reactor(loop)
    status = _Status()
    while True:
        waiter = futures[task] = loop.create_future()
        try:
            await waiter
        except BaseException as error:
            if futures.get(task) is waiter:
                del futures[task]
            import asyncio

            if isinstance(error, asyncio.CancelledError):
                _step_abandon(task, status)
                loop.create_task(_finish(loop, task))
            else:
                _step_free(task)
            raise
        begun = _step_on(task, status)
        if status.code:
            _check(_AUTH_ERROR, status)
        if not begun & _WAITING:
            return make(begun)


def _wake(waiter: "asyncio.Future[None]") -> None:
    if not waiter.done():
        waiter.set_result(None)


async def _stepped(loop: "asyncio.AbstractEventLoop", task: int) -> int:
    """Steps ``task`` on ``loop`` (the running one) until it is done, then its output (a handle);
    frees it. Cancelled, it abandons the call and steps what must still finish (a request under
    way) in a task of the loop's own."""
    import asyncio

    try:
        await _steps(loop, task)
    except asyncio.CancelledError:
        status = _Status()
        _step_abandon(task, status)
        loop.create_task(_finish(loop, task))
        raise
    except BaseException:
        _step_free(task)
        raise
    status = _Status()
    output: int = _step_output(task, status)
    _step_free(task)
    if status.code:
        _check(_AUTH_ERROR, status)
    return output


async def _finish(loop: "asyncio.AbstractEventLoop", task: int) -> None:
    """Steps an abandoned task until what it left is done, then frees it."""
    try:
        await _steps(loop, task)
    except BaseException:
        pass
    finally:
        _step_free(task)


async def _steps(loop: "asyncio.AbstractEventLoop", task: int) -> None:
    """Steps ``task`` until a step says it is done, waiting on ``loop`` between steps."""
    status = _Status()
    if _REACTOR:
        futures = _watch_reactor(loop)
        while True:
            waiting = _step_registered(task, status)
            if status.code:
                _check(_AUTH_ERROR, status)
            if not waiting:
                return
            waiter = futures[task] = loop.create_future()
            try:
                await waiter
            finally:
                if futures.get(task) is waiter:
                    del futures[task]
    fds = _Fds()
    timeout = c_double()
    while True:
        count = _step(task, fds, _FDS, timeout, status)
        if status.code:
            _check(_AUTH_ERROR, status)
        if not count:
            return
        waiter = loop.create_future()
        watched = [(fds[i] >> 2, fds[i] & _READABLE) for i in range(count - 1)]
        for fd, readable in watched:
            if readable:
                loop.add_reader(fd, _wake, waiter)
            else:
                loop.add_writer(fd, _wake, waiter)
        timer = loop.call_later(timeout.value, _wake, waiter) if timeout.value >= 0 else None
        try:
            await waiter
        finally:
            for fd, readable in watched:
                if readable:
                    loop.remove_reader(fd)
                else:
                    loop.remove_writer(fd)
            if timer is not None:
                timer.cancel()


_running_loop: Any = None  # asyncio.get_running_loop, once asyncio is imported
_Proactor: Any = ()  # asyncio.ProactorEventLoop where there is one (Windows)


def _stepping_loop() -> "asyncio.AbstractEventLoop | None":
    """The running loop if it steps the calls: the library has stepped calls and the loop can
    watch a socket (not Windows' proactor loop); else ``None``."""
    global _running_loop, _Proactor
    if not _STEPPED:
        return None
    if _running_loop is None:
        import asyncio

        _Proactor = getattr(asyncio, "ProactorEventLoop", ())
        _running_loop = asyncio.get_running_loop
    loop: "asyncio.AbstractEventLoop" = _running_loop()
    if _Proactor and isinstance(loop, _Proactor):
        return None
    return loop


_Login = Union[_native.Session, _native.PendingLogin]


def login_async(client: _native.DocspaceClient, user: str, password: str) -> Awaitable[_Login]:
    """``client.login(user, password)``, its result unwrapped, to await at once: on the reactor
    the call begins here, and the awaitable steps it on (one coroutine between the caller's and
    the loop, instead of one per layer)."""
    if type(user) is not str or type(password) is not str:
        return _unwrapped(client.login(user, password))
    user_bytes = user.encode("utf-8")
    password_bytes = password.encode("utf-8")
    loop = _stepping_loop()
    if loop is not None and _REACTOR:
        status = _Status()
        begun = _login_begin(
            client._handle, user_bytes, len(user_bytes), password_bytes, len(password_bytes), status
        )
        if status.code:
            _check(_AUTH_ERROR, status)
        return _begun(loop, begun, _outcome)
    return _login_elsewhere(loop, client, user_bytes, password_bytes)


async def _unwrapped(login: Awaitable[_native.LoginResult]) -> _Login:
    return unwrap(await login)


async def _login_elsewhere(
    loop: "asyncio.AbstractEventLoop | None",
    client: _native.DocspaceClient,
    user_bytes: bytes,
    password_bytes: bytes,
) -> _Login:
    """A login stepped by ``loop`` watching each wait itself, or (no loop) a uniffi future."""
    if loop is not None:
        status = _Status()
        task = _login_task(
            client._handle, user_bytes, len(user_bytes), password_bytes, len(password_bytes), status
        )
        if status.code:
            _check(_AUTH_ERROR, status)
        return _outcome(await _stepped(loop, task))
    future = _login_async(
        client._handle, user_bytes, len(user_bytes), password_bytes, len(password_bytes)
    )
    result: _Login = await _call_async(
        future, _poll_u64, _complete_u64, _free_future_u64, _outcome, _AUTH_ERROR
    )
    return result


def confirm_async(pending: _native.PendingLogin, code: str) -> Awaitable[_native.Session]:
    """``pending.confirm(code)``, to await at once (as :func:`login_async`)."""
    if type(code) is not str:
        return pending.confirm(code)
    code_bytes = code.encode("utf-8")
    loop = _stepping_loop()
    if loop is not None and _REACTOR:
        status = _Status()
        begun = _confirm_begin(pending._handle, code_bytes, len(code_bytes), status)
        if status.code:
            _check(_AUTH_ERROR, status)
        return _begun(loop, begun, _make_session)
    return _confirm_elsewhere(loop, pending, code_bytes)


async def _confirm_elsewhere(
    loop: "asyncio.AbstractEventLoop | None", pending: _native.PendingLogin, code_bytes: bytes
) -> _native.Session:
    """A confirmation stepped by ``loop`` watching each wait itself, or (no loop) a uniffi future."""
    if loop is not None:
        status = _Status()
        task = _confirm_task(pending._handle, code_bytes, len(code_bytes), status)
        if status.code:
            _check(_AUTH_ERROR, status)
        return _make_session(await _stepped(loop, task))
    session: _native.Session = await _call_async(
        _confirm_async(pending._handle, code_bytes, len(code_bytes)),
        _poll_u64, _complete_u64, _free_future_u64, _make_session, _AUTH_ERROR,
    )
    return session
