"""The synchronous API: the same objects as the async one, each call blocking until done.

Each call is the native library's blocking method: it runs on the calling thread's own runtime
in the native library (ctypes releases the GIL meanwhile), with no asyncio event loop involved.
"""

from __future__ import annotations

import datetime
from typing import List, Optional, Union

from . import _native
from ._async import AsyncClient, AsyncPendingLogin, AsyncSession, Timeout
from ._errors import call
from ._types import BackupCode, Challenge, SmsSent, User, user_from_native


class Client:
    """A client for one DocSpace portal (blocking calls).

    ``http://`` URLs are refused (:class:`InsecureUrl`) unless the host is loopback.
    Timeouts are ``datetime.timedelta`` or seconds; ``extra_root_certificate_pem`` is a CA (PEM text) trusted on top of
    the system's trust store.

    >>> client = Client("https://portal.example.com")          # doctest: +SKIP
    >>> result = client.login("me@example.com", "password")     # doctest: +SKIP
    >>> session = result.confirm(input("code: ")) if isinstance(result, PendingLogin) else result
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
        self._async = AsyncClient(
            portal_url,
            timeout=timeout,
            connect_timeout=connect_timeout,
            extra_root_certificate_pem=extra_root_certificate_pem,
            session=session,
            user_agent=user_agent,
        )

    @property
    def portal_url(self) -> str:
        """The portal URL, normalized (with a trailing slash)."""
        return self._async.portal_url

    def login(self, user: str, password: str) -> Union[Session, PendingLogin]:
        """Logs in: a session, or a pending login when a second factor is required."""
        native = self._async._native
        result = call(lambda: native.login_blocking(user, password))
        if isinstance(result, _native.LoginResult.AUTHENTICATED):
            return Session(AsyncSession(result.session))
        if isinstance(result, _native.LoginResult.TFA_REQUIRED):
            return PendingLogin(AsyncPendingLogin(result.pending))
        raise TypeError(f"unexpected login result {type(result).__name__}")

    def __repr__(self) -> str:
        return f"Client({self.portal_url!r})"


class PendingLogin:
    """The password was accepted; a second factor is pending (see :attr:`challenge`).

    A rejected code (:class:`CodeRejected`) leaves it usable; after a successful
    :meth:`confirm` it is used up (:class:`AlreadyUsed`).
    """

    def __init__(self, inner: AsyncPendingLogin) -> None:
        self._async = inner

    @property
    def challenge(self) -> Challenge:
        """Which second factor the server asks for."""
        return self._async.challenge

    @property
    def user(self) -> str:
        """The login name this second factor is for."""
        return self._async.user

    def confirm(self, code: str) -> Session:
        """Sends the code (6 digits or a 6-character backup code; spaces are ignored)."""
        native = self._async._native
        return Session(AsyncSession(call(lambda: native.confirm_blocking(code))))

    def resend_sms(self) -> SmsSent:
        """Asks the portal to send a new SMS code."""
        sent = call(self._async._native.resend_sms_blocking)
        return SmsSent(sent.phone_noise, sent.expires)

    def __repr__(self) -> str:
        return f"PendingLogin(user={self.user!r}, challenge={type(self.challenge).__name__})"


class Session:
    """Logged in. After :meth:`logout` every call raises :class:`AlreadyUsed`."""

    def __init__(self, inner: AsyncSession) -> None:
        self._async = inner

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
    ) -> Session:
        """A session from a token stored earlier (check it with :meth:`is_valid`)."""
        return cls(
            AsyncSession.resume(
                portal_url,
                token,
                timeout=timeout,
                connect_timeout=connect_timeout,
                extra_root_certificate_pem=extra_root_certificate_pem,
                user_agent=user_agent,
            )
        )

    @property
    def token(self) -> str:
        """The token, to store securely and :meth:`resume` from later."""
        return self._async.token

    @property
    def expires(self) -> Optional[datetime.datetime]:
        """When the token expires (UTC), if the server said."""
        return self._async.expires

    def me(self) -> User:
        """The logged-in user's profile."""
        return user_from_native(call(self._async._native.me_blocking))

    def is_valid(self) -> bool:
        """Whether the portal still accepts the token."""
        return call(self._async._native.is_valid_blocking)

    def backup_codes(self) -> List[BackupCode]:
        """The user's backup codes (authenticator app users, once enrolled)."""
        codes = call(self._async._native.backup_codes_blocking)
        return [BackupCode(c.code(), c.is_used()) for c in codes]

    def logout(self) -> None:
        """Logs out and revokes the token on the portal."""
        call(self._async._native.logout_blocking)

    def __repr__(self) -> str:
        return f"Session(expires={self.expires!r})"
