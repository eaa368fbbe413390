"""The login's direct calls (``docspace_auth._direct``) against the generated methods they stand
in for, blocking and async: the same results, the same errors, the same bytes across, on a real
emulator."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from typing import Any, Awaitable, Callable, List, Tuple, Union

import pytest

import docspace_auth
from docspace_auth import Client, PendingLogin, Session, _direct, _native
from docspace_auth._native import docspace_auth_ffi as ffi

from conftest import ALICE, BOB, BOB_SECRET, Emulator

Native = Union[_native.Session, _native.PendingLogin]


def native_client(emulator: Emulator) -> _native.DocspaceClient:
    client = Client(emulator.url)
    native: _native.DocspaceClient = client._native
    return native


def generated_login(client: _native.DocspaceClient, user: Any, password: Any) -> Native:
    result = client.login_blocking(user, password)
    if isinstance(result, _native.LoginResult.TFA_REQUIRED):
        return result.pending
    assert isinstance(result, _native.LoginResult.AUTHENTICATED), result
    return result.session


def native_error(call: Callable[[], object]) -> Tuple[str, str]:
    """The native error ``call`` raises: its variant's name and its message."""
    with pytest.raises(_native.AuthError) as caught:
        call()
    return type(caught.value).__name__, str(caught.value)


@pytest.mark.parametrize("tail", ["\x00", "\x00x", " ✓", "é" * 5_000])
def test_a_string_crosses_whole(emulator: Emulator, tail: str) -> None:
    """Every byte of a string reaches the portal: a password with a tail after a NUL or after
    non-ASCII characters is the wrong password, not the right one cut short (nor half a
    character, which is no UTF-8)."""
    client = native_client(emulator)
    error = native_error(lambda: _direct.login(client, BOB[0], BOB[1] + tail))
    assert error[0] == "InvalidCredentials"
    assert isinstance(_direct.login(client, *BOB), _native.PendingLogin)


def test_a_login_that_needs_a_code_gives_the_same_pending_login(emulator: Emulator) -> None:
    client = native_client(emulator)
    direct = _direct.login(client, *BOB)
    generated = generated_login(client, *BOB)
    assert isinstance(direct, _native.PendingLogin) and isinstance(generated, _native.PendingLogin)
    assert direct.user() == generated.user() == BOB[0]
    assert direct.challenge() == generated.challenge()


def test_a_login_without_a_second_factor_gives_a_session(emulator: Emulator) -> None:
    client = native_client(emulator)
    direct = _direct.login(client, *ALICE)
    assert isinstance(direct, _native.Session)
    assert _direct.token(direct) == direct.token()
    assert direct.is_valid_blocking()
    assert isinstance(generated_login(client, *ALICE), _native.Session)


