"""Secret scan of the Python package (issue 10).

Every flow of ``tests/fixtures/secret-scan-flows.txt`` runs against the emulator, once with the
sync API (``Client``) and once with the async one (``AsyncClient``). Everything the package hands
back is captured as an app would print or log it: ``str()`` and ``repr()`` of every returned
object (clients, pending logins, sessions, challenges, enrolments, users, SMS answers, backup
codes, ``expires``), and of every raised :class:`AuthError`: ``str()``, ``repr()``, its ``args``,
the full traceback (``traceback.format_exception``), and the native error it was raised from
(``__context__``, hidden from the traceback by ``from None`` but still attached). Then no known
secret may appear in any of it. The known secrets include, besides passwords, tokens, keys and
codes, the PBKDF2 hashes that ``hash_password=True`` sends and the captcha answers.

"Asked for" in Python means a property whose purpose is to hand out the secret:
``Session.token``, ``Enrollment.secret`` / ``provisioning_uri``, ``BackupCode.code``, and the
codes ``totp_now`` / ``totp_at`` return. The test reads the tokens, keys and codes through those
(so it knows what to look for) and never captures what they return.

The figures are printed past pytest's capture (visible without ``-s``) as
``secret scan (Python): ...``.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import inspect
import json
import time
import traceback
import urllib.parse
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple, Union

import pytest

import docspace_auth
from docspace_auth import (
    AppEnrollmentChallenge,
    AsyncClient,
    AsyncSession,
    AuthError,
    CaptchaRejected,
    Client,
    CurrentSession,
    Forbidden,
    LockedOut,
    Session,
)

from conftest import (
    follow_sso,
    ALICE,
    BOB,
    BOB_SECRET,
    CAPTCHA_OK,
    CAROL,
    DAVE,
    DAVE_PHONE,
    FRANK,
    HEIDI,
    IVAN,
    REPO_ROOT,
    USERS_FILE,
    Emulator,
)

FLOWS_FILE = REPO_ROOT / "tests" / "fixtures" / "secret-scan-flows.txt"

ERIN = ("erin@example.com", "erin-pass")
CAROL_SECRET = "JBSWY3DPEHPK3PXP"
BOB_BACKUP = ["aB3-x_", "Qw9_zz", "00-a_B", "k2k2k2", "Z_-9aa"]
# What needs escaping in JSON, in a URL and in a form.
WEIRD_PASSWORD = 'p"w d/é\\ü&=+%7'
# Timeout of the clients used under faults (a delay fault waits longer).
SHORT = 1.5

HEIDI_PHONE = "+15557654321"  # where the phone activation sends her codes

EmulatorFactory = Callable[..., Emulator]
AnyClient = Union[Client, AsyncClient]
AnySession = Union[Session, AsyncSession]


def listed_flows() -> List[str]:
    names = []
    for line in FLOWS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            names.append(line.split()[0])
    return names


def percent(secret: str) -> str:
    """Every byte that is not alphanumeric percent-encoded."""
    return "".join(
        chr(b) if chr(b).isascii() and chr(b).isalnum() else f"%{b:02x}" for b in secret.encode()
    )


def json_escaped_ascii(secret: str) -> str:
    """JSON-escaped as .NET's default encoder writes it (DocSpace is .NET): ``\\`` doubled, and
    ``"&'+<>`` and every character outside printable ASCII as ``\\uXXXX``."""
    out = []
    for c in secret:
        if c == "\\":
            out.append("\\\\")
        elif c in "\"&'+<>`" or not " " <= c <= "~":
            units = c.encode("utf-16-be")
            out.extend(f"\\u{int.from_bytes(units[i:i + 2], 'big'):04X}" for i in range(0, len(units), 2))
        else:
            out.append(c)
    return "".join(out)


