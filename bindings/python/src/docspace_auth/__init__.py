"""docspace_auth: log in to an ONLYOFFICE DocSpace portal, two-factor authentication included.

Synchronous::

    from docspace_auth import Client, PendingLogin

    result = Client("https://portal.example.com").login("me@example.com", "password")
    session = result.confirm(input("code: ")) if isinstance(result, PendingLogin) else result
    print(session.me().display_name)

Async: the same with :class:`AsyncClient` (``await client.login(...)``, ``await pending.confirm(...)``).
Errors are subclasses of :class:`AuthError`; :class:`RateLimited` carries ``retry_after``,
:class:`ServerError` ``status`` and :class:`TransportError` ``kind``.
"""

from __future__ import annotations

from . import _native
from ._async import AsyncClient, AsyncPendingLogin, AsyncSession
from ._errors import (
    AlreadyUsed,
    AuthError,
    CodeRejected,
    ConnectError,
    Forbidden,
    InsecureUrl,
    InvalidCertificate,
    InvalidConfiguration,
    InvalidCodeFormat,
    InvalidCredentials,
    InvalidSecret,
    InvalidUrl,
    NotFound,
    RateLimited,
    RequestTimeout,
    ServerError,
    TlsError,
    TransportError,
    TransportKind,
    Unauthorized,
    UnexpectedResponse,
    call,
)
from ._sync import Client, PendingLogin, Session
from ._types import (
    AppChallenge,
    AppEnrollmentChallenge,
    BackupCode,
    Challenge,
    Enrollment,
    SmsChallenge,
    SmsPhoneActivationChallenge,
    SmsSent,
    User,
)

__version__: str = _native.library_version()


def totp_now(secret: str) -> str:
    """The current TOTP code (6 digits) for a Base32 secret (raises :class:`InvalidSecret`)."""
    return call(lambda: _native.totp_now(secret))


def totp_at(secret: str, unix_secs: int) -> str:
    """The TOTP code (6 digits) at ``unix_secs`` seconds since the Unix epoch."""
    return call(lambda: _native.totp_at(secret, unix_secs))


def totp_seconds_remaining(unix_secs: int) -> int:
    """Seconds until the TOTP code valid at ``unix_secs`` changes (1 to 30)."""
    return _native.totp_seconds_remaining(unix_secs)


__all__ = [
    "AlreadyUsed",
    "AppChallenge",
    "AppEnrollmentChallenge",
    "AsyncClient",
    "AsyncPendingLogin",
    "AsyncSession",
    "AuthError",
    "BackupCode",
    "Challenge",
    "Client",
    "CodeRejected",
    "ConnectError",
    "Enrollment",
    "Forbidden",
    "InsecureUrl",
    "InvalidCertificate",
    "InvalidConfiguration",
    "InvalidCodeFormat",
    "InvalidCredentials",
    "InvalidSecret",
    "InvalidUrl",
    "NotFound",
    "PendingLogin",
    "RateLimited",
    "RequestTimeout",
    "ServerError",
    "Session",
    "SmsChallenge",
    "SmsPhoneActivationChallenge",
    "SmsSent",
    "TlsError",
    "TransportError",
    "TransportKind",
    "Unauthorized",
    "UnexpectedResponse",
    "User",
    "__version__",
    "totp_at",
    "totp_now",
    "totp_seconds_remaining",
]