def test_a_token_of_any_length_comes_across_whole(emulator: Emulator) -> None:
    """The library copies the token into a buffer of Python's (1,024 bytes); a longer one takes
    a second crossing with room enough. Every byte comes across, at the room's size and either
    side of it."""
    options = ffi.ClientOptions(
        timeout=None, connect_timeout=None, extra_root_certificate_pem=None, session=False,
        user_agent=None, hash_password=False,
    )
    room = _direct._TOKEN_ROOM
    graphic = "".join(chr(c) for c in range(0x21, 0x7F))  # a token is printable ASCII
    for length in [1, room - 1, room, room + 1, 3 * room + 7]:
        token = (graphic * (length // len(graphic) + 1))[:length]
        session = _native.Session.resume(emulator.url, token, options)
        assert _direct.token(session) == session.token() == token, length


def test_confirm_and_token_as_the_generated_methods(emulator: Emulator) -> None:
    client = native_client(emulator)
    pending = _direct.login(client, *BOB)
    assert isinstance(pending, _native.PendingLogin)
    session = _direct.confirm(pending, docspace_auth.totp_now(BOB_SECRET))
    token = _direct.token(session)
    assert token and token == session.token()
    assert _native.Session.resume(emulator.url, token, ffi.ClientOptions(
        timeout=None, connect_timeout=None, extra_root_certificate_pem=None, session=False,
        user_agent=None, hash_password=False,
    )).is_valid_blocking()
    # The pending login is used up, for either path.
    code = docspace_auth.totp_now(BOB_SECRET)
    assert native_error(lambda: _direct.confirm(pending, code))[0] == "AlreadyUsed"
    assert native_error(lambda: pending.confirm_blocking(code))[0] == "AlreadyUsed"


def test_the_same_errors(emulator: Emulator) -> None:
    client = native_client(emulator)
    wrong_password = [
        native_error(lambda: login(client, BOB[0], "wrong-pass"))
        for login in (_direct.login, generated_login)
    ]
    assert wrong_password[0] == wrong_password[1]
    assert wrong_password[0][0] == "InvalidCredentials"

    pending = _direct.login(client, *BOB)
    assert isinstance(pending, _native.PendingLogin)
    wrong = "999999" if docspace_auth.totp_now(BOB_SECRET) != "999999" else "999998"
    for confirm in (_direct.confirm, _native.PendingLogin.confirm_blocking):
        assert native_error(lambda: confirm(pending, "12345"))[0] == "InvalidCodeFormat"
        assert native_error(lambda: confirm(pending, wrong))[0] == "CodeRejected"

    session = _direct.confirm(pending, docspace_auth.totp_now(BOB_SECRET))
    session.logout_blocking()
    assert native_error(lambda: _direct.token(session)) == native_error(session.token)
    assert native_error(session.token)[0] == "AlreadyUsed"


def test_arguments_it_does_not_take_go_to_the_generated_methods(emulator: Emulator) -> None:
    client = native_client(emulator)
    with pytest.raises(TypeError, match="argument must be str, not bytes"):
        _direct.login(client, b"bob@example.com", BOB[1])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="argument must be str, not int"):
        _direct.login(client, BOB[0], 1234)  # type: ignore[arg-type]

    class Text(str):
        pass

    pending = _direct.login(client, Text(BOB[0]), Text(BOB[1]))
    assert isinstance(pending, _native.PendingLogin)
    with pytest.raises(TypeError, match="argument must be str, not NoneType"):
        _direct.confirm(pending, None)  # type: ignore[arg-type]
    assert _direct.confirm(pending, Text(docspace_auth.totp_now(BOB_SECRET))).token()


def test_a_string_python_cannot_encode_is_refused_before_any_request(emulator: Emulator) -> None:
    emulator.reset_counters()
    client = native_client(emulator)
    with pytest.raises(UnicodeEncodeError):
        _direct.login(client, BOB[0], "lone \ud800 surrogate")
    assert emulator.counters().get("requests", 0) == 0


def spy_on(monkeypatch: pytest.MonkeyPatch, *names: str) -> List[str]:
    """The names of ``_direct``'s functions ``names`` in the order they are called from now on."""
    calls: List[str] = []
    for name in names:
        original = getattr(_direct, name)

        def spy(*args: Any, _name: str = name, _original: Any = original) -> Any:
            calls.append(_name)
            return _original(*args)

        monkeypatch.setattr(_direct, name, spy)
    return calls


def test_the_public_classes_make_their_login_through_it(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = spy_on(monkeypatch, "login", "confirm", "token")
    result = Client(emulator.url).login(*BOB)
    assert isinstance(result, PendingLogin)
    session = result.confirm(docspace_auth.totp_now(BOB_SECRET))
    assert isinstance(session, Session) and session.token
    assert calls == ["login", "confirm", "token"]


def spins_while(wait: Callable[[], object]) -> int:
    """How many rounds a spinning Python thread makes while this thread calls ``wait``."""
    done = threading.Event()
    spins = 0

    def spin() -> None:
        nonlocal spins
        while not done.is_set():
            spins += 1

    thread = threading.Thread(target=spin)
    thread.start()
    try:
        wait()
    finally:
        done.set()
        thread.join()
    return spins


def test_other_threads_run_while_a_login_waits_for_the_portal(emulator: Emulator) -> None:
    """The request itself crosses with the interpreter lock released (the generated module's
    CDLL); only the short calls around it keep it."""
    client = native_client(emulator)
    emulator.fault(kind="delay", delayMs=500, path="/api/2.0/authentication", times=1)
    results = []
    started = time.monotonic()
    during_login = spins_while(lambda: results.append(_direct.login(client, *BOB)))
    assert time.monotonic() - started >= 0.4
    assert isinstance(results[0], _native.PendingLogin)
    # The same wait in time.sleep, which releases the lock. Held through the call, the spinning
    # thread would get a turn or two of Python's switch interval (5 ms), about 2% of this.
    during_sleep = spins_while(lambda: time.sleep(0.5))
    assert during_login > during_sleep * 0.3, (during_login, during_sleep)


async def generated_login_async(client: _native.DocspaceClient, user: Any, password: Any) -> Native:
    result = await client.login(user, password)
    if isinstance(result, _native.LoginResult.TFA_REQUIRED):
        return result.pending
    assert isinstance(result, _native.LoginResult.AUTHENTICATED), result
    return result.session


async def native_error_async(call: Callable[[], Awaitable[object]]) -> Tuple[str, str]:
    with pytest.raises(_native.AuthError) as caught:
        await call()
    return type(caught.value).__name__, str(caught.value)


def test_async_login_confirm_and_token_as_the_generated_methods(emulator: Emulator) -> None:
    async def run() -> None:
        client = native_client(emulator)
        direct = await _direct.login_async(client, *BOB)
        generated = await generated_login_async(client, *BOB)
        assert isinstance(direct, _native.PendingLogin)
        assert isinstance(generated, _native.PendingLogin)
        assert direct.user() == generated.user() == BOB[0]
        assert direct.challenge() == generated.challenge()
        session = await _direct.confirm_async(direct, docspace_auth.totp_now(BOB_SECRET))
        assert await session.is_valid()
        assert _direct.token(session) == session.token()
        plain = await _direct.login_async(client, *ALICE)
        assert isinstance(plain, _native.Session) and await plain.is_valid()

    asyncio.run(run())


def test_async_the_same_errors(emulator: Emulator) -> None:
    async def run() -> None:
        client = native_client(emulator)
        wrong_password = [
            await native_error_async(lambda: login(client, BOB[0], "wrong-pass"))
            for login in (_direct.login_async, generated_login_async)
        ]
        assert wrong_password[0] == wrong_password[1]
        assert wrong_password[0][0] == "InvalidCredentials"

        pending = await _direct.login_async(client, *BOB)
        assert isinstance(pending, _native.PendingLogin)
        wrong = "999999" if docspace_auth.totp_now(BOB_SECRET) != "999999" else "999998"
        for confirm in (_direct.confirm_async, _native.PendingLogin.confirm):
            assert (await native_error_async(lambda: confirm(pending, "12345")))[0] == "InvalidCodeFormat"
            assert (await native_error_async(lambda: confirm(pending, wrong)))[0] == "CodeRejected"
        await _direct.confirm_async(pending, docspace_auth.totp_now(BOB_SECRET))
        for confirm in (_direct.confirm_async, _native.PendingLogin.confirm):
            code = docspace_auth.totp_now(BOB_SECRET)
            assert (await native_error_async(lambda: confirm(pending, code)))[0] == "AlreadyUsed"

    asyncio.run(run())


def test_async_arguments_it_does_not_take_go_to_the_generated_methods(emulator: Emulator) -> None:
    async def run() -> None:
        client = native_client(emulator)
        with pytest.raises(TypeError, match="argument must be str, not bytes"):
            await _direct.login_async(client, b"bob@example.com", BOB[1])  # type: ignore[arg-type]
        pending = await _direct.login_async(client, *BOB)
        assert isinstance(pending, _native.PendingLogin)
        with pytest.raises(TypeError, match="argument must be str, not int"):
            await _direct.confirm_async(pending, 123456)  # type: ignore[arg-type]

    asyncio.run(run())


def test_the_async_classes_make_their_login_through_it(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = spy_on(monkeypatch, "login_async", "confirm_async", "token")

    async def run() -> str:
        result = await docspace_auth.AsyncClient(emulator.url).login(*BOB)
        assert isinstance(result, docspace_auth.AsyncPendingLogin)
        session = await result.confirm(docspace_auth.totp_now(BOB_SECRET))
        return session.token

    assert asyncio.run(run())
    assert calls == ["login_async", "confirm_async", "token"]


needs_stepped = pytest.mark.skipif(not _direct._STEPPED, reason="no stepped calls on this system")


@pytest.fixture(params=["reactor", "each wait on the loop"])
def waits(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways a stepped call waits: in the library's reactor that the loop watches (Linux), and
    each wait's sockets and deadline given to the loop (elsewhere; here too, forced)."""
    if request.param == "reactor" and not _direct._REACTOR:
        pytest.skip("no reactor on this system")
    monkeypatch.setattr(_direct, "_REACTOR", request.param == "reactor")
    return str(request.param)


@needs_stepped
def test_an_async_login_runs_on_the_loops_thread_which_stays_free(
    emulator: Emulator, waits: str
) -> None:
    """An async login is stepped by the running loop on its own thread (ffi/src/stepped/): no
    thread of the library's takes part (the process has as many threads after three 2FA logins
    as before), and while it waits for a slow portal the loop runs its other tasks."""
    code = """
import asyncio, os, sys, docspace_auth
from docspace_auth import _direct
_direct._REACTOR = _direct._REACTOR and os.environ["DOCSPACE_TEST_WAITS"] == "reactor"

def threads():
    return len(os.listdir("/proc/self/task"))

async def main():
    before = threads()
    for _ in range(3):
        pending = await docspace_auth.AsyncClient(sys.argv[1]).login(sys.argv[2], sys.argv[3])
        await pending.confirm(docspace_auth.totp_now(sys.argv[4]))
    print(before, threads())

asyncio.run(main())
"""
    if not os.path.isdir("/proc/self/task"):
        pytest.skip("no /proc/self/task to count threads with")
    env = dict(os.environ, DOCSPACE_TEST_WAITS=waits)
    out = subprocess.run(
        [sys.executable, "-c", code, emulator.url, *BOB, BOB_SECRET],
        capture_output=True, text=True, check=True, env=env,
    )
    before, after = out.stdout.split()
    assert before == after, out

    async def run() -> Tuple[float, int]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.ensure_future(tick())
        emulator.fault(kind="delay", delayMs=500, path="/api/2.0/authentication", times=1)
        started = time.monotonic()
        pending = await _direct.login_async(native_client(emulator), *BOB)
        took = time.monotonic() - started
        ticker.cancel()
        assert isinstance(pending, _native.PendingLogin)
        return took, ticks

    took, ticks = asyncio.run(run())
    assert took >= 0.4, took
    assert ticks >= 20, f"the loop ran its other task {ticks} times in {took:.2f} s"


@needs_stepped
def test_an_async_login_times_out_on_the_loops_clock(emulator: Emulator, waits: str) -> None:
    """A portal that does not answer in time: the loop steps the login again at its deadline,
    which ends it with the timeout, neither sooner nor much later."""

    async def run() -> float:
        client = docspace_auth.AsyncClient(emulator.url, timeout=0.8)
        emulator.fault(kind="delay", delayMs=3000, path="/api/2.0/authentication", times=1)
        started = time.monotonic()
        with pytest.raises(docspace_auth.RequestTimeout):
            await client.login(*BOB)
        return time.monotonic() - started

    took = asyncio.run(run())
    assert 0.8 <= took < 1.5, took


@needs_stepped
def test_async_logins_on_a_loop_and_on_another_threads_loop_at_once(
    emulator: Emulator, waits: str
) -> None:
    """Each thread's loop steps its own logins, over its own connections: twenty 2FA logins at
    a time on each of two loops, all get a token."""

    def loop_logins() -> List[str]:
        async def one() -> str:
            pending = await docspace_auth.AsyncClient(emulator.url).login(*BOB)
            assert isinstance(pending, docspace_auth.AsyncPendingLogin)
            session = await pending.confirm(docspace_auth.totp_now(BOB_SECRET))
            return session.token

        async def many() -> List[str]:
            return list(await asyncio.gather(*(one() for _ in range(20))))

        return asyncio.run(many())

    results: List[List[str]] = []
    other = threading.Thread(target=lambda: results.append(loop_logins()))
    other.start()
    results.append(loop_logins())
    other.join(30)
    assert len(results) == 2
    tokens = [token for tokens in results for token in tokens]
    assert len(tokens) == 40 and all(tokens)
    assert len(set(tokens)) == 40


@needs_stepped
def test_cancelled_async_logins_leave_nothing_waiting(emulator: Emulator, waits: str) -> None:
    """Ten logins cancelled while the portal is slow, beside ten that complete: the completed ones
    get their token, the cancelled ones end in the background, and nothing is left waiting."""

    async def run() -> List[str]:
        emulator.fault(kind="delay", delayMs=300, path="/api/2.0/authentication", times=10)

        async def one() -> str:
            pending = await docspace_auth.AsyncClient(emulator.url).login(*BOB)
            assert isinstance(pending, docspace_auth.AsyncPendingLogin)
            return (await pending.confirm(docspace_auth.totp_now(BOB_SECRET))).token

        doomed = [asyncio.ensure_future(one()) for _ in range(10)]
        await asyncio.sleep(0.1)
        for task in doomed:
            task.cancel()
        tokens = await asyncio.gather(*(one() for _ in range(10)))
        await asyncio.sleep(0.5)  # the cancelled logins' requests end meanwhile
        if waits == "reactor":
            assert not _direct._waiters.futures, _direct._waiters.futures
        return list(tokens)

    tokens = asyncio.run(run())
    assert len(tokens) == 10 and all(tokens)
