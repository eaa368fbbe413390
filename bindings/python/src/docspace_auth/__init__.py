"""docspace_auth: log in to an ONLYOFFICE DocSpace portal, two-factor authentication included.

Synchronous::

    from docspace_auth import Client, PendingLogin

    result = Client("https://portal.example.com").login("me@example.com", "password")
    session = result.confirm(input("code: ")) if isinstance(result, PendingLogin) else result
    print(session.me().display_name)

Async: the same with :class:`AsyncClient` (``await client.login(...)``, ``await pending.confirm(...)``).
Errors are subclasses of :class:`AuthError`; :class:`RateLimited` carries ``retry_after``,
:class:`ServerError` ``status``, :class:`TransportError` ``kind`` and :class:`SsoError`
``reason`` and ``message_key``.

Before the login screen, :meth:`Client.portal_info` says what the portal offers (SSO, LDAP,
captcha, password hashing); :meth:`Client.sso_redirect` and :meth:`Client.complete_sso` finish
a single sign-on from a web view; a :class:`Session` lists and ends the user's sessions.
"""

from __future__ import annotations

from . import _native
from ._async import AsyncClient, AsyncPendingLogin, AsyncSession
from ._errors import (
    AlreadyUsed,
    AuthError,
    CaptchaRejected,
    CodeRejected,
    ConnectError,
    CurrentSession,
    Forbidden,
    InsecureUrl,
    InvalidCertificate,
    InvalidConfiguration,
    InvalidCodeFormat,
    InvalidCredentials,
    InvalidPhoneNumber,
    InvalidSecret,
    InvalidUrl,
    LockedOut,
    NotADocSpacePortal,
    NotFound,
    NotPhoneActivation,
    PhoneActivationExpired,
    PortalUnavailable,
    RateLimited,
    RequestTimeout,
    ServerError,
    SsoError,
    TlsError,
    TransportError,
    TransportKind,
    Unauthorized,
    UnexpectedResponse,
    UserDisabled,
    WrongPortalAddress,
    call,
)
from ._sync import Client, PendingLogin, Session
from ._types import (
    ActiveSession,
    AppChallenge,
    AppEnrollmentChallenge,
    BackupCode,
    Captcha,
    CaptchaKind,
    Challenge,
    Enrollment,
    PasswordHashParams,
    PortalInfo,
    SmsChallenge,
    SmsPhoneActivationChallenge,
    SmsSent,
    SsoFailure,
    SsoProvider,
    SsoRedirect,
    TenantStatus,
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
    "ActiveSession",
    "AlreadyUsed",
    "AppChallenge",
    "AppEnrollmentChallenge",
    "AsyncClient",
    "AsyncPendingLogin",
    "AsyncSession",
    "AuthError",
    "BackupCode",
    "Captcha",
    "CaptchaKind",
    "CaptchaRejected",
    "Challenge",
    "Client",
    "CodeRejected",
    "ConnectError",
    "CurrentSession",
    "Enrollment",
    "Forbidden",
    "InsecureUrl",
    "InvalidCertificate",
    "InvalidCodeFormat",
    "InvalidConfiguration",
    "InvalidCredentials",
    "InvalidPhoneNumber",
    "InvalidSecret",
    "InvalidUrl",
    "LockedOut",
    "NotADocSpacePortal",
    "NotFound",
    "NotPhoneActivation",
    "PasswordHashParams",
    "PendingLogin",
    "PhoneActivationExpired",
    "PortalInfo",
    "PortalUnavailable",
    "RateLimited",
    "RequestTimeout",
    "ServerError",
    "Session",
    "SmsChallenge",
    "SmsPhoneActivationChallenge",
    "SmsSent",
    "SsoError",
    "SsoFailure",
    "SsoProvider",
    "SsoRedirect",
    "TenantStatus",
    "TlsError",
    "TransportError",
    "TransportKind",
    "Unauthorized",
    "UnexpectedResponse",
    "User",
    "UserDisabled",
    "WrongPortalAddress",
    "__version__",
    "totp_at",
    "totp_now",
    "totp_seconds_remaining",
]