@functools.lru_cache(maxsize=None)
def forms(secret: str) -> Tuple[str, ...]:
    """The forms in which a secret could show up, lower-cased (compared case-insensitively).
    Cached: the final scan asks for every secret's forms once per captured output."""
    escaped = json.dumps(secret, ensure_ascii=False)[1:-1]
    escaped_ascii = json.dumps(secret)[1:-1]
    encoded = percent(secret)
    found = {
        secret,
        escaped,
        escaped_ascii,
        json_escaped_ascii(secret),
        encoded,
        encoded.replace("%20", "+"),
        repr(secret)[1:-1],
    }
    return tuple(sorted({f.lower() for f in found if f}))


def contains_form(text: str, form: str, digits_only: bool) -> bool:
    """Whether ``text`` holds ``form``; a code (digits only) counts only where it is not part of a
    longer number (a timestamp holds many 6-digit strings)."""
    if not digits_only:
        return form in text
    start = text.find(form)
    while start != -1:
        before = text[start - 1] if start > 0 else ""
        end = start + len(form)
        after = text[end] if end < len(text) else ""
        if not before.isdigit() and not after.isdigit():
            return True
        start = text.find(form, start + 1)
    return False


class Scan:
    def __init__(self) -> None:
        self.flows: List[str] = []
        self.current = ""
        self.captured: List[Tuple[str, str]] = []
        self.secrets: Dict[str, str] = {}  # secret -> what it is
        self.last_error: Optional[AuthError] = None

    def flow(self, name: str) -> None:
        assert name in listed_flows(), name
        assert name not in self.flows, name
        self.flows.append(name)
        self.current = name

    def secret(self, what: str, value: str) -> None:
        assert value
        self.secrets.setdefault(value, what)

    def capture(self, what: str, text: str) -> None:
        self.captured.append((f"{self.current}: {what}", text))

    def value(self, what: str, value: Any) -> None:
        """``str()`` and ``repr()`` of a value, and of what it holds."""
        self.capture(f"{what} str", str(value))
        self.capture(f"{what} repr", repr(value))
        if isinstance(value, (list, tuple)):
            for item in value:
                self.value(f"{what} item", item)
        if isinstance(value, (Session, AsyncSession)):
            self.secret(f"token issued in {self.current}", value.token)
            self.value(f"{what}.expires", value.expires)
        if isinstance(value, (docspace_auth.PendingLogin, docspace_auth.AsyncPendingLogin)):
            self.value(f"{what}.challenge", value.challenge)
            self.capture(f"{what}.user", value.user)
        if isinstance(value, AppEnrollmentChallenge):
            enrollment = value.enrollment
            # Asked for: the key and the URI, to enrol an authenticator.
            self.secret("TOTP secret from Enrollment.secret", enrollment.secret)
            self.secret("otpauth URI from Enrollment.provisioning_uri", enrollment.provisioning_uri)
            self.value(f"{what}.enrollment", enrollment)
            self.capture(f"{what}.enrollment.confirm_url", enrollment.confirm_url)
        if isinstance(value, docspace_auth.BackupCode):
            self.secret(f"backup code in {self.current}", value.code)

    def error(self, what: str, error: BaseException) -> None:
        """``str()``, ``repr()``, ``args`` and the traceback of an error; the same for the
        errors attached to it (``__context__``, ``__cause__``)."""
        seen: List[BaseException] = []
        current: Optional[BaseException] = error
        depth = 0
        while current is not None and current not in seen:
            seen.append(current)
            label = f"{what} error#{depth} {type(current).__name__}"
            self.capture(f"{label} str", str(current))
            self.capture(f"{label} repr", repr(current))
            self.capture(f"{label} args", repr(current.args))
            self.capture(
                f"{label} traceback",
                "".join(traceback.format_exception(type(current), current, current.__traceback__)),
            )
            current = current.__cause__ or current.__context__
            depth += 1

    async def call(self, what: str, func: Callable[[], Any]) -> Any:
        """Calls ``func`` (a sync call, or one that returns a coroutine), captures the result or
        the AuthError; returns the result or None."""
        self.last_error = None
        try:
            result = func()
            if inspect.isawaitable(result):
                result = await result
        except AuthError as error:
            self.last_error = error
            self.error(what, error)
            return None
        self.value(what, result)
        return result

    def sms_sent(self, emulator: Emulator) -> None:
        for message in emulator.sms(DAVE_PHONE):
            self.secret(f"SMS code in {self.current}", message["code"])

    def code(self, what: str, code: str) -> str:
        self.secret(f"code ({what}) in {self.current}", code)
        return code

    def leaks_in(self, text: str) -> List[str]:
        lowered = text.lower()
        found = []
        for secret, what in self.secrets.items():
            digits_only = secret.isdigit()
            for form in forms(secret):
                if contains_form(lowered, form, digits_only):
                    found.append(f"{what} ({secret!r} as {form!r})")
        return found


