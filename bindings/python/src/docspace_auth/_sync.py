"""The synchronous API: the same objects as the async one, each call blocking until done.

Each call is the native library's blocking method: it runs on the calling thread's own runtime
in the native library (ctypes releases the GIL meanwhile), with no asyncio event loop involved.
Each class shares with its async twin a base that holds the native object (``_async.py``), and
calls the native object itself: a login crosses no async object on its way.
"""

from __future__ import annotations

from typing import List, Optional, Union

from . import _direct, _native
from ._async import _ClientBase, _PendingBase, _SessionBase
from ._errors import _convert, call
from ._types import (
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


class Client(_ClientBase):
    """A client for one DocSpace portal (blocking calls).

    ``http://`` URLs are refused (:class:`InsecureUrl`) unless the host is loopback.
    Timeouts are ``datetime.timedelta`` or seconds; ``extra_root_certificate_pem`` is a CA (PEM text) trusted on top of
    the system's trust store. ``hash_password=True`` sends the password's client-side hash
    instead of the password (leave it off for LDAP accounts, see :attr:`PortalInfo.ldap_enabled`).

    >>> client = Client("https://portal.example.com")          # doctest: +SKIP
    >>> result = client.login("me@example.com", "password")     # doctest: +SKIP
    >>> session = result.confirm(input("code: ")) if isinstance(result, PendingLogin) else result
    """

    __slots__ = ()

    def login(self, user: str, password: str) -> Union[Session, PendingLogin]:
        """Logs in: a session, or a pending login when a second factor is required."""
        # A login's path (login, confirm, token) crosses in `_direct`, with `call` written out.
        try:
            native = _direct.login(self._native, user, password)
        except _native.AuthError as error:
            raise _convert(error) from None
        return _login_result(native)

    def login_with_captcha(
        self, user: str, password: str, captcha_kind: CaptchaKind, captcha_response: str
    ) -> Union[Session, PendingLogin]:
        """:meth:`login` with the answer of the portal's captcha (:attr:`PortalInfo.captcha`),
        after :class:`LockedOut`: a valid answer lets the login through the lockout (the password
        is still checked); a rejected one raises :class:`CaptchaRejected`."""
        native = self._native
        kind = native_captcha_kind(captcha_kind)
        return _login_result(
            _direct.unwrap(
                call(lambda: native.login_with_captcha_blocking(user, password, kind, captcha_response))
            )
        )

    def portal_info(self) -> PortalInfo:
        """What a login screen needs to know about the portal (SSO, LDAP, captcha, password
        hash parameters, state). Raises :class:`NotADocSpacePortal` when the address is not a
        DocSpace portal."""
        return portal_info_from_native(call(self._native.portal_info_blocking))

    def complete_sso(self, address: str) -> Session:
        """The session from the address the SSO web view ended on (``{portal}/?token=...``); for
        the portal's error page, :class:`SsoError` with the reason. No request is made.
        :class:`InvalidUrl` for any other address."""
        return Session(call(lambda: self._native.complete_sso(address)))


def _login_result(
    native: Union[_native.Session, _native.PendingLogin],
) -> Union[Session, PendingLogin]:
    if isinstance(native, _native.PendingLogin):
        return PendingLogin(native)
    return Session(native)


class PendingLogin(_PendingBase):
    """The password was accepted; a second factor is pending (see :attr:`challenge`).

    A rejected code (:class:`CodeRejected`) leaves it usable; after a successful
    :meth:`confirm` it is used up (:class:`AlreadyUsed`).
    """

    __slots__ = ()

    def confirm(self, code: str) -> Session:
        """Sends the code (6 digits or a 6-character backup code; spaces are ignored)."""
        try:
            return Session(_direct.confirm(self._native, code))
        except _native.AuthError as error:
            raise _convert(error) from None

    def resend_sms(self) -> SmsSent:
        """Asks the portal to send a new SMS code."""
        sent = call(self._native.resend_sms_blocking)
        return sms_sent_from_native(sent)

    def set_phone(self, number: str) -> Challenge:
        """On an :class:`SmsPhoneActivationChallenge`: the phone number to send codes to (any
        formatting). The portal sends a code to it and the challenge becomes an
        :class:`SmsChallenge` (returned, and :attr:`challenge` from now on); then
        :meth:`confirm` as usual. :class:`NotPhoneActivation` for another challenge and
        :class:`InvalidPhoneNumber` for a number without digits, both without a request;
        :class:`PhoneActivationExpired` an hour after the login. A failure leaves the pending
        login usable."""
        native = self._native
        challenge = challenge_from_native(call(lambda: native.set_phone_blocking(number)))
        self._challenge = challenge
        return challenge


class Session(_SessionBase):
    """Logged in. After :meth:`logout` every call raises :class:`AlreadyUsed`."""

    __slots__ = ()

    def me(self) -> User:
        """The logged-in user's profile."""
        return user_from_native(call(self._native.me_blocking))

    def is_valid(self) -> bool:
        """Whether the portal still accepts the token."""
        return call(self._native.is_valid_blocking)

    def backup_codes(self) -> List[BackupCode]:
        """The user's backup codes (authenticator app users, once enrolled)."""
        codes = call(self._native.backup_codes_blocking)
        return backup_codes_from_native(codes)

    def regenerate_backup_codes(self) -> List[BackupCode]:
        """Replaces the user's backup codes with new ones and returns them (show them once; the
        old ones stop working). :class:`Forbidden` without an authenticator app set up."""
        codes = call(self._native.regenerate_backup_codes_blocking)
        return backup_codes_from_native(codes)

    def sessions(self) -> List[ActiveSession]:
        """The user's active sessions, newest first; ``current`` marks this one."""
        return [active_session_from_native(s) for s in call(self._native.sessions_blocking)]

    def end_session(self, id: int) -> bool:
        """Ends another session (its tokens stop working); ``False`` when there was no such
        active session. :class:`CurrentSession` for this session's own id (use :meth:`logout`)."""
        native = self._native
        return call(lambda: native.end_session_blocking(id))

    def end_other_sessions(self) -> None:
        """Ends every other session of the user; this one stays valid."""
        call(self._native.end_other_sessions_blocking)

    def logout(self) -> Optional[str]:
        """Logs out and revokes the token on the portal.

        Returns, for a user who logged in with SSO on a portal with single logout, the address
        that ends the identity provider's session too (open it in the login's web view);
        otherwise ``None``.
        """
        return call(self._native.logout_blocking)
