"""Plain values returned by the API (users, challenges, enrolment data, backup codes, what a
portal offers, active sessions)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Dict, List, Literal, Optional, Tuple, Union

from . import _native


@dataclass(frozen=True)
class User:
    """The logged-in user's profile."""

    id: str
    display_name: str
    email: str
    first_name: Optional[str]
    last_name: Optional[str]
    #: Whether the user logs in with single sign-on.
    is_sso: bool = False
    #: Whether the user is an LDAP account.
    is_ldap: bool = False


@dataclass(frozen=True)
class SmsSent:
    """A new SMS code was sent to ``phone_noise`` (masked), valid until ``expires``."""

    phone_noise: str
    expires: Optional[datetime.datetime]


class Enrollment:
    """Authenticator enrolment data. Holds the TOTP secret, so its repr does not show it."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.Enrollment) -> None:
        self._native = native

    @property
    def secret(self) -> str:
        """The TOTP secret (Base32 "manual entry key") to add to an authenticator app."""
        return self._native.secret()

    @property
    def provisioning_uri(self) -> str:
        """The ``otpauth://totp/...`` URI to show as a QR code (contains the secret)."""
        return self._native.provisioning_uri()

    @property
    def confirm_url(self) -> str:
        """The portal's browser page for enrolment (empty if the server sent none)."""
        return self._native.confirm_url()

    def __repr__(self) -> str:
        return "Enrollment(secret=<redacted>)"


class BackupCode:
    """One backup code (each works once). Its repr does not show the code."""

    __slots__ = ("_code", "_is_used")

    def __init__(self, code: str, is_used: bool) -> None:
        self._code = code
        self._is_used = is_used

    @property
    def code(self) -> str:
        """The code (6 characters, case-sensitive)."""
        return self._code

    @property
    def is_used(self) -> bool:
        """Whether it was used already."""
        return self._is_used

    def __repr__(self) -> str:
        return f"BackupCode(code=<redacted>, is_used={self._is_used})"


@dataclass(frozen=True)
class AppChallenge:
    """Enter the current code of the enrolled authenticator app (or a backup code)."""


@dataclass(frozen=True)
class AppEnrollmentChallenge:
    """Not enrolled yet: add ``enrollment.secret`` to an authenticator, then enter its code."""

    enrollment: Enrollment


@dataclass(frozen=True)
class SmsChallenge:
    """A code was sent by SMS to ``phone_noise`` (masked), valid until ``expires``."""

    phone_noise: str
    expires: Optional[datetime.datetime]


@dataclass(frozen=True)
class SmsPhoneActivationChallenge:
    """SMS is required but no phone is activated: give one with ``set_phone`` (a code is sent
    to it and the challenge becomes :class:`SmsChallenge`); ``confirm_url`` is the portal's page
    for the same."""

    confirm_url: str


Challenge = Union[AppChallenge, AppEnrollmentChallenge, SmsChallenge, SmsPhoneActivationChallenge]
"""Which second factor the server asks for."""


def challenge_from_native(native: _native.Challenge) -> Challenge:
    if isinstance(native, _native.Challenge.APP_ENROLLMENT):
        return AppEnrollmentChallenge(Enrollment(native.enrollment))
    if isinstance(native, _native.Challenge.SMS):
        return SmsChallenge(native.phone_noise, native.expires)
    if isinstance(native, _native.Challenge.SMS_PHONE_ACTIVATION):
        return SmsPhoneActivationChallenge(native.confirm_url)
    return AppChallenge()


def backup_codes_from_native(codes: List[_native.BackupCode]) -> List[BackupCode]:
    return [BackupCode(c.code(), c.is_used()) for c in codes]


def sms_sent_from_native(native: _native.SmsSent) -> SmsSent:
    return SmsSent(native.phone_noise, native.expires)


def user_from_native(native: _native.User) -> User:
    return User(
        id=native.id,
        display_name=native.display_name,
        email=native.email,
        first_name=native.first_name,
        last_name=native.last_name,
        is_sso=native.is_sso,
        is_ldap=native.is_ldap,
    )