APIS = ("sync", "async")


def client(api: str, emulator: Emulator, timeout: float = 10, hash_password: bool = False) -> AnyClient:
    if api == "sync":
        return Client(emulator.url, timeout=timeout, hash_password=hash_password)
    return AsyncClient(emulator.url, timeout=timeout, hash_password=hash_password)


async def login(scan: Scan, what: str, c: AnyClient, user: Tuple[str, str]) -> Any:
    scan.value("client", c)
    name, password = user
    return await scan.call(what, lambda: c.login(name, password))


async def pending(scan: Scan, c: AnyClient, user: Tuple[str, str]) -> Any:
    result = await login(scan, "login", c, user)
    assert isinstance(result, (docspace_auth.PendingLogin, docspace_auth.AsyncPendingLogin)), result
    return result


async def session_of(scan: Scan, c: AnyClient, user: Tuple[str, str]) -> Any:
    result = await login(scan, "login", c, user)
    assert isinstance(result, (Session, AsyncSession)), result
    return result


async def use_session(scan: Scan, session: Any) -> None:
    await scan.call("me", lambda: session.me())
    await scan.call("is_valid", lambda: session.is_valid())
    await scan.call("backup_codes", lambda: session.backup_codes())


async def logout(scan: Scan, what: str, session: Any) -> None:
    await scan.call(what, lambda: session.logout())


async def confirm(scan: Scan, what: str, login: Any, code: str) -> Any:
    result = await scan.call(what, lambda: login.confirm(code))
    scan.value(f"{what}: the pending login after", login)
    return result


# The flows; each runs with the sync and the async API.


async def plain_login(scan: Scan, new: EmulatorFactory) -> None:
    scan.flow("plain-login")
    emulator = new()
    for api in APIS:
        session = await session_of(scan, client(api, emulator), ALICE)
        await use_session(scan, session)
        await logout(scan, "logout", session)
        await scan.call("me after logout", lambda: session.me())


async def app_2fa(scan: Scan, new: EmulatorFactory) -> None:
    scan.flow("app-2fa")
    emulator = new()
    for api in APIS:
        login = await pending(scan, client(api, emulator), BOB)
        session = await confirm(scan, "confirm", login, scan.code("TOTP", docspace_auth.totp_now(BOB_SECRET)))
        assert session is not None
        await use_session(scan, session)
        await logout(scan, "logout", session)


async def enrolment(scan: Scan, new: EmulatorFactory) -> None:
    scan.flow("enrolment")
    for api in APIS:
        emulator = new()  # Carol enrols once per portal
        login = await pending(scan, client(api, emulator), CAROL)
        challenge = login.challenge
        assert isinstance(challenge, AppEnrollmentChallenge), challenge
        code = scan.code("TOTP from the enrolment key", docspace_auth.totp_now(challenge.enrollment.secret))
        session = await confirm(scan, "confirm", login, code)
        assert session is not None
        await use_session(scan, session)
        await logout(scan, "logout", session)


async def backup_code(scan: Scan, new: EmulatorFactory) -> None:
    scan.flow("backup-code")
    emulator = new()
    for api, code in zip(APIS, BOB_BACKUP):
        login = await pending(scan, client(api, emulator), BOB)
        session = await confirm(scan, "confirm with a backup code", login, scan.code("backup", code))
        assert session is not None
        await scan.call("backup_codes after use", lambda: session.backup_codes())
        await logout(scan, "logout", session)
        login = await pending(scan, client(api, emulator), BOB)
        assert await confirm(scan, "a used backup code", login, code) is None
        upper = scan.code("backup, wrong case", BOB_BACKUP[3].upper())
        assert await confirm(scan, "a backup code in the wrong case", login, upper) is None


