"""The exceptions of docspace_auth: one base class, one subclass per kind of failure.

Messages (``str(error)``) are readable and never contain a secret (password, token, TOTP
secret or code). Where a caller needs data, the exception carries it: :class:`RateLimited`
``retry_after``, :class:`ServerError` ``status``, :class:`TransportError` ``kind``,
:class:`SsoError` ``reason`` and ``message_key``.

The 403s the library tells apart (:class:`LockedOut`, :class:`UserDisabled`,
:class:`CaptchaRejected`, :class:`PortalUnavailable`) are subclasses of :class:`Forbidden`, and
:class:`WrongPortalAddress` (a 404 on a login) of :class:`NotFound`, so that ``except Forbidden``
still catches a lockout.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Literal, Optional, Type, TypeVar

from . import _native
from ._types import SSO_FAILURES, SsoFailure

T = TypeVar("T")

#: The kind of a :class:`TransportError`.
TransportKind = Literal["connect", "tls", "timeout", "other"]


class AuthError(Exception):
    """Base class of every error raised by docspace_auth."""

    @classmethod
    def _from_native(cls, error: Any) -> AuthError:
        return cls(error.detail)


class InvalidCredentials(AuthError):
    """Wrong user name or password (an unknown user looks the same)."""


class CodeRejected(AuthError):
    """The second-factor code was rejected; the pending login stays usable."""


class Forbidden(AuthError):
    """HTTP 403. The ones the library tells apart are its subclasses (:class:`LockedOut`,
    :class:`UserDisabled`, :class:`CaptchaRejected`, :class:`PortalUnavailable`); ``Forbidden``
    itself is any other, and its message includes the server's (localized) text."""


class LockedOut(Forbidden):
    """Too many failed logins: wait (a minute by default), or show the portal's captcha
    (:attr:`PortalInfo.captcha`) and log in with ``login_with_captcha``."""


class UserDisabled(Forbidden):
    """The password is right but the account is disabled."""


class CaptchaRejected(Forbidden):
    """The captcha answer was rejected: show a new captcha."""


class PortalUnavailable(Forbidden):
    """The portal is in maintenance (transfer, restore, encryption): try again later."""


class NotFound(AuthError):
    """HTTP 404 on a call that needs the token."""


class WrongPortalAddress(NotFound):
    """HTTP 404 on a login: no DocSpace portal answers logins at this address (a wrong address,
    or a suspended portal)."""


class NotADocSpacePortal(AuthError):
    """``portal_info`` found no DocSpace portal at the address."""


class SsoError(AuthError):
    """The single sign-on ended on the portal's error page (``/login/error?messageKey=N``).

    ``reason``: why (``"user_disabled"``, ``"cannot_create_user"``, ...; ``"other"`` for a
    ``messageKey`` this version does not know); ``message_key``: the portal's number.
    """

    def __init__(self, message: str, reason: SsoFailure = "other", message_key: int = 0) -> None:
        super().__init__(message)
        self.reason = reason
        self.message_key = message_key

    @classmethod
    def _from_native(cls, error: Any) -> AuthError:
        return cls(error.detail, reason=SSO_FAILURES.get(error.reason, "other"), message_key=error.message_key)


class NotPhoneActivation(AuthError):
    """``set_phone`` while no phone activation is pending (nothing was sent)."""


class InvalidPhoneNumber(AuthError):
    """A phone number without digits (nothing was sent)."""


class PhoneActivationExpired(AuthError):
    """The phone activation of this login expired (an hour after it): log in again."""


class CurrentSession(AuthError):
    """``end_session`` was given this session's own id: use ``logout`` for it."""


