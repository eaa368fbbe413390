"""The scenarios every language's suite runs (same names), against a real emulator process."""

from __future__ import annotations

import asyncio
import datetime
import time
from typing import Callable, List

import pytest

import docspace_auth
from docspace_auth import (
    AlreadyUsed,
    AppChallenge,
    AppEnrollmentChallenge,
    AsyncClient,
    AsyncPendingLogin,
    AsyncSession,
    AuthError,
    Client,
    CodeRejected,
    InsecureUrl,
    InvalidCodeFormat,
    InvalidCredentials,
    InvalidUrl,
    LockedOut,
    PendingLogin,
    ServerError,
    Session,
    SmsChallenge,
    TlsError,
)

from conftest import ALICE, BOB, BOB_SECRET, CAROL, DAVE, DAVE_PHONE, Emulator


def pending(result: object) -> PendingLogin:
    assert isinstance(result, PendingLogin), result
    return result


def session_of(result: object) -> Session:
    assert isinstance(result, Session), result
    return result


def wrong_code(secret: str) -> str:
    """A 6-digit code that is certainly not accepted now (the server allows +-10 steps)."""
    now = int(time.time())
    near = {docspace_auth.totp_at(secret, now + 30 * step) for step in range(-12, 13)}
    return next(c for c in (f"{n:06d}" for n in range(1000)) if c not in near)


def test_plain_login(emulator: Emulator) -> None:
    session = session_of(Client(emulator.url).login(*ALICE))
    assert session.token
    assert session.expires is None or session.expires.tzinfo is not None
    assert session.is_valid()


def test_app_2fa_enrolled(emulator: Emulator) -> None:
    login = pending(Client(emulator.url).login(*BOB))
    assert isinstance(login.challenge, AppChallenge)
    assert login.user == BOB[0]
    session = login.confirm(docspace_auth.totp_now(BOB_SECRET))
    assert session.me().email == BOB[0]


def test_enrollment(emulator: Emulator) -> None:
    login = pending(Client(emulator.url).login(*CAROL))
    challenge = login.challenge
    assert isinstance(challenge, AppEnrollmentChallenge)
    secret = challenge.enrollment.secret
    assert secret
    assert challenge.enrollment.provisioning_uri.startswith("otpauth://totp/")
    assert f"secret={secret}" in challenge.enrollment.provisioning_uri
    assert secret not in repr(challenge.enrollment)
    session = login.confirm(docspace_auth.totp_now(secret))
    codes = session.backup_codes()
    assert codes, "enrolment creates backup codes"
    assert all(len(c.code) == 6 and not c.is_used for c in codes)
    assert all(c.code not in repr(c) for c in codes)
    # Enrolled now: the next login asks for the app code, not enrolment.
    again = pending(Client(emulator.url).login(*CAROL))
    assert isinstance(again.challenge, AppChallenge)


def test_wrong_code_then_right_code(emulator: Emulator) -> None:
    login = pending(Client(emulator.url).login(*BOB))
    with pytest.raises(CodeRejected):
        login.confirm(wrong_code(BOB_SECRET))
    session = login.confirm(docspace_auth.totp_now(BOB_SECRET))
    assert session.me().email == BOB[0]


def test_reuse_used_pending_login(emulator: Emulator) -> None:
    login = pending(Client(emulator.url).login(*BOB))
    login.confirm(docspace_auth.totp_now(BOB_SECRET))
    emulator.reset_counters()
    with pytest.raises(AlreadyUsed):
        login.confirm(docspace_auth.totp_now(BOB_SECRET))
    with pytest.raises(AlreadyUsed):
        login.resend_sms()
    assert emulator.counters()["requests"] == 0


def test_sms_with_resend(emulator: Emulator) -> None:
    login = pending(Client(emulator.url).login(*DAVE))
    challenge = login.challenge
    assert isinstance(challenge, SmsChallenge)
    assert challenge.phone_noise and DAVE_PHONE not in challenge.phone_noise
    assert len(emulator.sms(DAVE_PHONE)) == 1
    sent = login.resend_sms()
    assert sent.phone_noise == challenge.phone_noise
    messages = emulator.sms(DAVE_PHONE)
    assert len(messages) == 2
    session = login.confirm(messages[-1]["code"])
    assert session.me().email == DAVE[0]


def test_lockout(emulator_factory: Callable[..., Emulator]) -> None:
    emulator = emulator_factory("--lockout-attempts", "2")
    client = Client(emulator.url)
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            client.login(ALICE[0], "wrong-password")
    with pytest.raises(LockedOut) as locked:
        client.login(*ALICE)  # even the right password, while locked out
    assert str(locked.value)


def test_malformed_code_sends_no_request(emulator: Emulator) -> None:
    login = pending(Client(emulator.url).login(*BOB))
    emulator.reset_counters()
    for malformed in ["12345", "1234567", "12 34 5!", "", "abc/12"]:
        with pytest.raises(InvalidCodeFormat):
            login.confirm(malformed)
    assert emulator.counters() == {"connections": 0, "requests": 0}
    # Still usable.
    login.confirm(docspace_auth.totp_now(BOB_SECRET))


