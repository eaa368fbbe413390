"""The portal's shapes: discovery, hashed and LDAP logins, the 403s and 404s told apart, captcha,
single sign-on, phone activation, backup code regeneration and active sessions, against a real
emulator process (its users file's `portal` object: SSO with single logout, a reCAPTCHA, LDAP on,
the password hash parameters)."""

from __future__ import annotations

import asyncio
import http.server
import threading
import urllib.parse
from typing import Callable, Iterator, Union

import pytest

import docspace_auth
from docspace_auth import (
    ActiveSession,
    AppChallenge,
    AsyncClient,
    AsyncPendingLogin,
    AsyncSession,
    Captcha,
    CaptchaRejected,
    Client,
    CodeRejected,
    CurrentSession,
    Forbidden,
    InvalidCredentials,
    InvalidPhoneNumber,
    InvalidUrl,
    LockedOut,
    NotADocSpacePortal,
    NotFound,
    NotPhoneActivation,
    PasswordHashParams,
    PendingLogin,
    PhoneActivationExpired,
    PortalUnavailable,
    Session,
    SmsChallenge,
    SmsPhoneActivationChallenge,
    SsoError,
    UserDisabled,
    WrongPortalAddress,
)

from conftest import (
    follow_sso,
    ALICE,
    BOB,
    BOB_SECRET,
    CAPTCHA_OK,
    CAPTCHA_PUBLIC_KEY,
    ERIN,
    FRANK,
    GRACE,
    HEIDI,
    IVAN,
    PORTAL_SALT,
    Emulator,
)

BOB_BACKUP = ["aB3-x_", "Qw9_zz", "00-a_B", "k2k2k2", "Z_-9aa"]
HEIDI_PHONE = "+15559876543"
HEIDI_PHONE_TYPED = "+1 (555) 987-6543"


def pending(result: object) -> PendingLogin:
    assert isinstance(result, PendingLogin), result
    return result


def session_of(result: object) -> Session:
    assert isinstance(result, Session), result
    return result


# --- discovery ------------------------------------------------------------------------------


def test_portal_info_from_the_fixture(emulator: Emulator) -> None:
    info = Client(emulator.url).portal_info()
    assert info.version
    assert info.standalone
    assert (info.tenant_status, info.tenant_status_code, info.accepts_logins) == ("active", 0, True)
    assert info.sso is not None
    assert info.sso.url == emulator.url + "/sso/login"
    assert info.sso.label == "Single Sign-on"
    assert info.ldap_enabled
    assert info.providers == ()
    assert info.password_hash == PasswordHashParams(salt=PORTAL_SALT, iterations=100_000, size=256)
    assert info.captcha == Captcha(kind="recaptcha", public_key=CAPTCHA_PUBLIC_KEY)


def test_portal_info_follows_the_portal_settings(emulator: Emulator) -> None:
    emulator.portal(
        tenantStatus=3,
        sso={"enabled": False},
        ldapEnabled=False,
        recaptcha={"type": 3, "publicKey": "h-key"},
    )

    async def read() -> docspace_auth.PortalInfo:
        return await AsyncClient(emulator.url).portal_info()

    info = asyncio.run(read())
    assert (info.tenant_status, info.tenant_status_code, info.accepts_logins) == ("transferring", 3, False)
    assert info.sso is None
    assert not info.ldap_enabled
    assert info.captcha == Captcha(kind="hcaptcha", public_key="h-key")


def test_an_html_answer_is_not_a_docspace_portal(emulator: Emulator) -> None:
    emulator.fault(kind="html", path="/api/2.0/settings")
    with pytest.raises(NotADocSpacePortal) as error:
        Client(emulator.url).portal_info()
    assert str(error.value)
    # Once the fault is gone, the same client sees the portal.
    assert Client(emulator.url).portal_info().accepts_logins


class _HtmlEverywhere(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!DOCTYPE html><html><body>Welcome to nginx!</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def plain_web_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HtmlEverywhere)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_plain_web_server_is_not_a_docspace_portal(plain_web_server: str) -> None:
    with pytest.raises(NotADocSpacePortal):
        Client(plain_web_server).portal_info()

    async def read() -> None:
        await AsyncClient(plain_web_server).portal_info()

    with pytest.raises(NotADocSpacePortal):
        asyncio.run(read())


# --- 404 and 403 on a login ---------------------------------------------------------------------


