"""The suite runs against the installed wheel, not the source tree."""

import asyncio
import contextvars
import subprocess
import sys
import sysconfig
import threading
from pathlib import Path
from typing import Any, Callable, List, Optional, Tuple

import pytest

import docspace_auth
from conftest import BOB, BOB_SECRET, Emulator


def test_package_is_the_installed_wheel() -> None:
    package_dir = Path(docspace_auth.__file__).resolve().parent
    site_packages = Path(sysconfig.get_paths()["purelib"]).resolve()
    assert package_dir.parent == site_packages, package_dir
    # The generated uniffi module and the native library are private, inside the package.
    assert (package_dir / "_native").is_dir()
    assert list((package_dir / "_native").glob("*docspace_auth_ffi*"))
    assert (package_dir / "py.typed").exists()
    assert docspace_auth.__version__


def test_import_leaves_asyncio_out() -> None:
    """`import docspace_auth` does not import asyncio (a third of its import time): the generated
    module imports it where an async call needs it (ffi/src/bin/uniffi-bindgen.rs patches it)."""
    code = "import sys, docspace_auth; print('asyncio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out


def test_import_leaves_unused_modules_out() -> None:
    """`import docspace_auth` does not import what the generated module imported without using
    it (platform, traceback; itertools too, a built-in: ffi/src/bin/uniffi-bindgen.rs drops
    them), and the generated records and enum variants are plain classes (uniffi's `dataclass` decorator added
    only an empty `__repr__` to them), so that the package's own types are the only dataclasses."""
    code = (
        "import sys, dataclasses, docspace_auth\n"
        "from docspace_auth._native import docspace_auth_ffi as ffi\n"
        "print(sorted(m for m in ('platform', 'traceback') if m in sys.modules))\n"
        "print(dataclasses.is_dataclass(ffi.ClientOptions), dataclasses.is_dataclass(ffi.User),\n"
        "      dataclasses.is_dataclass(docspace_auth.User))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "False False True"], out


def test_async_call_in_a_fresh_process() -> None:
    """An async call still finds its event loop when only the caller imported asyncio."""
    code = (
        "import asyncio, docspace_auth\n"
        "async def main():\n"
        "    client = docspace_auth.AsyncClient('http://127.0.0.1:9/')\n"
        "    try:\n"
        "        await client.portal_info()\n"
        "    except docspace_auth.ConnectError:\n"
        "        print('refused')\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "refused", out


def test_call_status_starts_as_success() -> None:
    """Every call's status is made by ctypes' zero fill (ffi/src/bin/uniffi-bindgen.rs) instead of
    uniffi's default(), which builds it with keyword arguments: the two must be the same value,
    uniffi's success code and an empty buffer."""
    from docspace_auth._native import docspace_auth_ffi as generated

    zero_filled = generated._UniffiRustCallStatus()
    reference = generated._UniffiRustCallStatus.default()  # type: ignore[no-untyped-call]
    assert zero_filled.code == reference.code == generated._UniffiRustCallStatus.CALL_SUCCESS
    for status in (zero_filled, reference):
        assert (status.error_buf.capacity, status.error_buf.len) == (0, 0)
        assert not status.error_buf.data


def test_strings_cross_both_ways(emulator: Emulator) -> None:
    """The bindgen's one-copy string crossing (ffi/src/bin/uniffi-bindgen.rs), at its edges: empty
    strings go in, a string far above the builder's first 16 bytes goes in and comes back whole."""
    with pytest.raises(docspace_auth.InvalidCredentials):
        docspace_auth.Client(emulator.url).login("", "")
    pending = docspace_auth.Client(emulator.url).login(*BOB)
    assert isinstance(pending, docspace_auth.PendingLogin)
    assert pending.user == BOB[0]
    with pytest.raises(docspace_auth.InvalidCodeFormat):
        pending.confirm("")
    long = "x" * 100_000
    assert docspace_auth.Session.resume(emulator.url, long).token == long


class _CountingLoop(asyncio.SelectorEventLoop):
    """Counts the wake-ups that reach the loop from outside its turn (call_soon_threadsafe)."""

    wakeups = 0

    def call_soon_threadsafe(  # type: ignore[override]  # typeshed's TypeVarTuple signature
        self,
        callback: Callable[..., object],
        *args: Any,
        context: Optional[contextvars.Context] = None,
    ) -> asyncio.Handle:
        self.wakeups += 1
        return super().call_soon_threadsafe(callback, *args, context=context)


def test_async_call_wakes_the_loop_only_to_wait(emulator: Emulator) -> None:
    """The bindgen's continuation patch (ffi/src/bin/uniffi-bindgen.rs): a call whose result is
    there at its first poll does not go through the loop at all, and a request wakes the loop
    once, when the library's thread has the answer (uniffi's own callback woke it a second time,
    for the poll that finds the result ready)."""
    loop = _CountingLoop()

    async def scenario() -> Tuple[int, int, int, str]:
        pending = await docspace_auth.AsyncClient(emulator.url).login(*BOB)
        assert isinstance(pending, docspace_auth.AsyncPendingLogin)
        after_login = loop.wakeups
        with pytest.raises(docspace_auth.InvalidCodeFormat):
            await pending.confirm("12")  # refused before any request: ready at the first poll
        after_refusal = loop.wakeups
        session = await pending.confirm(docspace_auth.totp_now(BOB_SECRET))
        return after_login, after_refusal, loop.wakeups, session.token

    try:
        after_login, after_refusal, after_confirm, token = loop.run_until_complete(scenario())
    finally:
        loop.close()
    assert token
    assert after_login <= 1, after_login
    assert after_refusal == after_login
    assert after_confirm - after_refusal <= 1, (after_refusal, after_confirm)


def test_library_thread_keeps_its_python_thread_state(emulator: Emulator) -> None:
    """The bindgen's continuation patch: the library's thread that calls back into Python keeps
    one Python thread state for all its calls back (ctypes made and destroyed one per call). In
    a fresh interpreter: after three async logins, the main thread's state only (a login is
    stepped by the loop on its thread: no library thread calls back); after three calls that
    await a uniffi future, that thread's too."""
    code = """
import asyncio, ctypes, sys, docspace_auth

api = ctypes.pythonapi
api.PyInterpreterState_Get.restype = ctypes.c_void_p
api.PyInterpreterState_ThreadHead.argtypes = [ctypes.c_void_p]
api.PyInterpreterState_ThreadHead.restype = ctypes.c_void_p
api.PyThreadState_Next.argtypes = [ctypes.c_void_p]
api.PyThreadState_Next.restype = ctypes.c_void_p

def thread_states():
    count, state = 0, api.PyInterpreterState_ThreadHead(api.PyInterpreterState_Get())
    while state:
        count, state = count + 1, api.PyThreadState_Next(state)
    return count

async def main():
    before = thread_states()
    for _ in range(3):
        await docspace_auth.AsyncClient(sys.argv[1]).login(sys.argv[2], sys.argv[3])
    after_logins = thread_states()
    for _ in range(3):
        await docspace_auth.AsyncClient(sys.argv[1]).portal_info()
    print(before, after_logins, thread_states())

asyncio.run(main())
"""
    out = subprocess.run(
        [sys.executable, "-c", code, emulator.url, *BOB], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["1", "1", "2"], out


def test_async_logins_on_event_loops_in_several_threads(emulator: Emulator) -> None:
    """The continuation patch keeps, per thread, the loop being polled: event loops on four
    threads, ten concurrent 2FA logins each, all get their token (a call back meant for one loop
    and completed on another would leave a login waiting forever; the join's timeout fails it)."""
    tokens: List[int] = []

    def on_own_loop() -> None:
        async def one() -> str:
            pending = await docspace_auth.AsyncClient(emulator.url).login(*BOB)
            assert isinstance(pending, docspace_auth.AsyncPendingLogin)
            return (await pending.confirm(docspace_auth.totp_now(BOB_SECRET))).token

        async def ten() -> List[str]:
            return await asyncio.gather(*(one() for _ in range(10)))

        tokens.append(sum(1 for token in asyncio.run(ten()) if token))

    threads = [threading.Thread(target=on_own_loop) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert tokens == [10, 10, 10, 10]
