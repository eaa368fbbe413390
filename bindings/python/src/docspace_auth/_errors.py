"""The exceptions of docspace_auth: one base class, one subclass per kind of failure.

Messages (``str(error)``) are readable and never contain a secret (password, token, TOTP
secret or code).
"""

from __future__ import annotations

from typing import Awaitable, Callable, Dict, Type, TypeVar

from . import _native

T = TypeVar("T")


class AuthError(Exception):
    """Base class of every error raised by docspace_auth."""


class InvalidCredentials(AuthError):
    """Wrong user name or password (an unknown user looks the same)."""


class CodeRejected(AuthError):
    """The second-factor code was rejected; the pending login stays usable."""


class Forbidden(AuthError):
    """HTTP 403: locked out after too many attempts, user disabled, ..."""


class NotFound(AuthError):
    """HTTP 404: the user was not found."""


class RateLimited(AuthError):
    """HTTP 429: too many requests."""


class ServerError(AuthError):
    """HTTP 5xx from the portal."""


class Unauthorized(AuthError):
    """The token is not valid (expired, revoked or malformed)."""


class UnexpectedResponse(AuthError):
    """The portal's answer does not follow the DocSpace protocol."""


class TransportError(AuthError):
    """The request did not complete at the network level."""


class ConnectError(TransportError):
    """The connection could not be established."""


class TlsError(TransportError):
    """The TLS handshake failed (untrusted certificate, wrong host name, ...)."""


class RequestTimeout(TransportError):
    """A timeout elapsed."""


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


# Variant names of the native (uniffi) error enum -> the classes above.
_BY_NATIVE_NAME: Dict[str, Type[AuthError]] = {
    "InvalidCredentials": InvalidCredentials,
    "CodeRejected": CodeRejected,
    "Forbidden": Forbidden,
    "NotFound": NotFound,
    "RateLimited": RateLimited,
    "Server": ServerError,
    "Unauthorized": Unauthorized,
    "UnexpectedResponse": UnexpectedResponse,
    "Connect": ConnectError,
    "Tls": TlsError,
    "Timeout": RequestTimeout,
    "Transport": TransportError,
    "InsecureUrl": InsecureUrl,
    "InvalidUrl": InvalidUrl,
    "InvalidCodeFormat": InvalidCodeFormat,
    "InvalidSecret": InvalidSecret,
    "InvalidCertificate": InvalidCertificate,
    "InvalidConfiguration": InvalidConfiguration,
    "AlreadyUsed": AlreadyUsed,
}


def _convert(error: _native.AuthError) -> AuthError:
    cls = _BY_NATIVE_NAME.get(type(error).__name__, AuthError)
    return cls(str(error))


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
