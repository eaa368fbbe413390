"""The Python binding of docspace-auth, as its README shows it: a new client per login.

    python docspace_client.py <sync|async|sync-reuse|async-reuse> seq N ROUNDS | conc C TOTAL | cold

``sync`` is ``docspace_auth.Client``, ``async`` is ``docspace_auth.AsyncClient``; ``-reuse`` keeps
one client for every login instead of a new one per login. The rest: common.py.
"""

from __future__ import annotations

import sys

import common
from docspace_auth import AsyncClient, AsyncPendingLogin, Client, PendingLogin

variant = sys.argv.pop(1) if len(sys.argv) > 1 else ""
cfg = common.config()

if variant in ("sync", "sync-reuse"):
    shared = Client(cfg.url) if variant == "sync-reuse" else None

    def login() -> str:
        client = shared or Client(cfg.url)
        pending = client.login(cfg.user, cfg.password)
        if not isinstance(pending, PendingLogin):
            raise RuntimeError("logged in without a second factor")
        return pending.confirm(common.totp_now(cfg.secret)).token

    common.main_sync(login)
elif variant in ("async", "async-reuse"):
    shared_async = AsyncClient(cfg.url) if variant == "async-reuse" else None

    async def login_async() -> str:
        client = shared_async or AsyncClient(cfg.url)
        pending = await client.login(cfg.user, cfg.password)
        if not isinstance(pending, AsyncPendingLogin):
            raise RuntimeError("logged in without a second factor")
        return (await pending.confirm(common.totp_now(cfg.secret))).token

    common.main_async(login_async)
else:
    sys.exit("variant must be sync, async, sync-reuse or async-reuse")