async def sms(scan: Scan, new: EmulatorFactory) -> None:
    scan.flow("sms")
    emulator = new()
    for api in APIS:
        login = await pending(scan, client(api, emulator), DAVE)
        sent = emulator.sms(DAVE_PHONE)[-1]["code"]
        wrong = scan.code("wrong SMS code", "654321" if sent == "123456" else "123456")
        assert await confirm(scan, "a wrong SMS code", login, wrong) is None
        session = await confirm(scan, "the SMS code", login, sent)
        assert session is not None
        await use_session(scan, session)
        await logout(scan, "logout", session)
    scan.sms_sent(emulator)


async def sms_resend(scan: Scan, new: EmulatorFactory) -> None:
    scan.flow("sms-resend")
    emulator = new()
    for api in APIS:
        login = await pending(scan, client(api, emulator), DAVE)
        assert await scan.call("resend_sms", lambda: login.resend_sms()) is not None
        session = await confirm(scan, "the resent code", login, emulator.sms(DAVE_PHONE)[-1]["code"])
        assert session is not None
        await logout(scan, "logout", session)
    scan.sms_sent(emulator)


async def wrong_password(scan: Scan, new: EmulatorFactory) -> None:
    scan.flow("wrong-password")
    emulator = new()
    for api in APIS:
        for user in (
            (ALICE[0], "alice-pass-wrong"),
            (BOB[0], WEIRD_PASSWORD),
            ("nobody@example.com", "nobody-pass"),
            (DAVE[0], BOB[1]),
        ):
            scan.secret("wrong password", user[1])
            assert await login(scan, "login with a wrong password", client(api, emulator), user) is None


async def wrong_code(scan: Scan, new: EmulatorFactory) -> None:
    scan.flow("wrong-code")
    for api in APIS:
        emulator = new()  # 5 wrong codes a minute block the code step
        login = await pending(scan, client(api, emulator), BOB)
        now = int(time.time())
        valid = {docspace_auth.totp_at(BOB_SECRET, now + 30 * step) for step in range(-12, 13)}
        wrong = scan.code("wrong TOTP", next(f"{n:06d}" for n in range(10**6) if f"{n:06d}" not in valid))
        assert await confirm(scan, "a wrong code", login, wrong) is None
        session = await confirm(scan, "the right code", login, scan.code("TOTP", docspace_auth.totp_now(BOB_SECRET)))
        assert session is not None
        await logout(scan, "logout", session)


async def lockout(scan: Scan, new: EmulatorFactory) -> None:
    scan.flow("lockout")
    scan.secret("wrong password", "alice-typo")
    scan.secret("wrong password", "bob-typo")
    for api in APIS:
        emulator = new()
        for _ in range(6):
            await login(scan, "a wrong password", client(api, emulator), (ALICE[0], "alice-typo"))
        c = client(api, emulator)
        try:
            result = c.login(*ALICE)
            if inspect.isawaitable(result):
                await result
            raise AssertionError("not locked out")
        except LockedOut as error:
            scan.error("the right password, locked out", error)
        # The code step.
        emulator = new("--lockout-attempts", "1")
        login_bob = await pending(scan, client(api, emulator), BOB)
        for _ in range(2):
            await login(scan, "a wrong password", client(api, emulator), (BOB[0], "bob-typo"))
        code = scan.code("TOTP", docspace_auth.totp_now(BOB_SECRET))
        assert await confirm(scan, "the code, locked out", login_bob, code) is None


async def disabled_user(scan: Scan, new: EmulatorFactory) -> None:
    scan.flow("disabled-user")
    emulator = new()
    for api in APIS:
        assert await login(scan, "erin", client(api, emulator), ERIN) is None


async def logout_flow(scan: Scan, new: EmulatorFactory) -> None:
    scan.flow("logout")
    emulator = new()
    for api in APIS:
        session = await session_of(scan, client(api, emulator), ALICE)
        token = session.token
        await logout(scan, "logout", session)
        await logout(scan, "logout again", session)
        resumed = await scan.call(
            "resume",
            lambda: (Session if api == "sync" else AsyncSession).resume(emulator.url, token),
        )
        await use_session(scan, resumed)
        await logout(scan, "logout with a revoked token", resumed)