def test_a_404_on_login_is_a_wrong_portal_address(emulator: Emulator) -> None:
    emulator.fault(kind="status", status=404, path="/api/2.0/authentication")
    with pytest.raises(WrongPortalAddress) as error:
        Client(emulator.url).login(*ALICE)
    assert isinstance(error.value, NotFound)  # `except NotFound` still catches it
    # A suspended portal answers logins the same way.
    emulator.portal(tenantStatus=1)
    with pytest.raises(WrongPortalAddress):
        Client(emulator.url).login(*ALICE)


def test_a_disabled_user_is_told_apart_only_with_the_right_password(emulator: Emulator) -> None:
    client = Client(emulator.url)
    with pytest.raises(UserDisabled) as error:
        client.login(*ERIN)
    assert isinstance(error.value, Forbidden) and str(error.value)
    with pytest.raises(InvalidCredentials):
        client.login(ERIN[0], "wrong-password")


def test_a_portal_in_maintenance_is_unavailable(emulator: Emulator) -> None:
    emulator.portal(tenantStatus=3)
    client = Client(emulator.url)
    with pytest.raises(PortalUnavailable) as error:
        client.login(*ALICE)
    assert isinstance(error.value, Forbidden)
    info = client.portal_info()
    assert (info.tenant_status, info.accepts_logins) == ("transferring", False)
    emulator.portal(tenantStatus=0)
    assert session_of(client.login(*ALICE)).is_valid()
    # The same for an empty-body 403, whatever the portal says elsewhere.
    emulator.fault(kind="status", status=403, path="/api/2.0/authentication")
    with pytest.raises(PortalUnavailable):
        client.login(*ALICE)


def test_lockout_then_captcha(emulator_factory: Callable[..., Emulator]) -> None:
    emulator = emulator_factory("--lockout-attempts", "2")
    client = Client(emulator.url)
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            client.login(ALICE[0], "wrong-password")
    with pytest.raises(LockedOut) as locked:
        client.login(*ALICE)  # even the right password, while locked out
    assert isinstance(locked.value, Forbidden) and str(locked.value)
    captcha = client.portal_info().captcha
    assert captcha is not None
    with pytest.raises(CaptchaRejected):
        client.login_with_captcha(*ALICE, captcha.kind, "not-the-answer")
    # The right answer passes the lock, but the password is still checked.
    with pytest.raises(InvalidCredentials):
        client.login_with_captcha(ALICE[0], "wrong-password", captcha.kind, CAPTCHA_OK)
    session = session_of(client.login_with_captcha(*ALICE, captcha.kind, CAPTCHA_OK))
    assert session.me().email == ALICE[0]


def test_async_lockout_then_captcha(emulator_factory: Callable[..., Emulator]) -> None:
    emulator = emulator_factory("--lockout-attempts", "1")

    async def scenario() -> None:
        client = AsyncClient(emulator.url)
        with pytest.raises(InvalidCredentials):
            await client.login(ALICE[0], "wrong-password")
        with pytest.raises(LockedOut):
            await client.login(*ALICE)
        with pytest.raises(CaptchaRejected):
            await client.login_with_captcha(*ALICE, "recaptcha", "not-the-answer")
        session = await client.login_with_captcha(*ALICE, "recaptcha", CAPTCHA_OK)
        assert isinstance(session, AsyncSession)
        assert (await session.me()).email == ALICE[0]

    asyncio.run(scenario())


def test_an_unknown_captcha_kind_is_a_value_error(emulator: Emulator) -> None:
    with pytest.raises(ValueError):
        Client(emulator.url).login_with_captcha(*ALICE, "turnstile", CAPTCHA_OK)  # type: ignore[arg-type]


# --- hashed and LDAP logins -----------------------------------------------------------------


def test_hashed_login(emulator: Emulator) -> None:
    session = session_of(Client(emulator.url, hash_password=True).login(*ALICE))
    me = session.me()
    assert me.email == ALICE[0]
    assert not me.is_ldap and not me.is_sso
    with pytest.raises(InvalidCredentials):
        Client(emulator.url, hash_password=True).login(ALICE[0], "wrong-password")


def test_an_ldap_account_needs_the_plain_password(emulator: Emulator) -> None:
    with pytest.raises(InvalidCredentials):
        Client(emulator.url, hash_password=True).login(*GRACE)
    me = session_of(Client(emulator.url).login(*GRACE)).me()
    assert me.email == GRACE[0]
    assert me.is_ldap

    async def hashed() -> None:
        with pytest.raises(InvalidCredentials):
            await AsyncClient(emulator.url, hash_password=True).login(*GRACE)
        session = await AsyncClient(emulator.url, hash_password=True).login(*ALICE)
        assert isinstance(session, AsyncSession)

    asyncio.run(hashed())


