"""The vendor's official Python SDK (docspace-api-sdk, pinned in bench/run.sh), used as its README
shows: one ``ApiClient`` for the process, ``AuthenticationApi.authenticate_me`` (password) then
``authenticate_me_from_body_with_code`` (the code in the path and in the JSON body, protocol §4.3).

    python sdk_client.py seq N ROUNDS | conc C TOTAL | cold
"""

from __future__ import annotations

import common
import docspace_api_sdk as sdk

cfg = common.config()
api = sdk.AuthenticationApi(sdk.ApiClient(sdk.Configuration(host=cfg.url)))


def login() -> str:
    step1 = api.authenticate_me(sdk.AuthRequestsDto(user_name=cfg.user, password=cfg.password))
    if step1.response is None or not step1.response.tfa:
        raise RuntimeError("step 1 did not ask for an authenticator code")
    code = common.totp_now(cfg.secret)
    body = sdk.AuthWithCodeRequestsDto(user_name=cfg.user, password=cfg.password, code=code)
    step2 = api.authenticate_me_from_body_with_code(code, body)
    return (step2.response.token if step2.response else None) or ""


common.main_sync(login)