async def local_input(scan: Scan, new: EmulatorFactory) -> None:
    scan.flow("local-input")
    emulator = new()
    for api in APIS:
        login = await pending(scan, client(api, emulator), BOB)
        for typed in ("alice-pass", "1234567", "12 34 5x", "aB3-x_!", "１２３４５６"):
            scan.secret("malformed code", typed)
            assert await confirm(scan, "a malformed code", login, typed) is None
        for key in ("not base32: bob-pass", "IFREGZCFMYWV6MJ1"):
            scan.secret("bad TOTP key", key)
            await scan.call("totp_now", lambda: docspace_auth.totp_now(key))
            await scan.call("totp_at", lambda: docspace_auth.totp_at(key, 0))
        for token in ("token with spaces", "tökén-secret", "line\nbreak"):
            scan.secret("bad token", token)
            cls = Session if api == "sync" else AsyncSession
            await scan.call("resume", lambda: cls.resume(emulator.url, token))
        for url in ("http://carol:carol-pass@127.0.0.1:1", "https://erin:erin-pass@portal.example.com"):
            await scan.call("a client", lambda: client(api, Emulator(url, None)))


async def totp_flow(scan: Scan, new: EmulatorFactory) -> None:
    scan.flow("totp")
    emulator = new()
    for api in APIS:
        for key in (BOB_SECRET, CAROL_SECRET):
            scan.code("totp_now", docspace_auth.totp_now(key))
            scan.code("totp_at", docspace_auth.totp_at(key, int(time.time()) + 30))
            await scan.call("totp_seconds_remaining", lambda: docspace_auth.totp_seconds_remaining(int(time.time())))
        # A login with the computed code.
        login = await pending(scan, client(api, emulator), BOB)
        session = await confirm(scan, "confirm", login, scan.code("TOTP", docspace_auth.totp_now(BOB_SECRET)))
        assert session is not None
        await logout(scan, "logout", session)


def password_hash(password: str) -> str:
    """The ``passwordHash`` of ``password`` with the fixture portal's parameters (what
    ``hash_password=True`` sends: a secret as good as the password)."""
    params = json.loads(USERS_FILE.read_text(encoding="utf-8"))["portal"]["passwordHash"]
    return hashlib.pbkdf2_hmac(
        "sha256", password.strip().encode(), params["salt"].encode(), params["iterations"], params["size"] // 8
    ).hex()


def web_view(c: AnyClient, start: str) -> str:
    """Plays the SSO web view from ``start`` to the first address ``c.sso_redirect`` stops at (it
    holds the token, or the error)."""
    return follow_sso(start, lambda address: c.sso_redirect(address) != "elsewhere")


