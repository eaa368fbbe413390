"""Plain values returned by the API (users, challenges, enrolment data, backup codes)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Optional, Union

from . import _native


@dataclass(frozen=True)
class User:
    """The logged-in user's profile."""

    id: str
    display_name: str
    email: str
    first_name: Optional[str]
    last_name: Optional[str]


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
    """SMS is required but no phone is activated: set it up at ``confirm_url`` first."""

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


def user_from_native(native: _native.User) -> User:
    return User(
        id=native.id,
        display_name=native.display_name,
        email=native.email,
        first_name=native.first_name,
        last_name=native.last_name,
    )
