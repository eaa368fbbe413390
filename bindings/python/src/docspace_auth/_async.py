"""The async API: every network call is a coroutine (run it on any asyncio event loop).

Cancelling a ``confirm`` (``task.cancel()``, a timeout) leaves the pending login usable.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict
from typing import List, Optional, Tuple, Type, TypeVar, Union

from . import _direct, _native
from ._errors import _convert, call, call_async
from ._types import (
    SSO_REDIRECTS,
    ActiveSession,
    BackupCode,
    CaptchaKind,
    Challenge,
    PortalInfo,
    SmsSent,
    SsoRedirect,
    User,
    active_session_from_native,
    backup_codes_from_native,
    challenge_from_native,
    native_captcha_kind,
    portal_info_from_native,
    sms_sent_from_native,
    user_from_native,
)


#: A timeout: a ``datetime.timedelta``, or seconds.
Timeout = Union[datetime.timedelta, float]


def _duration(timeout: Optional[Timeout]) -> Optional[datetime.timedelta]:
    if timeout is None:
        return None
    duration = timeout if isinstance(timeout, datetime.timedelta) else datetime.timedelta(seconds=timeout)
    if duration < datetime.timedelta(0):
        raise ValueError(f"a timeout cannot be negative: {timeout!r}")
    return duration


def _options(
    timeout: Optional[Timeout],
    connect_timeout: Optional[Timeout],
    extra_root_certificate_pem: Optional[str],
    session: bool,
    user_agent: Optional[str],
    hash_password: bool = False,
) -> _native.ClientOptions:
    return _native.ClientOptions(
        timeout=_duration(timeout),
        connect_timeout=_duration(connect_timeout),
        extra_root_certificate_pem=extra_root_certificate_pem,
        session=session,
        user_agent=user_agent,
        hash_password=hash_password,
    )


_Options = Tuple[str, Optional[Timeout], Optional[Timeout], Optional[str], bool, Optional[str], bool]
# Native clients by portal URL and options: a native client holds only its configuration (the
# connections are pooled in the library), so a new Client for the same portal reuses one instead
# of crossing into the library to build it again. Bounded; safe to share between threads.
_NATIVE_CLIENTS: "OrderedDict[_Options, _native.DocspaceClient]" = OrderedDict()
_NATIVE_CLIENTS_MAX = 16


def _native_client(key: _Options) -> _native.DocspaceClient:
    native = _NATIVE_CLIENTS.get(key)
    if native is None:
        portal_url, timeout, connect_timeout, pem, session, user_agent, hash_password = key
        options = _options(timeout, connect_timeout, pem, session, user_agent, hash_password)
        native = call(lambda: _native.DocspaceClient(portal_url, options))
        _NATIVE_CLIENTS[key] = native
        while len(_NATIVE_CLIENTS) > _NATIVE_CLIENTS_MAX:
            _NATIVE_CLIENTS.popitem(last=False)
    return native


class _ClientBase:
    """What :class:`Client` and :class:`AsyncClient` share: the native client of the portal and
    options, and the calls that make no request."""

    __slots__ = ("_native",)

    def __init__(
        self,
        portal_url: str,
        *,
        timeout: Optional[Timeout] = None,
        connect_timeout: Optional[Timeout] = None,
        extra_root_certificate_pem: Optional[str] = None,
        session: bool = False,
        user_agent: Optional[str] = None,
        hash_password: bool = False,
    ) -> None:
        self._native = _native_client(
            (
                portal_url,
                timeout,
                connect_timeout,
                extra_root_certificate_pem,
                session,
                user_agent,
                hash_password,
            )
        )

    @property
    def portal_url(self) -> str:
        """The portal URL, normalized (with a trailing slash)."""
        return self._native.portal_url()

    def sso_redirect(self, address: str) -> SsoRedirect:
        """What ``address`` (a navigation the SSO web view is about to make, absolute or
        relative to the portal) means: stop the web view and call :meth:`complete_sso` unless
        it is ``"elsewhere"``. No request is made."""
        return SSO_REDIRECTS[self._native.sso_redirect(address)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.portal_url!r})"


class AsyncClient(_ClientBase):
    """A client for one DocSpace portal.

    ``http://`` URLs are refused (:class:`InsecureUrl`) unless the host is loopback.
    Timeouts are ``datetime.timedelta`` or seconds; ``extra_root_certificate_pem`` is a CA (PEM text) trusted on top of
    the system's trust store. ``hash_password=True`` sends the password's client-side hash
    instead of the password (leave it off for LDAP accounts, see :attr:`PortalInfo.ldap_enabled`).
    """

    __slots__ = ()

    async def login(self, user: str, password: str) -> Union[AsyncSession, AsyncPendingLogin]:
        """Logs in: a session, or a pending login when a second factor is required."""
        try:
            native = await _direct.login_async(self._native, user, password)
        except _native.AuthError as error:
            raise _convert(error) from None
        return login_result_from_native(native)

    async def login_with_captcha(
        self, user: str, password: str, captcha_kind: CaptchaKind, captcha_response: str
    ) -> Union[AsyncSession, AsyncPendingLogin]:
        """:meth:`login` with the answer of the portal's captcha (:attr:`PortalInfo.captcha`),
        after :class:`LockedOut`: a valid answer lets the login through the lockout (the password
        is still checked); a rejected one raises :class:`CaptchaRejected`."""
        kind = native_captcha_kind(captcha_kind)
        return login_result_from_native(
            _direct.unwrap(
                await call_async(self._native.login_with_captcha(user, password, kind, captcha_response))
            )
        )

    async def portal_info(self) -> PortalInfo:
        """What a login screen needs to know about the portal (SSO, LDAP, captcha, password
        hash parameters, state). Raises :class:`NotADocSpacePortal` when the address is not a
        DocSpace portal."""
        return portal_info_from_native(await call_async(self._native.portal_info()))

    def complete_sso(self, address: str) -> AsyncSession:
        """The session from the address the SSO web view ended on (``{portal}/?token=...``); for
        the portal's error page, :class:`SsoError` with the reason. No request is made.
        :class:`InvalidUrl` for any other address."""
        return AsyncSession(call(lambda: self._native.complete_sso(address)))


def login_result_from_native(
    native: Union[_native.Session, _native.PendingLogin],
) -> Union[AsyncSession, AsyncPendingLogin]:
    if isinstance(native, _native.PendingLogin):
        return AsyncPendingLogin(native)
    return AsyncSession(native)


class _PendingBase:
    """What :class:`PendingLogin` and :class:`AsyncPendingLogin` share."""

    __slots__ = ("_native", "_challenge")

    def __init__(self, native: _native.PendingLogin) -> None:
        self._native = native
        self._challenge: Optional[Challenge] = None

    @property
    def challenge(self) -> Challenge:
        """Which second factor the server asks for."""
        if self._challenge is None:
            # Read on first use: it changes only through set_phone, which updates it.
            self._challenge = challenge_from_native(self._native.challenge())
        return self._challenge

    @property
    def user(self) -> str:
        """The login name this second factor is for."""
        return self._native.user()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(user={self.user!r}, challenge={type(self.challenge).__name__})"


class AsyncPendingLogin(_PendingBase):
    """The password was accepted; a second factor is pending (see :attr:`challenge`).

    A rejected code (:class:`CodeRejected`) leaves it usable; after a successful
    :meth:`confirm` it is used up (:class:`AlreadyUsed`).
    """

    __slots__ = ()

    async def confirm(self, code: str) -> AsyncSession:
        """Sends the code (6 digits or a 6-character backup code; spaces are ignored)."""
        try:
            return AsyncSession(await _direct.confirm_async(self._native, code))
        except _native.AuthError as error:
            raise _convert(error) from None

    async def resend_sms(self) -> SmsSent:
        """Asks the portal to send a new SMS code."""
        sent = await call_async(self._native.resend_sms())
        return sms_sent_from_native(sent)

    async def set_phone(self, number: str) -> Challenge:
        """On an :class:`SmsPhoneActivationChallenge`: the phone number to send codes to (any
        formatting). The portal sends a code to it and the challenge becomes an
        :class:`SmsChallenge` (returned, and :attr:`challenge` from now on); then
        :meth:`confirm` as usual. :class:`NotPhoneActivation` for another challenge and
        :class:`InvalidPhoneNumber` for a number without digits, both without a request;
        :class:`PhoneActivationExpired` an hour after the login. A failure leaves the pending
        login usable."""
        challenge = challenge_from_native(await call_async(self._native.set_phone(number)))
        self._challenge = challenge
        return challenge


_S = TypeVar("_S", bound="_SessionBase")


class _SessionBase:
    """What :class:`Session` and :class:`AsyncSession` share."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.Session) -> None:
        self._native = native

    @classmethod
    def resume(
        cls: Type[_S],
        portal_url: str,
        token: str,
        *,
        timeout: Optional[Timeout] = None,
        connect_timeout: Optional[Timeout] = None,
        extra_root_certificate_pem: Optional[str] = None,
        user_agent: Optional[str] = None,
    ) -> _S:
        """A session from a token stored earlier (check it with :meth:`is_valid`)."""
        options = _options(
            timeout, connect_timeout, extra_root_certificate_pem, False, user_agent
        )
        return cls(call(lambda: _native.Session.resume(portal_url, token, options)))

    @property
    def token(self) -> str:
        """The token, to store securely and :meth:`resume` from later."""
        try:
            return _direct.token(self._native)
        except _native.AuthError as error:
            raise _convert(error) from None

    @property
    def expires(self) -> Optional[datetime.datetime]:
        """When the token expires (UTC), if the server said."""
        return self._native.expires()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(expires={self.expires!r})"