async def portal_shapes(scan: Scan, new: EmulatorFactory) -> None:
    scan.flow("portal-shapes")
    scan.secret("captcha answer", CAPTCHA_OK)
    scan.secret("captcha answer (wrong)", "wrong-captcha-answer")
    scan.secret("wrong password", "carol-typo")
    scan.secret("password of heidi", HEIDI[1])
    for user, password in (ALICE, BOB, HEIDI):
        scan.secret(f"password hash of {user}", password_hash(password))
    for api in APIS:
        emulator = new("--lockout-attempts", "1")  # a fresh portal: Bob's codes, Carol locked out
        info = await scan.call("portal_info", lambda: client(api, emulator).portal_info())
        assert info is not None and info.password_hash is not None
        params = json.loads(USERS_FILE.read_text(encoding="utf-8"))["portal"]["passwordHash"]
        assert (info.password_hash.salt, info.password_hash.iterations, info.password_hash.size) == (
            params["salt"],
            params["iterations"],
            params["size"],
        )

        # Hashed logins: the pending login holds the hash.
        hashed = client(api, emulator, hash_password=True)
        session = await session_of(scan, hashed, ALICE)
        await use_session(scan, session)
        login_bob = await pending(scan, hashed, BOB)
        code = scan.code("TOTP", docspace_auth.totp_now(BOB_SECRET))
        bob = await confirm(scan, "confirm after a hashed login", login_bob, code)
        assert bob is not None

        # Backup codes regenerated: each new one is a secret (asked for: BackupCode.code).
        fresh = await scan.call("regenerate_backup_codes", lambda: bob.regenerate_backup_codes())
        assert fresh

        # Locked out, then through with a captcha answer (a wrong one, then the right one).
        for _ in range(2):
            await login(scan, "a wrong password", client(api, emulator), (CAROL[0], "carol-typo"))
        assert isinstance(scan.last_error, LockedOut), repr(scan.last_error)
        c = client(api, emulator)
        for answer, passes in (("wrong-captcha-answer", False), (CAPTCHA_OK, True)):
            got = await scan.call(
                "login_with_captcha", lambda: c.login_with_captcha(CAROL[0], CAROL[1], "recaptcha", answer)
            )
            assert (got is not None) == passes and (passes or isinstance(scan.last_error, CaptchaRejected))

        # SSO: the token comes in the address the web view ends on; Ivan ends on the error page.
        c = client(api, emulator)
        for user, ends_well in ((FRANK, True), (IVAN, False)):
            end = web_view(c, f"{emulator.url}/sso/login?email={urllib.parse.quote(user)}")
            await scan.call("sso_redirect", lambda: c.sso_redirect(end))
            sso = await scan.call("complete_sso", lambda: c.complete_sso(end))
            assert (sso is not None) == ends_well, (user, scan.last_error)
            if sso is not None:
                await use_session(scan, sso)
                slo = await scan.call("logout (the SSO logout URL)", lambda: sso.logout())
                assert slo is not None and "/sso/slo?" in slo, slo

        # Phone activation, then the SMS code.
        login_heidi = await pending(scan, client(api, emulator), HEIDI)
        await scan.call("set_phone without digits", lambda: login_heidi.set_phone("no digits"))
        assert scan.last_error is not None
        await scan.call("set_phone", lambda: login_heidi.set_phone("+1 555 765 4321"))
        scan.value("the pending login after set_phone", login_heidi)
        for message in emulator.sms(HEIDI_PHONE):
            scan.secret("SMS code (phone activation)", message["code"])
        code = emulator.sms(HEIDI_PHONE)[-1]["code"]
        heidi = await confirm(scan, "confirm after set_phone", login_heidi, code)
        assert heidi is not None

        # Active sessions: listed, this one refused, another one ended, then the others.
        other = await session_of(scan, client(api, emulator), ALICE)
        listed = await scan.call("sessions", lambda: session.sessions())
        others = await scan.call("sessions of another session", lambda: other.sessions())
        assert listed and others
        mine = next(s for s in listed if s.current)
        theirs = next(s for s in others if s.current)
        assert await scan.call("end_session (this one)", lambda: session.end_session(mine.id)) is None
        assert isinstance(scan.last_error, CurrentSession), repr(scan.last_error)
        assert await scan.call("end_session (another one)", lambda: session.end_session(theirs.id)) is True
        await scan.call("end_other_sessions", lambda: session.end_other_sessions())
        for s in (bob, heidi, session):
            await logout(scan, "logout", s)


# Faults: (name, shapes); a shape gives the fault's JSON form for a request that carried secrets.
Shape = Callable[[List[str]], Dict[str, Any]]


def envelope(message: str, status: int) -> str:
    return json.dumps(
        {"error": {"message": message, "type": None, "stack": None, "hresult": 0}, "status": 1, "statusCode": status}
    )


def echo(status: int, headers: Optional[Dict[str, str]] = None) -> Shape:
    return lambda secrets: {
        "kind": "status",
        "status": status,
        "headers": headers or {},
        "body": envelope("you sent " + " and ".join(secrets), status),
    }


def echo_403(form: Callable[[str], str]) -> Shape:
    return lambda secrets: {
        "kind": "status",
        "status": 403,
        "body": envelope("Access denied for " + " / ".join(form(s) for s in secrets), 403),
    }


