"""Fixtures: a real docspace-emulator process per test, and small helpers for its endpoints.

The tests import the INSTALLED docspace_auth (see test_installed.py), never the source tree.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import subprocess
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
USERS_FILE = REPO_ROOT / "tests" / "fixtures" / "users.json"

# From tests/fixtures/users.json.
ALICE = ("alice@example.com", "alice-pass")  # no 2FA
BOB = ("bob@example.com", "bob-pass")  # app 2FA, enrolled
BOB_SECRET = "IFREGZCFMYWV6MJS"
CAROL = ("carol@example.com", "carol-pass")  # app 2FA, not enrolled
DAVE = ("dave@example.com", "dave-pass")  # SMS
DAVE_PHONE = "+15551234567"
ERIN = ("erin@example.com", "erin-pass")  # disabled
FRANK = "frank@example.com"  # SSO, no password
GRACE = ("grace@example.com", "grace-pass")  # LDAP: the plain password only, never its hash
HEIDI = ("heidi@example.com", "heidi-pass")  # SMS without a phone: phone activation
IVAN = "ivan@example.com"  # SSO, disabled
# The fixture's portal object.
PORTAL_SALT = "4d9abe238e2f7b14a30a4565d62214a795a15abb798ed61118a69820d6a6146c"
CAPTCHA_PUBLIC_KEY = "test-site-key"
CAPTCHA_OK = "captcha-ok"  # the one captcha answer the emulator accepts


def _emulator_binary() -> Path:
    override = os.environ.get("DOCSPACE_EMULATOR")
    if override:
        return Path(override)
    binary = REPO_ROOT / "target" / "debug" / "docspace-emulator"
    if not binary.exists():
        subprocess.run(
            ["cargo", "build", "-q", "-p", "docspace-emulator"], cwd=REPO_ROOT, check=True
        )
    return binary


@dataclass
class Emulator:
    url: str
    ca_pem: Optional[str]

    def _request(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        context = None
        if self.ca_pem is not None:
            import ssl

            context = ssl.create_default_context(cadata=self.ca_pem)
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def sms(self, phone: str) -> List[Dict[str, str]]:
        return list(self._request("GET", f"/emulator/sms?phone={phone.replace('+', '%2B')}")["messages"])

    def counters(self) -> Dict[str, int]:
        return dict(self._request("GET", "/emulator/counters"))

    def reset_counters(self) -> None:
        self._request("POST", "/emulator/counters/reset")

    def fault(self, **fault: Any) -> None:
        self._request("POST", "/emulator/faults", fault)

    def clear_faults(self) -> None:
        self._request("DELETE", "/emulator/faults")

    def portal(self, **patch: Any) -> Dict[str, Any]:
        """Changes the portal's settings (the users file's `portal` form, e.g.
        `tenantStatus=3` or `sso={"enabled": False}`); returns every setting now."""
        return dict(self._request("POST", "/emulator/portal", patch)["portal"])

    def advance_clock(self, seconds: int) -> None:
        self._request("POST", "/emulator/clock", {"advanceSecs": seconds})


def start_emulator(*flags: str) -> "tuple[subprocess.Popen[str], Emulator]":
    process = subprocess.Popen(
        [str(_emulator_binary()), "--listen", "127.0.0.1:0", "--users", str(USERS_FILE), *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: "queue.Queue[str]" = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    try:
        first = lines.get(timeout=30)
    except queue.Empty:
        process.kill()
        raise RuntimeError("the emulator printed nothing")
    if not first.startswith("listening on "):
        process.kill()
        raise RuntimeError(f"unexpected first line from the emulator: {first!r}")
    url = first[len("listening on ") :].strip()
    ca_pem = None
    if "--tls" in flags:
        line = lines.get(timeout=30)
        assert line.startswith("ca certificate: "), line
        ca_pem = Path(line[len("ca certificate: ") :].strip()).read_text()
    return process, Emulator(url, ca_pem)


def _stop(process: "subprocess.Popen[str]") -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., Emulator]]:
    started: "List[subprocess.Popen[str]]" = []

    def factory(*flags: str) -> Emulator:
        process, emulator = start_emulator(*flags)
        started.append(process)
        return emulator

    yield factory
    for process in started:
        _stop(process)


@pytest.fixture
def emulator(emulator_factory: Callable[..., Emulator]) -> Emulator:
    return emulator_factory()


def follow_sso(start: str, stop_at: Callable[[str], bool]) -> str:
    """Plays an SSO web view: follows the redirects by hand from ``start`` (the emulator's identity
    provider signs in whoever ``?email=`` names) and returns the first absolute address
    ``stop_at`` accepts (the portal's landing with the token, or its error page)."""
    address = start
    for _ in range(20):
        parts = urllib.parse.urlsplit(address)
        assert parts.hostname is not None
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            connection.request("GET", urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, "")))
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        location = response.getheader("Location")
        assert response.status in (301, 302, 303, 307) and location, (response.status, address)
        address = urllib.parse.urljoin(address, location)
        if stop_at(address):
            return address
    raise AssertionError("the SSO redirects never reached the portal")
