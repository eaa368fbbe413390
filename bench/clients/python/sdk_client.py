"""The vendor's official Python SDK (docspace-api-sdk, pinned in bench/run.sh):
``AuthenticationApi.authenticate_me`` (password) then ``authenticate_me_from_body_with_code`` (the
code in the path and in the JSON body, protocol §4.3).

    python sdk_client.py <new|reuse> seq N ROUNDS | conc C TOTAL | cold

``new`` runs its README's snippet per login, from the portal's address: a ``Configuration`` and an
``ApiClient`` (in a ``with`` block, as the README shows), as the docspace-auth clients that make a
new client per login do from the portal's address (``Auth::new(url)``, ``Client(url)``). ``reuse``
makes them once for the process and only calls the API per login, as ``core-clone`` and the
``-reuse`` Python clients reuse theirs.
"""

from __future__ import annotations

import sys

import common
import docspace_api_sdk as sdk

variant = sys.argv.pop(1) if len(sys.argv) > 1 else ""
if variant not in ("new", "reuse"):
    sys.exit("variant must be new or reuse")
cfg = common.config()


def steps(api: sdk.AuthenticationApi) -> str:
    step1 = api.authenticate_me(sdk.AuthRequestsDto(user_name=cfg.user, password=cfg.password))
    if step1.response is None or not step1.response.tfa:
        raise RuntimeError("step 1 did not ask for an authenticator code")
    code = common.totp_now(cfg.secret)
    body = sdk.AuthWithCodeRequestsDto(user_name=cfg.user, password=cfg.password, code=code)
    step2 = api.authenticate_me_from_body_with_code(code, body)
    return (step2.response.token if step2.response else None) or ""


if variant == "new":

    def login() -> str:
        configuration = sdk.Configuration(host=cfg.url)
        with sdk.ApiClient(configuration) as api_client:
            return steps(sdk.AuthenticationApi(api_client))

else:
    shared = sdk.AuthenticationApi(sdk.ApiClient(sdk.Configuration(host=cfg.url)))

    def login() -> str:
        return steps(shared)


common.main_sync(login)