def ok_body(body: Callable[[str], Dict[str, Any]]) -> Shape:
    return lambda secrets: {"kind": "status", "status": 200, "body": json.dumps(body(" ".join(secrets)))}


def fixed(fault: Dict[str, Any]) -> Shape:
    return lambda secrets: fault


FAULT_FLOWS: List[Tuple[str, List[Shape]]] = [
    ("fault-delay", [fixed({"kind": "delay", "delayMs": 3000})]),
    ("fault-drop", [fixed({"kind": "drop"})]),
    ("fault-html", [fixed({"kind": "html"})]),
    ("fault-malformed-json", [fixed({"kind": "malformedJson"})]),
    ("fault-oversized", [fixed({"kind": "oversized"})]),
    (
        "fault-redirect",
        [
            fixed({"kind": "redirect"}),
            lambda secrets: {
                "kind": "redirect",
                "location": "http://127.0.0.1:1/steal?s=" + ",".join(percent(s) for s in secrets),
            },
        ],
    ),
    ("fault-status-4xx", [echo(400), echo(401), echo(404)]),
    ("fault-status-429", [echo(429, {"Retry-After": "7"}), echo(429, {"Retry-After": "Wed, 21 Oct 2037 07:28:00 GMT"})]),
    ("fault-status-5xx", [echo(500), echo(502), echo(503, {"Retry-After": "3"})]),
    (
        "fault-403-echo",
        [
            echo_403(lambda s: s),
            echo_403(lambda s: s.upper()),
            echo_403(lambda s: json.dumps(s)[1:-1]),
            echo_403(json_escaped_ascii),
            echo_403(percent),
            echo_403(lambda s: urllib.parse.quote_plus(s)),
        ],
    ),
    (
        "fault-200-echo",
        [
            ok_body(lambda s: {"response": s, "status": 0, "statusCode": 200}),
            ok_body(
                lambda s: {
                    "response": {"token": s + " x", "expires": "2099-01-01T00:00:00Z", "sms": False, "tfa": False},
                    "status": 0,
                    "statusCode": 200,
                }
            ),
            ok_body(lambda s: {"response": {"tfa": True, "tfaKey": s + "!", "sms": False}, "status": 0, "statusCode": 200}),
            ok_body(lambda s: {"response": {"token": s}, "status": 1, "statusCode": 200, "error": {"message": s}}),
        ],
    ),
]


def test_sso_logout_url_never_carries_the_token(emulator: Emulator) -> None:
    """A server that echoes the token as the logout's `response` (where the SSO single-logout
    URL goes) never gets it handed back as that URL."""
    session = Client(emulator.url).login(*ALICE)
    assert isinstance(session, Session)
    token = session.token
    body = json.dumps({"response": token, "status": 0, "statusCode": 200})
    emulator.fault(kind="status", status=200, body=body, path="/api/2.0/authentication/logout")
    url = session.logout()
    assert url is None or token.lower() not in urllib.parse.unquote(url).lower(), url


def assert_withheld(scan: Scan, login_step: bool = False) -> None:
    """The last call raised Forbidden with the message withheld (a 403 that repeated a secret).
    On a login step (password, code, SMS resend) a 403 envelope without an error type is the
    lockout: :class:`LockedOut`, whose message is the library's own (the server's is dropped)."""
    error = scan.last_error
    if login_step:
        assert type(error) is LockedOut and "Access denied" not in str(error), repr(error)
    else:
        assert type(error) is Forbidden and "withheld" in str(error), repr(error)