#: The kind of a captcha widget (:attr:`Captcha.kind`, :meth:`Client.login_with_captcha`).
CaptchaKind = Literal["recaptcha", "recaptcha_android", "recaptcha_ios", "hcaptcha"]

#: A portal's state (:attr:`PortalInfo.tenant_status`); ``"other"`` is one this version does
#: not know (its number is :attr:`PortalInfo.tenant_status_code`).
TenantStatus = Literal[
    "active", "suspended", "remove_pending", "transferring", "restoring", "migrating", "encryption", "other"
]

#: Where an SSO web view's navigation is (:meth:`Client.sso_redirect`): ``"token"`` (stop the
#: web view and call ``complete_sso``), ``"error"`` (stop it; ``complete_sso`` raises
#: :class:`SsoError`) or ``"elsewhere"`` (the identity provider's pages: let it go on).
SsoRedirect = Literal["token", "error", "elsewhere"]

#: Why a single sign-on failed (:attr:`SsoError.reason`); ``"other"``: see ``message_key``.
SsoFailure = Literal[
    "error",
    "disabled",
    "not_allowed",
    "empty_token",
    "invalid_token",
    "cannot_create_user",
    "user_disabled",
    "service_error",
    "authentication_failed",
    "attributes_not_found",
    "other",
]


@dataclass(frozen=True)
class Captcha:
    """The portal's captcha: after :class:`LockedOut`, show a widget of ``kind`` with
    ``public_key``, then log in with :meth:`Client.login_with_captcha`."""

    kind: CaptchaKind
    public_key: str


@dataclass(frozen=True)
class SsoProvider:
    """Single sign-on: open ``url`` in a web view (``label`` is the button's text)."""

    url: str
    label: str


@dataclass(frozen=True)
class PasswordHashParams:
    """The parameters of the client-side password hash (PBKDF2): ``salt`` (used as its UTF-8
    bytes), ``iterations``, ``size`` in bits."""

    salt: str
    iterations: int
    size: int


@dataclass(frozen=True)
class PortalInfo:
    """What a login screen needs to know about a portal (:meth:`Client.portal_info`)."""

    #: The server's version string (``""`` when not configured).
    version: str
    #: A self-hosted server.
    standalone: bool
    #: Whether the portal is active, suspended, in maintenance...
    tenant_status: TenantStatus
    #: The portal's ``tenantStatus`` number (0 active, 1 suspended, ... 6 encryption; -1 unknown).
    tenant_status_code: int
    #: Whether logins can succeed in that state.
    accepts_logins: bool
    #: Single sign-on, when the portal offers it.
    sso: Optional[SsoProvider]
    #: LDAP logins are on: LDAP accounts need the plain password (leave ``hash_password`` off).
    ldap_enabled: bool
    #: The social login providers switched on.
    providers: Tuple[str, ...]
    #: The parameters of the client-side password hash.
    password_hash: Optional[PasswordHashParams]
    #: The captcha shown after a lockout, if the portal has one.
    captcha: Optional[Captcha]


@dataclass(frozen=True)
class ActiveSession:
    """One of the user's active sessions (:meth:`Session.sessions`)."""

    #: The login event's id, for :meth:`Session.end_session`.
    id: int
    #: Whether it is the session these calls run in.
    current: bool
    #: The IP address it logged in from.
    ip: str
    country: Optional[str]
    city: Optional[str]
    #: The browser, from its User-Agent.
    browser: Optional[str]
    #: The platform, from its User-Agent.
    platform: Optional[str]
    #: When it logged in (UTC).
    date: Optional[datetime.datetime]
    #: The page it logged in from, when known.
    page: Optional[str]


