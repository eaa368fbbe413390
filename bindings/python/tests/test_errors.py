"""Native errors become docspace_auth's exceptions, with their data; none is left unmapped."""

from __future__ import annotations

import inspect
import socket
from typing import Any, Dict

import pytest

from docspace_auth import (
    AuthError,
    CaptchaRejected,
    Client,
    ConnectError,
    Forbidden,
    LockedOut,
    NotFound,
    PortalUnavailable,
    RateLimited,
    ServerError,
    SsoError,
    TransportError,
    UserDisabled,
    WrongPortalAddress,
    _errors,
    _native,
    _types,
)

from conftest import ALICE, Emulator

# The native error's variant classes, created by uniffi at import time (mypy cannot see them).
NATIVE_ERROR: Any = _native.AuthError

# A sample value for each field of the native error variants, by field name.
SAMPLES: Dict[str, Any] = {
    "detail": "a readable sentence",
    "retry_after_secs": 7,
    "status": 503,
    "kind": _native.TransportKind.TLS,
    "reason": _native.SsoFailure.USER_DISABLED,
    "message_key": 16,
}


def test_every_native_error_variant_maps_to_its_own_class() -> None:
    variants = NATIVE_ERROR.__subclasses__()
    assert len(variants) >= 28, variants
    mapped_to = set()
    for variant in variants:
        name = variant.__name__
        assert variant in _errors._BY_NATIVE, f"native AuthError.{name} has no class in _errors.py"
        cls = _errors._BY_NATIVE[variant]
        if variant is NATIVE_ERROR.Other:
            assert cls is AuthError  # a kind this version of the bindings does not know
        else:
            assert cls is not AuthError and issubclass(cls, AuthError), name
            assert cls not in mapped_to, f"two native variants map to {cls.__name__}"
            mapped_to.add(cls)
        fields = [p for p in inspect.signature(variant.__init__).parameters if p != "self"]
        missing = [f for f in fields if f not in SAMPLES]
        assert not missing, f"AuthError.{name}: add a sample value for {missing} to this test"
        error = _errors._convert(variant(**{f: SAMPLES[f] for f in fields}))
        assert isinstance(error, cls), (name, error)
        assert str(error) == SAMPLES["detail"], name


def test_every_native_transport_kind_maps_to_its_class() -> None:
    for kind in _native.TransportKind:
        cls = _errors._TRANSPORT_BY_KIND[kind]
        assert issubclass(cls, TransportError)
        assert cls.kind == kind.name.lower()
        error = _errors._convert(NATIVE_ERROR.Transport(detail="down", kind=kind))
        assert type(error) is cls and error.kind == kind.name.lower()


def test_structured_errors_carry_their_data(emulator: Emulator) -> None:
    client = Client(emulator.url)
    emulator.fault(kind="status", status=429, headers={"Retry-After": "7"}, path="/api/2.0/authentication")
    with pytest.raises(RateLimited) as limited:
        client.login(*ALICE)
    assert limited.value.retry_after == 7
    assert str(limited.value) == "rate limited; retry after 7 s"
    emulator.fault(kind="status", status=429, path="/api/2.0/authentication")
    with pytest.raises(RateLimited) as unknown_wait:
        client.login(*ALICE)
    assert unknown_wait.value.retry_after is None

    emulator.fault(kind="status", status=503, path="/api/2.0/authentication")
    with pytest.raises(ServerError) as server:
        client.login(*ALICE)
    assert server.value.status == 503
    assert "503" in str(server.value)

    # A port nobody listens on (bound, then closed).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectError) as refused:
        Client(f"http://127.0.0.1:{port}").login(*ALICE)
    assert refused.value.kind == "connect"


def test_the_403s_and_404s_told_apart_are_subclasses() -> None:
    # `except Forbidden` / `except NotFound` written before they were told apart still catch them.
    for cls in (LockedOut, UserDisabled, CaptchaRejected, PortalUnavailable):
        assert issubclass(cls, Forbidden), cls
    assert issubclass(WrongPortalAddress, NotFound)


def test_sso_error_carries_its_reason() -> None:
    error = _errors._convert(
        NATIVE_ERROR.Sso(detail="disabled", reason=_native.SsoFailure.USER_DISABLED, message_key=16)
    )
    assert isinstance(error, SsoError)
    assert (error.reason, error.message_key) == ("user_disabled", 16)
    for failure in _native.SsoFailure:
        assert failure in _types.SSO_FAILURES, failure
    assert len(set(_types.SSO_FAILURES.values())) == len(_native.SsoFailure)


def test_every_native_enum_value_has_its_python_name() -> None:
    for kind in _native.CaptchaKind:
        name = _types.CAPTCHA_KINDS[kind]
        assert _types.native_captcha_kind(name) is kind
    for redirect in _native.SsoRedirect:
        assert _types.SSO_REDIRECTS[redirect] == redirect.name.lower()
    variants = {v for v in vars(_native.TenantStatus).values() if isinstance(v, type)}
    known = {variant for variant, _, _ in _types.TENANT_STATUSES}
    assert variants == known | {_native.TenantStatus.OTHER}, variants