def test_plain_http_non_loopback() -> None:
    with pytest.raises(InsecureUrl) as error:
        Client("http://portal.example.com")
    assert "https" in str(error.value)
    with pytest.raises(InsecureUrl):
        Session.resume("http://portal.example.com", "token")


def test_me(emulator: Emulator) -> None:
    me = session_of(Client(emulator.url).login(*ALICE)).me()
    assert me.email == ALICE[0]
    assert me.id
    assert me.display_name


def test_logout_revokes(emulator: Emulator) -> None:
    session = session_of(Client(emulator.url).login(*ALICE))
    token = session.token
    session.logout()
    assert not Session.resume(emulator.url, token).is_valid()
    with pytest.raises(AlreadyUsed):
        session.me()
    with pytest.raises(AlreadyUsed):
        session.token
    with pytest.raises(AlreadyUsed):
        session.logout()


@pytest.mark.parametrize(
    "far",
    # Year 10000 in UTC; .NET's DateTime.MaxValue, whose last 900 ns once rounded up to 10000
    # (found by fuzzing the expiry parser).
    ["9999-12-31T23:59:59-01:00", "9999-12-31T23:59:59.9999999Z"],
)
def test_an_expiry_past_year_9999_in_utc_is_representable(emulator: Emulator, far: str) -> None:
    body = (
        '{"response": {"token": "far-future-token", "expires": "%s",'
        ' "sms": false, "tfa": false}, "status": 0, "statusCode": 200}' % far
    )
    emulator.fault(kind="status", status=200, body=body, path="/api/2.0/authentication")
    session = session_of(Client(emulator.url).login(*ALICE))
    expires = session.expires
    assert expires is not None
    assert (expires.year, expires.month, expires.day) == (9999, 12, 31)
    assert "far-future-token" not in repr(session)


def test_a_failed_logout_can_be_retried(emulator: Emulator) -> None:
    session = session_of(Client(emulator.url).login(*ALICE))
    token = session.token
    emulator.fault(kind="status", status=503, path="/api/2.0/authentication/logout")
    with pytest.raises(ServerError) as failed:
        session.logout()
    assert failed.value.status == 503
    # The server did not revoke it: the session is still usable, and logout works again.
    assert session.token == token
    assert Session.resume(emulator.url, token).is_valid()
    session.logout()
    assert not Session.resume(emulator.url, token).is_valid()
    with pytest.raises(AlreadyUsed):
        session.token


def test_resume_from_stored_token(emulator: Emulator) -> None:
    token = session_of(Client(emulator.url).login(*ALICE)).token
    resumed = Session.resume(emulator.url, token)
    assert resumed.expires is None
    assert resumed.is_valid()
    assert resumed.me().email == ALICE[0]


def test_tls_with_ca(emulator_factory: Callable[..., Emulator]) -> None:
    emulator = emulator_factory("--tls")
    assert emulator.url.startswith("https://") and emulator.ca_pem
    # Without the CA the emulator's certificate is untrusted: a transport error, before any
    # credentials are sent.
    with pytest.raises(TlsError) as untrusted:
        Client(emulator.url).login(*ALICE)
    assert "certificate" in str(untrusted.value)
    client = Client(emulator.url, extra_root_certificate_pem=emulator.ca_pem)
    session = session_of(client.login(*ALICE))
    assert session.me().email == ALICE[0]


def test_cancellation_mid_confirm(emulator: Emulator) -> None:
    async def scenario() -> None:
        login = await AsyncClient(emulator.url).login(*BOB)
        assert isinstance(login, AsyncPendingLogin)
        emulator.reset_counters()
        emulator.fault(kind="delay", delayMs=1500, path="/api/2.0/authentication", times=1)
        task = asyncio.ensure_future(login.confirm(docspace_auth.totp_now(BOB_SECRET)))
        deadline = time.monotonic() + 10
        while emulator.counters()["requests"] == 0:  # the request reached the emulator
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        session = await asyncio.wait_for(login.confirm(docspace_auth.totp_now(BOB_SECRET)), 10)
        assert (await session.me()).email == BOB[0]

    asyncio.run(scenario())


def test_concurrent_confirms_send_one_request(emulator: Emulator) -> None:
    async def scenario() -> None:
        login = await AsyncClient(emulator.url).login(*BOB)
        assert isinstance(login, AsyncPendingLogin)
        emulator.reset_counters()
        code = docspace_auth.totp_now(BOB_SECRET)
        results = await asyncio.gather(login.confirm(code), login.confirm(code), return_exceptions=True)
        sessions = [r for r in results if isinstance(r, AsyncSession)]
        errors = [r for r in results if isinstance(r, BaseException)]
        assert len(sessions) == 1 and len(errors) == 1, results
        assert isinstance(errors[0], AlreadyUsed)
        assert emulator.counters()["requests"] == 1

    asyncio.run(scenario())


