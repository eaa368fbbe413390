"""The suite runs against the installed wheel, not the source tree."""

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import docspace_auth
from conftest import BOB, Emulator


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
    """The bindgen makes each call's status with ctypes' zero fill instead of keyword arguments
    (ffi/src/bin/uniffi-bindgen.rs): that must be uniffi's success code and an empty buffer."""
    from docspace_auth._native import docspace_auth_ffi as generated

    status = generated._UniffiRustCallStatus.default()  # type: ignore[no-untyped-call]
    assert status.code == generated._UniffiRustCallStatus.CALL_SUCCESS == 0
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
