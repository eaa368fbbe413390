"""Handing the token to the vendor's official SDK (docspace-api-sdk, pinned in test.sh), as
README's Python section shows: log in here, second factor included, then call the rest of the
DocSpace API through the SDK with that token, against the emulator."""

from __future__ import annotations

import docspace_api_sdk as sdk
import pytest

import docspace_auth
from docspace_auth import Client, PendingLogin, Session

from conftest import BOB, BOB_SECRET, Emulator


def sdk_client(portal_url: str, token: str) -> sdk.ApiClient:
    # The token goes in `Authorization: Bearer <token>` (the portal's cookie handler takes it
    # from there). Not `api_key={"asc_auth_key": ...}`: SDK 3.7.0 sends that as a bare
    # `Cookie: <token>` header, without the cookie's name, and the portal answers 401.
    return sdk.ApiClient(sdk.Configuration(host=portal_url.rstrip("/"), access_token=token))


def bob_session(emulator: Emulator) -> Session:
    pending = Client(emulator.url).login(*BOB)
    assert isinstance(pending, PendingLogin)
    return pending.confirm(docspace_auth.totp_now(BOB_SECRET))


def test_the_sdk_calls_people_self_with_a_token_from_this_library(emulator: Emulator) -> None:
    session = bob_session(emulator)
    with sdk_client(emulator.url, session.token) as api_client:
        me = sdk.ProfilesApi(api_client).get_self_profile()
    assert me.response is not None
    assert me.response.email == BOB[0]


def test_after_logout_the_sdk_is_refused(emulator: Emulator) -> None:
    session = bob_session(emulator)
    token = session.token
    session.logout()
    with sdk_client(emulator.url, token) as api_client:
        with pytest.raises(sdk.exceptions.UnauthorizedException):
            sdk.ProfilesApi(api_client).get_self_profile()