def test_hash_password_is_part_of_the_shared_native_client_key(emulator: Emulator) -> None:
    assert Client(emulator.url)._native is not Client(emulator.url, hash_password=True)._native


# --- single sign-on -------------------------------------------------------------------------


def web_view(client: Union[Client, AsyncClient], start: str) -> str:
    """Plays the SSO web view from `start` to the first address `client.sso_redirect` stops at."""
    return follow_sso(start, lambda address: client.sso_redirect(address) != "elsewhere")


def sso_start(client: Client, email: str) -> str:
    sso = client.portal_info().sso
    assert sso is not None
    return sso.url + "?" + urllib.parse.urlencode({"email": email})


def test_sso_login_and_single_logout(emulator: Emulator) -> None:
    client = Client(emulator.url)
    assert client.sso_redirect("https://idp.example.com/login") == "elsewhere"
    landing = web_view(client, sso_start(client, FRANK))
    assert client.sso_redirect(landing) == "token"
    session = client.complete_sso(landing)
    me = session.me()
    assert me.email == FRANK and me.is_sso
    assert session.is_valid()
    token = session.token
    slo = session.logout()
    assert slo is not None and slo.startswith(emulator.url + "/sso/slo?data="), slo
    assert not Session.resume(emulator.url, token).is_valid()


def test_a_password_user_logs_out_without_an_sso_url(emulator: Emulator) -> None:
    session = session_of(Client(emulator.url).login(*ALICE))
    token = session.token
    assert session.logout() is None
    assert not Session.resume(emulator.url, token).is_valid()


def test_sso_error_page(emulator: Emulator) -> None:
    client = Client(emulator.url)
    landing = web_view(client, sso_start(client, IVAN))
    assert client.sso_redirect(landing) == "error"
    with pytest.raises(SsoError) as error:
        client.complete_sso(landing)
    assert error.value.reason == "user_disabled"
    assert error.value.message_key == 16
    assert str(error.value)
    with pytest.raises(InvalidUrl):
        client.complete_sso(emulator.url + "/somewhere/else")


def test_async_sso(emulator: Emulator) -> None:
    async def scenario() -> None:
        client = AsyncClient(emulator.url)
        sso = (await client.portal_info()).sso
        assert sso is not None
        landing = await asyncio.get_running_loop().run_in_executor(
            None, web_view, client, sso.url + "?email=" + urllib.parse.quote(FRANK)
        )
        session = client.complete_sso(landing)
        assert (await session.me()).email == FRANK
        slo = await session.logout()
        assert slo is not None and "/sso/slo?data=" in slo

    asyncio.run(scenario())


# --- phone activation -----------------------------------------------------------------------


def test_phone_activation(emulator: Emulator) -> None:
    login = pending(Client(emulator.url).login(*HEIDI))
    first = login.challenge
    assert isinstance(first, SmsPhoneActivationChallenge) and first.confirm_url
    emulator.reset_counters()
    with pytest.raises(InvalidPhoneNumber):
        login.set_phone("call me maybe")
    assert emulator.counters()["requests"] == 0
    challenge = login.set_phone(HEIDI_PHONE_TYPED)
    assert isinstance(challenge, SmsChallenge)
    assert login.challenge == challenge  # the pending login's challenge changed too
    assert challenge.phone_noise and HEIDI_PHONE not in challenge.phone_noise
    messages = emulator.sms(HEIDI_PHONE)
    assert len(messages) == 1
    session = login.confirm(messages[-1]["code"])
    assert session.me().email == HEIDI[0]
    # The phone is activated now: the next login is a plain SMS challenge.
    again = pending(Client(emulator.url).login(*HEIDI))
    assert isinstance(again.challenge, SmsChallenge)


def test_set_phone_on_another_challenge_sends_nothing(emulator: Emulator) -> None:
    login = pending(Client(emulator.url).login(*BOB))
    assert isinstance(login.challenge, AppChallenge)
    emulator.reset_counters()
    with pytest.raises(NotPhoneActivation):
        login.set_phone(HEIDI_PHONE)
    assert emulator.counters()["requests"] == 0
    # Still usable.
    assert login.confirm(docspace_auth.totp_now(BOB_SECRET)).is_valid()


