"""The code blocks of bindings/python/README.md, run as written against the emulator (only the
portal URL, the credentials and the typed-in code are swapped for the emulator's)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List

import pytest

import docspace_auth
from conftest import BOB, BOB_SECRET, Emulator

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> List[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def run_block(
    block: str,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> "tuple[str, Dict[str, Any]]":
    code = (
        block.replace("https://portal.example.com", emulator.url)
        .replace('"me@example.com"', repr(BOB[0]))
        .replace('"my password"', repr(BOB[1]))
    )
    assert code != block, "the README block no longer uses the placeholders"
    monkeypatch.setattr("builtins.input", lambda prompt="": docspace_auth.totp_now(BOB_SECRET))
    namespace: Dict[str, Any] = {"__name__": "readme"}
    exec(compile(code, str(README), "exec"), namespace)
    return capsys.readouterr().out, namespace


def test_readme_has_sync_and_async_examples() -> None:
    blocks = python_blocks()
    assert len(blocks) == 3
    assert "AsyncClient" in blocks[1]
    assert "docspace_api_sdk" in blocks[2]


def test_readme_sync_quick_start(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out, namespace = run_block(python_blocks()[0], emulator, monkeypatch, capsys)
    assert out.startswith("hello ") and len(out.strip()) > len("hello")
    # The stored token was revoked by the logout at the end of the example.
    assert not docspace_auth.Session.resume(emulator.url, namespace["token"]).is_valid()


def test_readme_async_example(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = run_block(python_blocks()[1], emulator, monkeypatch, capsys)
    assert out.startswith("hello ")


def test_readme_sdk_handoff(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = run_block(python_blocks()[2], emulator, monkeypatch, capsys)
    assert out == f"hello {BOB[0]}\n"


def test_root_readme_shows_the_sync_quick_start() -> None:
    root_readme = Path(__file__).resolve().parents[3] / "README.md"
    assert "```python\n" + python_blocks()[0] + "```" in root_readme.read_text()