# The native (uniffi) enums -> the literals above; tests check that none is left out.
CAPTCHA_KINDS: Dict[_native.CaptchaKind, CaptchaKind] = {
    _native.CaptchaKind.RECAPTCHA: "recaptcha",
    _native.CaptchaKind.RECAPTCHA_ANDROID: "recaptcha_android",
    _native.CaptchaKind.RECAPTCHA_IOS: "recaptcha_ios",
    _native.CaptchaKind.H_CAPTCHA: "hcaptcha",
}
NATIVE_CAPTCHA_KINDS: Dict[str, _native.CaptchaKind] = {v: k for k, v in CAPTCHA_KINDS.items()}

SSO_REDIRECTS: Dict[_native.SsoRedirect, SsoRedirect] = {
    _native.SsoRedirect.TOKEN: "token",
    _native.SsoRedirect.ERROR: "error",
    _native.SsoRedirect.ELSEWHERE: "elsewhere",
}

SSO_FAILURES: Dict[_native.SsoFailure, SsoFailure] = {
    _native.SsoFailure.ERROR: "error",
    _native.SsoFailure.DISABLED: "disabled",
    _native.SsoFailure.NOT_ALLOWED: "not_allowed",
    _native.SsoFailure.EMPTY_TOKEN: "empty_token",
    _native.SsoFailure.INVALID_TOKEN: "invalid_token",
    _native.SsoFailure.CANNOT_CREATE_USER: "cannot_create_user",
    _native.SsoFailure.USER_DISABLED: "user_disabled",
    _native.SsoFailure.SERVICE_ERROR: "service_error",
    _native.SsoFailure.AUTHENTICATION_FAILED: "authentication_failed",
    _native.SsoFailure.ATTRIBUTES_NOT_FOUND: "attributes_not_found",
    _native.SsoFailure.OTHER: "other",
}

# The known tenant statuses: native variant, name, number (`Other` carries its own number).
TENANT_STATUSES: Tuple[Tuple[type, TenantStatus, int], ...] = (
    (_native.TenantStatus.ACTIVE, "active", 0),
    (_native.TenantStatus.SUSPENDED, "suspended", 1),
    (_native.TenantStatus.REMOVE_PENDING, "remove_pending", 2),
    (_native.TenantStatus.TRANSFERRING, "transferring", 3),
    (_native.TenantStatus.RESTORING, "restoring", 4),
    (_native.TenantStatus.MIGRATING, "migrating", 5),
    (_native.TenantStatus.ENCRYPTION, "encryption", 6),
)


def native_captcha_kind(kind: CaptchaKind) -> _native.CaptchaKind:
    try:
        return NATIVE_CAPTCHA_KINDS[kind]
    except KeyError:
        raise ValueError(f"not a captcha kind: {kind!r} (one of {sorted(NATIVE_CAPTCHA_KINDS)})") from None


def tenant_status_from_native(native: _native.TenantStatus) -> Tuple[TenantStatus, int]:
    if isinstance(native, _native.TenantStatus.OTHER):
        return "other", native.code
    for variant, name, code in TENANT_STATUSES:
        if isinstance(native, variant):
            return name, code
    return "other", -1


def portal_info_from_native(native: _native.PortalInfo) -> PortalInfo:
    status, code = tenant_status_from_native(native.tenant_status)
    sso = native.sso
    hash_params = native.password_hash
    captcha = native.captcha
    return PortalInfo(
        version=native.version,
        standalone=native.standalone,
        tenant_status=status,
        tenant_status_code=code,
        accepts_logins=native.accepts_logins,
        sso=None if sso is None else SsoProvider(url=sso.url, label=sso.label),
        ldap_enabled=native.ldap_enabled,
        providers=tuple(native.providers),
        password_hash=None
        if hash_params is None
        else PasswordHashParams(hash_params.salt, hash_params.iterations, hash_params.size),
        captcha=None if captcha is None else Captcha(CAPTCHA_KINDS[captcha.kind], captcha.public_key),
    )


def active_session_from_native(native: _native.ActiveSession) -> ActiveSession:
    return ActiveSession(
        id=native.id,
        current=native.current,
        ip=native.ip,
        country=native.country,
        city=native.city,
        browser=native.browser,
        platform=native.platform,
        date=native.date,
        page=native.page,
    )