class RateLimited(AuthError):
    """HTTP 429: too many requests.

    ``retry_after``: how long the server asked to wait, in whole seconds (at least 1), or
    ``None`` if it did not say.
    """

    def __init__(self, message: str, retry_after: Optional[int] = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    @classmethod
    def _from_native(cls, error: Any) -> AuthError:
        return cls(error.detail, retry_after=error.retry_after_secs)


class ServerError(AuthError):
    """HTTP 5xx from the portal; ``status`` is the HTTP status code."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status

    @classmethod
    def _from_native(cls, error: Any) -> AuthError:
        return cls(error.detail, status=error.status)


class Unauthorized(AuthError):
    """The token is not valid (expired, revoked or malformed)."""


class UnexpectedResponse(AuthError):
    """The portal's answer does not follow the DocSpace protocol."""


class TransportError(AuthError):
    """The request did not complete at the network level.

    ``kind`` is ``"connect"``, ``"tls"``, ``"timeout"`` or ``"other"``; the first three are also
    the subclasses :class:`ConnectError`, :class:`TlsError` and :class:`RequestTimeout`.
    """

    kind: TransportKind = "other"

    @classmethod
    def _from_native(cls, error: Any) -> AuthError:
        return _TRANSPORT_BY_KIND[error.kind](error.detail)


class ConnectError(TransportError):
    """The connection could not be established."""

    kind: TransportKind = "connect"


class TlsError(TransportError):
    """The TLS handshake failed (untrusted certificate, wrong host name, ...)."""

    kind: TransportKind = "tls"


class RequestTimeout(TransportError):
    """A timeout elapsed."""

    kind: TransportKind = "timeout"


class InsecureUrl(AuthError):
    """Plain ``http://`` to a host that is not loopback."""


class InvalidUrl(AuthError):
    """The portal URL is not a valid http(s) URL."""


class InvalidCodeFormat(AuthError):
    """The code is neither 6 digits nor a 6-character backup code; nothing was sent."""


class InvalidSecret(AuthError):
    """The TOTP secret is not valid Base32."""


class InvalidCertificate(AuthError):
    """The extra root certificate (PEM) could not be used."""


class InvalidConfiguration(AuthError):
    """A client option is not usable (e.g. a user agent that is not a valid header value)."""


class AlreadyUsed(AuthError):
    """The pending login was already confirmed, or the session was logged out."""


# uniffi creates the variant classes of the native error at import time, nested in it, where
# mypy cannot see them: reach them through an untyped alias (they are the classes themselves).
_Native: Any = _native.AuthError

# The native (uniffi) error variants -> the classes above. `Other` (a kind of error this version
# of the bindings does not know) is the bare base class.
_BY_NATIVE: Dict[type, Type[AuthError]] = {
    _Native.InvalidCredentials: InvalidCredentials,
    _Native.CodeRejected: CodeRejected,
    _Native.Forbidden: Forbidden,
    _Native.LockedOut: LockedOut,
    _Native.UserDisabled: UserDisabled,
    _Native.CaptchaRejected: CaptchaRejected,
    _Native.PortalUnavailable: PortalUnavailable,
    _Native.WrongPortalAddress: WrongPortalAddress,
    _Native.NotADocSpacePortal: NotADocSpacePortal,
    _Native.Sso: SsoError,
    _Native.NotPhoneActivation: NotPhoneActivation,
    _Native.InvalidPhoneNumber: InvalidPhoneNumber,
    _Native.PhoneActivationExpired: PhoneActivationExpired,
    _Native.CurrentSession: CurrentSession,
    _Native.NotFound: NotFound,
    _Native.RateLimited: RateLimited,
    _Native.Server: ServerError,
    _Native.Unauthorized: Unauthorized,
    _Native.UnexpectedResponse: UnexpectedResponse,
    _Native.Transport: TransportError,
    _Native.InsecureUrl: InsecureUrl,
    _Native.InvalidUrl: InvalidUrl,
    _Native.InvalidCodeFormat: InvalidCodeFormat,
    _Native.InvalidSecret: InvalidSecret,
    _Native.InvalidCertificate: InvalidCertificate,
    _Native.InvalidConfiguration: InvalidConfiguration,
    _Native.AlreadyUsed: AlreadyUsed,
    _Native.Other: AuthError,
}

_TRANSPORT_BY_KIND: Dict[_native.TransportKind, Type[TransportError]] = {
    _native.TransportKind.CONNECT: ConnectError,
    _native.TransportKind.TLS: TlsError,
    _native.TransportKind.TIMEOUT: RequestTimeout,
    _native.TransportKind.OTHER: TransportError,
}


def _convert(error: _native.AuthError) -> AuthError:
    return _BY_NATIVE.get(type(error), AuthError)._from_native(error)


def call(func: Callable[[], T]) -> T:
    """Calls a native function, raising this module's exceptions instead of the native ones."""
    try:
        return func()
    except _native.AuthError as error:
        raise _convert(error) from None


async def call_async(awaitable: Awaitable[T]) -> T:
    """Awaits a native coroutine, raising this module's exceptions instead of the native ones."""
    try:
        return await awaitable
    except _native.AuthError as error:
        raise _convert(error) from None