async def fault_flow(scan: Scan, new: EmulatorFactory, name: str, shapes: List[Shape]) -> None:
    scan.flow(name)
    emulator = new()
    echo403 = name == "fault-403-echo"
    for number, shape in enumerate(shapes):
        for api in APIS:
            what = f"under shape #{number} {api}"

            def install(secrets: List[str]) -> None:
                emulator.fault(**shape(secrets), times=1)

            for password in (ALICE[1], WEIRD_PASSWORD):
                scan.secret("password", password)
                install([password])
                result = await login(scan, f"login {what}", client(api, emulator, SHORT), (ALICE[0], password))
                if echo403:
                    assert_withheld(scan, login_step=True)
                if result is not None:
                    await logout(scan, "logout", result)
            login_bob = await pending(scan, client(api, emulator, SHORT), BOB)
            code = scan.code("TOTP", docspace_auth.totp_now(BOB_SECRET))
            install([BOB[1], code])
            session = await scan.call(f"confirm {what}", lambda: login_bob.confirm(code))
            if echo403:
                assert_withheld(scan, login_step=True)
            if session is not None:
                await logout(scan, "logout", session)
            login_dave = await pending(scan, client(api, emulator, SHORT), DAVE)
            install([DAVE[1]])
            await scan.call(f"resend_sms {what}", lambda: login_dave.resend_sms())
            if echo403:
                assert_withheld(scan, login_step=True)
            session = await session_of(scan, client(api, emulator, SHORT), ALICE)
            token = session.token
            for call in ("me", "is_valid", "backup_codes", "logout"):
                install([token])
                await scan.call(f"{call} {what}", lambda: getattr(session, call)())
                if echo403:
                    assert_withheld(scan)
            if not echo403:
                # A logout that was not answered leaves the session usable: log out for real.
                await logout(scan, "logout again", session)
    scan.sms_sent(emulator)


async def run_all(scan: Scan, new: EmulatorFactory) -> None:
    flows: List[Callable[[Scan, EmulatorFactory], Awaitable[None]]] = [
        plain_login,
        app_2fa,
        enrolment,
        backup_code,
        sms,
        sms_resend,
        wrong_password,
        wrong_code,
        lockout,
        disabled_user,
        logout_flow,
        local_input,
        totp_flow,
        portal_shapes,
    ]
    for flow in flows:
        await flow(scan, new)
    for name, shapes in FAULT_FLOWS:
        await fault_flow(scan, new, name, shapes)


def test_no_secret_in_anything_python_prints_or_raises(
    emulator_factory: EmulatorFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    scan = Scan()

    # The scanner finds what it looks for (so an empty result means something).
    scan.secret("self-test", WEIRD_PASSWORD)
    scan.secret("self-test code", "482913")
    for planted in (
        f"x{WEIRD_PASSWORD}x",
        f"x{WEIRD_PASSWORD.upper()}x",
        f"x{percent(WEIRD_PASSWORD).upper()}x",
        json.dumps(WEIRD_PASSWORD),
        f"x{json_escaped_ascii(WEIRD_PASSWORD)}x",
        repr(WEIRD_PASSWORD),
        "code: 482913.",
    ):
        assert scan.leaks_in(planted), planted
    assert not scan.leaks_in("tv_nsec: 1482913000")
    scan.secrets.clear()

    # The fixture secrets are known whether or not a flow meets them.
    for user, password in (ALICE, BOB, CAROL, DAVE, ERIN):
        scan.secret(f"password of {user}", password)
    scan.secret("Bob's TOTP secret", BOB_SECRET)
    scan.secret("Carol's TOTP secret", CAROL_SECRET)
    for code in BOB_BACKUP:
        scan.secret("Bob's backup code", code)

    asyncio.run(run_all(scan, emulator_factory))

    assert scan.flows == listed_flows(), "every listed flow, in order"
    kinds = list(scan.secrets.values())
    assert sum(k.startswith("token issued") for k in kinds) >= 30
    assert sum(k.startswith("SMS code") for k in kinds) >= 8
    assert sum(k.startswith("backup code") for k in kinds) >= 5

    leaks = [
        f"{what}: {leak}\n    in: {text}"
        for what, text in scan.captured
        for leak in scan.leaks_in(text)
    ]
    summary = (
        f"secret scan (Python): {len(scan.flows)} flows (each with the sync and the async API), "
        f"{len(scan.captured)} captured outputs, {len(scan.secrets)} known secrets, "
        f"{len(leaks)} secrets found"
    )
    with capsys.disabled():  # shown without -s
        print(f"\n{summary}")
    assert not leaks, summary + ":\n" + "\n".join(leaks)
