"""The async API: every network call is a coroutine (run it on any asyncio event loop).

Cancelling a ``confirm`` (``task.cancel()``, a timeout) leaves the pending login usable.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict
from typing import List, Optional, Tuple, Union

from . import _native
from ._errors import call, call_async
from ._types import (
    BackupCode,
    Challenge,
    SmsSent,
    User,
    challenge_from_native,
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
) -> _native.ClientOptions:
    return _native.ClientOptions(
        timeout=_duration(timeout),
        connect_timeout=_duration(connect_timeout),
        extra_root_certificate_pem=extra_root_certificate_pem,
        session=session,
        user_agent=user_agent,
    )


_Options = Tuple[str, Optional[Timeout], Optional[Timeout], Optional[str], bool, Optional[str]]
# Native clients by portal URL and options: a native client holds only its configuration (the
# connections are pooled in the library), so a new Client for the same portal reuses one instead
# of crossing into the library to build it again. Bounded; safe to share between threads.
_NATIVE_CLIENTS: "OrderedDict[_Options, _native.DocspaceClient]" = OrderedDict()
_NATIVE_CLIENTS_MAX = 16


def _native_client(key: _Options) -> _native.DocspaceClient:
    native = _NATIVE_CLIENTS.get(key)
    if native is None:
        portal_url, timeout, connect_timeout, pem, session, user_agent = key
        options = _options(timeout, connect_timeout, pem, session, user_agent)
        native = call(lambda: _native.DocspaceClient(portal_url, options))
        _NATIVE_CLIENTS[key] = native
        while len(_NATIVE_CLIENTS) > _NATIVE_CLIENTS_MAX:
            _NATIVE_CLIENTS.popitem(last=False)
    return native


class AsyncClient:
    """A client for one DocSpace portal.

    ``http://`` URLs are refused (:class:`InsecureUrl`) unless the host is loopback.
    Timeouts are ``datetime.timedelta`` or seconds; ``extra_root_certificate_pem`` is a CA (PEM text) trusted on top of
    the system's trust store.
    """

    def __init__(
        self,
        portal_url: str,
        *,
        timeout: Optional[Timeout] = None,
        connect_timeout: Optional[Timeout] = None,
        extra_root_certificate_pem: Optional[str] = None,
        session: bool = False,
        user_agent: Optional[str] = None,
    ) -> None:
        self._native = _native_client(
            (portal_url, timeout, connect_timeout, extra_root_certificate_pem, session, user_agent)
        )

    @property
    def portal_url(self) -> str:
        """The portal URL, normalized (with a trailing slash)."""
        return self._native.portal_url()

    async def login(self, user: str, password: str) -> Union[AsyncSession, AsyncPendingLogin]:
        """Logs in: a session, or a pending login when a second factor is required."""
        result = await call_async(self._native.login(user, password))
        if isinstance(result, _native.LoginResult.AUTHENTICATED):
            return AsyncSession(result.session)
        if isinstance(result, _native.LoginResult.TFA_REQUIRED):
            return AsyncPendingLogin(result.pending)
        raise TypeError(f"unexpected login result {type(result).__name__}")

    def __repr__(self) -> str:
        return f"AsyncClient({self.portal_url!r})"


class AsyncPendingLogin:
    """The password was accepted; a second factor is pending (see :attr:`challenge`).

    A rejected code (:class:`CodeRejected`) leaves it usable; after a successful
    :meth:`confirm` it is used up (:class:`AlreadyUsed`).
    """

    def __init__(self, native: _native.PendingLogin) -> None:
        self._native = native
        self._challenge: Optional[Challenge] = None

    @property
    def challenge(self) -> Challenge:
        """Which second factor the server asks for."""
        if self._challenge is None:
            # Read on first use: it is fixed for this pending login.
            self._challenge = challenge_from_native(self._native.challenge())
        return self._challenge

    @property
    def user(self) -> str:
        """The login name this second factor is for."""
        return self._native.user()

    async def confirm(self, code: str) -> AsyncSession:
        """Sends the code (6 digits or a 6-character backup code; spaces are ignored)."""
        return AsyncSession(await call_async(self._native.confirm(code)))

    async def resend_sms(self) -> SmsSent:
        """Asks the portal to send a new SMS code."""
        sent = await call_async(self._native.resend_sms())
        return SmsSent(sent.phone_noise, sent.expires)

    def __repr__(self) -> str:
        return f"AsyncPendingLogin(user={self.user!r}, challenge={type(self.challenge).__name__})"


class AsyncSession:
    """Logged in. After :meth:`logout` every call raises :class:`AlreadyUsed`."""

    def __init__(self, native: _native.Session) -> None:
        self._native = native

    @classmethod
    def resume(
        cls,
        portal_url: str,
        token: str,
        *,
        timeout: Optional[Timeout] = None,
        connect_timeout: Optional[Timeout] = None,
        extra_root_certificate_pem: Optional[str] = None,
        user_agent: Optional[str] = None,
    ) -> AsyncSession:
        """A session from a token stored earlier (check it with :meth:`is_valid`)."""
        options = _options(
            timeout, connect_timeout, extra_root_certificate_pem, False, user_agent
        )
        return cls(call(lambda: _native.Session.resume(portal_url, token, options)))

    @property
    def token(self) -> str:
        """The token, to store securely and :meth:`resume` from later."""
        return call(self._native.token)

    @property
    def expires(self) -> Optional[datetime.datetime]:
        """When the token expires (UTC), if the server said."""
        return self._native.expires()

    async def me(self) -> User:
        """The logged-in user's profile."""
        return user_from_native(await call_async(self._native.me()))

    async def is_valid(self) -> bool:
        """Whether the portal still accepts the token."""
        return await call_async(self._native.is_valid())

    async def backup_codes(self) -> List[BackupCode]:
        """The user's backup codes (authenticator app users, once enrolled)."""
        codes = await call_async(self._native.backup_codes())
        return [BackupCode(c.code(), c.is_used()) for c in codes]

    async def logout(self) -> None:
        """Logs out and revokes the token on the portal."""
        await call_async(self._native.logout())

    def __repr__(self) -> str:
        return f"AsyncSession(expires={self.expires!r})"