class AsyncSession(_SessionBase):
    """Logged in. After :meth:`logout` every call raises :class:`AlreadyUsed`."""

    __slots__ = ()

    async def me(self) -> User:
        """The logged-in user's profile."""
        return user_from_native(await call_async(self._native.me()))

    async def is_valid(self) -> bool:
        """Whether the portal still accepts the token."""
        return await call_async(self._native.is_valid())

    async def backup_codes(self) -> List[BackupCode]:
        """The user's backup codes (authenticator app users, once enrolled)."""
        codes = await call_async(self._native.backup_codes())
        return backup_codes_from_native(codes)

    async def regenerate_backup_codes(self) -> List[BackupCode]:
        """Replaces the user's backup codes with new ones and returns them (show them once; the
        old ones stop working). :class:`Forbidden` without an authenticator app set up."""
        codes = await call_async(self._native.regenerate_backup_codes())
        return backup_codes_from_native(codes)

    async def sessions(self) -> List[ActiveSession]:
        """The user's active sessions, newest first; ``current`` marks this one."""
        return [active_session_from_native(s) for s in await call_async(self._native.sessions())]

    async def end_session(self, id: int) -> bool:
        """Ends another session (its tokens stop working); ``False`` when there was no such
        active session. :class:`CurrentSession` for this session's own id (use :meth:`logout`)."""
        return await call_async(self._native.end_session(id))

    async def end_other_sessions(self) -> None:
        """Ends every other session of the user; this one stays valid."""
        await call_async(self._native.end_other_sessions())

    async def logout(self) -> Optional[str]:
        """Logs out and revokes the token on the portal.

        Returns, for a user who logged in with SSO on a portal with single logout, the address
        that ends the identity provider's session too (open it in the login's web view);
        otherwise ``None``.
        """
        return await call_async(self._native.logout())