def test_async_login_with_2fa(emulator: Emulator) -> None:
    async def scenario() -> None:
        client = AsyncClient(emulator.url)
        login = await client.login(*BOB)
        assert isinstance(login, AsyncPendingLogin)
        with pytest.raises(CodeRejected):
            await login.confirm(wrong_code(BOB_SECRET))
        session = await login.confirm(docspace_auth.totp_now(BOB_SECRET))
        assert (await session.me()).email == BOB[0]
        assert await session.is_valid()
        await session.logout()
        with pytest.raises(AlreadyUsed):
            await session.is_valid()

    asyncio.run(scenario())


def test_error_messages_readable_and_secret_free(emulator: Emulator) -> None:
    errors: List[AuthError] = []
    secrets = [ALICE[1], "wrong-password", BOB_SECRET, BOB[1]]
    client = Client(emulator.url)
    with pytest.raises(InvalidCredentials) as e1:
        client.login(ALICE[0], "wrong-password")
    errors.append(e1.value)
    login = pending(client.login(*BOB))
    bad = wrong_code(BOB_SECRET)
    secrets.append(bad)
    with pytest.raises(CodeRejected) as e2:
        login.confirm(bad)
    errors.append(e2.value)
    with pytest.raises(InvalidCodeFormat) as e3:
        login.confirm("98765!")
    secrets.append("98765")
    errors.append(e3.value)
    session = login.confirm(docspace_auth.totp_now(BOB_SECRET))
    token = session.token
    secrets.append(token)
    session.logout()
    with pytest.raises(AlreadyUsed) as e4:
        session.me()
    errors.append(e4.value)
    with pytest.raises(AuthError) as e5:
        Session.resume(emulator.url, token).me()  # revoked token
    errors.append(e5.value)
    with pytest.raises(AuthError) as e6:
        docspace_auth.totp_now("not base32 !" + BOB_SECRET)
    errors.append(e6.value)
    with pytest.raises(InvalidUrl) as e7:
        Client("https://user:" + ALICE[1] + "@portal.example.com")  # credentials in the URL
    errors.append(e7.value)
    for error in errors:
        message = str(error)
        assert len(message) > 5 and message[0].isalpha(), repr(message)
        assert "AuthError" not in message and "Traceback" not in message
        for secret in secrets:
            assert secret not in message, (type(error).__name__, message)
            assert secret not in repr(error)


def test_sync_then_async_calls_on_one_thread(emulator: Emulator) -> None:
    """Blocking calls run on this thread's own runtime in the library; async calls made later
    from the same thread (the event loop here) must not wait on its connections. With a short
    timeout, such a wait fails the test instead of hanging it."""
    sync_client = Client(emulator.url, timeout=3)
    login = pending(sync_client.login(*DAVE))
    login.resend_sms()
    session = session_of(login.confirm(emulator.sms(DAVE_PHONE)[-1]["code"]))
    assert session.me().email == DAVE[0]
    assert session.is_valid()

    async def then_async() -> None:
        client = AsyncClient(emulator.url, timeout=3)
        login = await client.login(*DAVE)
        assert isinstance(login, AsyncPendingLogin)
        await login.resend_sms()
        session = await login.confirm(emulator.sms(DAVE_PHONE)[-1]["code"])
        assert (await session.me()).email == DAVE[0]
        assert await session.is_valid()
        bob = await client.login(*BOB)
        assert isinstance(bob, AsyncPendingLogin)
        bob_session = await bob.confirm(docspace_auth.totp_now(BOB_SECRET))
        assert await bob_session.backup_codes()
        await bob_session.logout()

    started = time.monotonic()
    asyncio.run(then_async())
    # And back to blocking calls on this thread.
    assert session.is_valid()
    session.logout()
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("timeout", [datetime.timedelta(milliseconds=300), 0.3])
def test_a_timeout_as_timedelta_or_seconds(emulator: Emulator, timeout: "datetime.timedelta | float") -> None:
    emulator.fault(kind="delay", delayMs=2000, path="/api/2.0/authentication")
    started = time.monotonic()
    with pytest.raises(docspace_auth.RequestTimeout):
        Client(emulator.url, timeout=timeout).login(*ALICE)
    assert time.monotonic() - started < 1.5


def test_a_negative_timeout_is_refused(emulator: Emulator) -> None:
    with pytest.raises(ValueError):
        Client(emulator.url, timeout=datetime.timedelta(seconds=-1))


def test_clients_for_the_same_portal_and_options_share_one_native_client(emulator: Emulator) -> None:
    # README: a new Client per login costs no new native client (it holds only configuration).
    first, again = Client(emulator.url), AsyncClient(emulator.url)
    assert first._native is again._native
    assert Client(emulator.url, timeout=5)._native is not first._native
    assert session_of(first.login(*ALICE)).is_valid()
