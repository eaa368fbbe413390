"""The code blocks of bindings/python/README.md, run as written against the emulator (only the
portal URL, the credentials and the typed-in code are swapped for the emulator's)."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

import docspace_auth
from conftest import ALICE, BOB, BOB_SECRET, CAPTCHA_OK, FRANK, HEIDI, Emulator, follow_sso

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> List[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def run_block(
    block: str,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    user: Tuple[str, str] = BOB,
    typed: Optional[Callable[[str], str]] = None,
    app: Optional[Dict[str, Any]] = None,
) -> "tuple[str, Dict[str, Any]]":
    """Runs `block` as `user`; `typed(prompt)` is what the user types (default: Bob's TOTP code);
    `app` holds what the block takes from the app around it (its web view)."""
    code = (
        block.replace("https://portal.example.com", emulator.url)
        .replace('"me@example.com"', repr(user[0]))
        .replace('"my password"', repr(user[1]))
    )
    assert code != block, "the README block no longer uses the placeholders"
    answer = typed or (lambda prompt: docspace_auth.totp_now(BOB_SECRET))
    monkeypatch.setattr("builtins.input", lambda prompt="": answer(prompt))
    namespace: Dict[str, Any] = {"__name__": "readme", **(app or {})}
    exec(compile(code, str(README), "exec"), namespace)
    return capsys.readouterr().out, namespace


def test_readme_has_sync_and_async_examples() -> None:
    blocks = python_blocks()
    assert len(blocks) == 8
    assert "AsyncClient" in blocks[1]
    assert "docspace_api_sdk" in blocks[2]
    assert "portal_info()" in blocks[3]
    assert "login_with_captcha" in blocks[4]
    assert "complete_sso" in blocks[5]
    assert "set_phone" in blocks[6]
    assert "sessions()" in blocks[7] and "regenerate_backup_codes()" in blocks[7]


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


def test_readme_portal_info(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out, namespace = run_block(python_blocks()[3], emulator, monkeypatch, capsys)
    assert out == f"offer Single Sign-on at {emulator.url}/sso/login\n"
    assert namespace["portal"].ldap_enabled  # so the second client does not hash the password
    emulator.portal(tenantStatus=4)
    out, _ = run_block(python_blocks()[3], emulator, monkeypatch, capsys)
    assert out.startswith("the portal is not available: restoring\n")


def test_readme_captcha(
    emulator_factory: Callable[..., Emulator],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emulator = emulator_factory("--lockout-attempts", "1")
    with pytest.raises(docspace_auth.InvalidCredentials):
        docspace_auth.Client(emulator.url).login(ALICE[0], "wrong-password")
    prompts: List[str] = []

    def typed(prompt: str) -> str:
        prompts.append(prompt)
        return CAPTCHA_OK

    _, namespace = run_block(python_blocks()[4], emulator, monkeypatch, capsys, user=ALICE, typed=typed)
    assert prompts == ["recaptcha response for site key test-site-key: "]
    assert namespace["result"].me().email == ALICE[0]


def play_web_view(email: str) -> Callable[..., str]:
    """The app's web view, played by hand: the emulator's identity provider signs `email` in."""

    def open_web_view(url: str, stop_at: Callable[[str], bool]) -> str:
        return follow_sso(url + "?" + urllib.parse.urlencode({"email": email}), stop_at)

    return open_web_view


def test_readme_sso(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = run_block(
        python_blocks()[5], emulator, monkeypatch, capsys, app={"open_web_view": play_web_view(FRANK)}
    )
    hello, slo = out.splitlines()
    assert hello.startswith("hello ") and len(hello) > len("hello ")
    assert slo.startswith(f"single logout: {emulator.url}/sso/slo?data=")


def test_readme_phone_activation(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def typed(prompt: str) -> str:
        if "number" in prompt:
            return "+1 555 000 1234"
        return emulator.sms("+15550001234")[-1]["code"]

    out, _ = run_block(python_blocks()[6], emulator, monkeypatch, capsys, user=HEIDI, typed=typed)
    assert out.startswith("hello ")


def test_readme_sessions_and_backup_codes(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    other = docspace_auth.Client(emulator.url).login(*BOB)
    assert isinstance(other, docspace_auth.PendingLogin)
    other_session = other.confirm(docspace_auth.totp_now(BOB_SECRET))
    out, namespace = run_block(python_blocks()[7], emulator, monkeypatch, capsys)
    lines = out.splitlines()
    assert len(lines) == 2 and [line[0] for line in lines] == ["*", " "], lines
    assert not other_session.is_valid()  # ended by end_other_sessions()
    assert len(namespace["new_codes"]) >= 1