def test_phone_activation_expires_after_an_hour(emulator: Emulator) -> None:
    login = pending(Client(emulator.url).login(*HEIDI))
    emulator.advance_clock(3601 + 60)
    with pytest.raises(PhoneActivationExpired):
        login.set_phone(HEIDI_PHONE)
    assert emulator.sms(HEIDI_PHONE) == []


def test_async_phone_activation(emulator: Emulator) -> None:
    async def scenario() -> None:
        login = await AsyncClient(emulator.url).login(*HEIDI)
        assert isinstance(login, AsyncPendingLogin)
        assert isinstance(login.challenge, SmsPhoneActivationChallenge)
        challenge = await login.set_phone(HEIDI_PHONE)
        assert isinstance(challenge, SmsChallenge) and isinstance(login.challenge, SmsChallenge)
        session = await login.confirm(emulator.sms(HEIDI_PHONE)[-1]["code"])
        assert (await session.me()).email == HEIDI[0]

    asyncio.run(scenario())


# --- backup codes ---------------------------------------------------------------------------


def test_regenerated_backup_codes_replace_the_old_ones(emulator: Emulator) -> None:
    client = Client(emulator.url)
    session = pending(client.login(*BOB)).confirm(docspace_auth.totp_now(BOB_SECRET))
    fresh = session.regenerate_backup_codes()
    assert fresh and all(len(c.code) == 6 and not c.is_used for c in fresh)
    assert not {c.code for c in fresh} & set(BOB_BACKUP)
    assert all(c.code not in repr(c) for c in fresh)
    assert sorted(c.code for c in session.backup_codes()) == sorted(c.code for c in fresh)
    login = pending(client.login(*BOB))
    with pytest.raises(CodeRejected):
        login.confirm(BOB_BACKUP[0])  # an old code
    assert login.confirm(fresh[0].code).me().email == BOB[0]


def test_async_regenerated_backup_codes(emulator: Emulator) -> None:
    async def scenario() -> None:
        login = await AsyncClient(emulator.url).login(*BOB)
        assert isinstance(login, AsyncPendingLogin)
        session = await login.confirm(docspace_auth.totp_now(BOB_SECRET))
        fresh = await session.regenerate_backup_codes()
        again = await AsyncClient(emulator.url).login(*BOB)
        assert isinstance(again, AsyncPendingLogin)
        assert await (await again.confirm(fresh[-1].code)).is_valid()

    asyncio.run(scenario())


def test_regenerating_backup_codes_without_an_app_is_forbidden(emulator: Emulator) -> None:
    session = session_of(Client(emulator.url).login(*ALICE))
    with pytest.raises(Forbidden):
        session.regenerate_backup_codes()


# --- active sessions ------------------------------------------------------------------------


def current_of(sessions: "list[ActiveSession]") -> ActiveSession:
    current = [s for s in sessions if s.current]
    assert len(current) == 1, sessions
    return current[0]


def test_active_sessions(emulator: Emulator) -> None:
    client = Client(emulator.url)
    first = session_of(client.login(*ALICE))
    second = session_of(client.login(*ALICE))
    listed = first.sessions()
    assert len(listed) >= 2
    mine = current_of(listed)
    other = current_of(second.sessions())
    assert mine.id != other.id
    assert {mine.id, other.id} <= {s.id for s in listed}
    assert mine.ip and (mine.date is None or mine.date.tzinfo is not None)

    assert first.end_session(other.id)
    assert not second.is_valid()
    assert first.is_valid()
    assert not first.end_session(other.id)  # no such active session any more

    with pytest.raises(CurrentSession):
        first.end_session(mine.id)
    assert first.is_valid()

    third = session_of(client.login(*ALICE))
    fourth = session_of(client.login(*ALICE))
    third.end_other_sessions()
    assert third.is_valid()
    assert not fourth.is_valid()
    assert not first.is_valid()
    assert [s.current for s in third.sessions()] == [True]


def test_async_active_sessions(emulator: Emulator) -> None:
    async def scenario() -> None:
        client = AsyncClient(emulator.url)
        first = await client.login(*ALICE)
        second = await client.login(*ALICE)
        assert isinstance(first, AsyncSession) and isinstance(second, AsyncSession)
        mine = current_of(await first.sessions())
        other = current_of(await second.sessions())
        assert await first.end_session(other.id)
        assert not await second.is_valid()
        with pytest.raises(CurrentSession):
            await first.end_session(mine.id)
        await first.end_other_sessions()
        assert await first.is_valid()

    asyncio.run(scenario())
