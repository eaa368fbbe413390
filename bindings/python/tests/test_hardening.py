"""Defects found by trying hostile cases, each tested where a Python user meets it."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from typing import Callable

import pytest

import docspace_auth
from docspace_auth import AlreadyUsed, AsyncClient, AsyncPendingLogin

from conftest import ALICE, BOB, BOB_SECRET, Emulator

PROXY_VARIABLES = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")


def test_proxy_variables_never_see_a_login(emulator: Emulator) -> None:
    # A listening "proxy" that never answers: a request sent to it would hang, then fail.
    with socket.socket() as proxy:
        proxy.bind(("127.0.0.1", 0))
        proxy.listen()
        url = f"http://127.0.0.1:{proxy.getsockname()[1]}"
        env = {k: v for k, v in os.environ.items() if k.lower() != "no_proxy"}
        env.update({name: url for name in PROXY_VARIABLES})
        # A fresh interpreter, so that its first client is built with the variables set.
        script = (
            "import sys\n"
            "from docspace_auth import Client\n"
            "session = Client(sys.argv[1], timeout=10).login(sys.argv[2], sys.argv[3])\n"
            "print(session.me().email)\n"
            "session.logout()\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script, emulator.url, *ALICE],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == ALICE[0]
        proxy.setblocking(False)
        with pytest.raises(BlockingIOError):
            proxy.accept()  # nobody connected to the proxy


def test_of_two_confirms_the_one_whose_code_was_accepted_gets_the_session(
    emulator: Emulator,
) -> None:
    async def scenario() -> None:
        login = await AsyncClient(emulator.url).login(*BOB)
        assert isinstance(login, AsyncPendingLogin)
        emulator.reset_counters()
        emulator.fault(kind="delay", delayMs=500, path="/api/2.0/authentication/", times=1)
        right = asyncio.ensure_future(login.confirm(docspace_auth.totp_now(BOB_SECRET)))
        deadline = time.monotonic() + 10
        while emulator.counters()["requests"] == 0:  # the right code is in flight
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        with pytest.raises(AlreadyUsed):
            await login.confirm("000000")
        session = await asyncio.wait_for(right, 10)
        assert (await session.me()).email == BOB[0]

    asyncio.run(scenario())


def test_confirm_after_the_portal_closed_the_idle_connection(
    emulator_factory: Callable[..., Emulator],
) -> None:
    """A portal closes a kept-alive connection that stays idle (its keep-alive timeout, here
    200 ms; typing the code takes longer). The sync client's confirm goes out on a new connection
    (it failed with "connection closed before message completed"); the async one's too."""
    emulator = emulator_factory("--idle-timeout-ms", "200")
    client = docspace_auth.Client(emulator.url)
    for _ in range(2):
        pending = client.login(*BOB)
        assert isinstance(pending, docspace_auth.PendingLogin)
        time.sleep(0.6)
        assert pending.confirm(docspace_auth.totp_now(BOB_SECRET)).token

    async def scenario() -> str:
        pending = await AsyncClient(emulator.url).login(*BOB)
        assert isinstance(pending, AsyncPendingLogin)
        await asyncio.sleep(0.6)
        return (await pending.confirm(docspace_auth.totp_now(BOB_SECRET))).token

    assert asyncio.run(scenario())
