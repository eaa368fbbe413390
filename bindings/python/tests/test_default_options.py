"""The generated (private) API lets `options` be left out, as Kotlin and Swift do."""

from __future__ import annotations

import asyncio

import pytest

from docspace_auth import _native

from conftest import ALICE, Emulator


def test_options_can_be_left_out(emulator: Emulator) -> None:
    async def run() -> str:
        result = await _native.DocspaceClient(emulator.url).login(*ALICE)
        assert isinstance(result, _native.LoginResult.AUTHENTICATED), result
        resumed = _native.Session.resume(emulator.url, result.session.token())
        return (await resumed.me()).email

    assert asyncio.run(run()) == ALICE[0]
    # Same checks as with explicit options: plain http to a host that is not loopback is refused.
    with pytest.raises(_native.AuthError) as refused:
        _native.DocspaceClient("http://portal.example.com")
    assert type(refused.value).__name__ == "InsecureUrl"
