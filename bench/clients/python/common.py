"""What the Python benchmark clients share (standard library only, so that it runs in any venv).

The contract is the one of every client (bench/README.md): configuration in the environment
(``DS_URL``, ``DS_USER``, ``DS_PASSWORD``, ``DS_SECRET``, ``DS_WARMUP``), the mode on the command
line (``seq N ROUNDS``, ``conc C TOTAL`` or ``cold``), one JSON line (or ``TOKEN <length>``) out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import resource
import struct
import sys
import threading
import time
from typing import Awaitable, Callable, List

MAX_COUNT = 1_000_000


# Plain classes, and asyncio imported by main_async only: a cold run of a client imports no more
# of the standard library than the client needs (dataclasses and asyncio cost tens of ms).
class Config:
    def __init__(self, url: str, user: str, password: str, secret: str, warmup: int) -> None:
        self.url, self.user, self.password, self.secret, self.warmup = url, user, password, secret, warmup


class Tally:
    def __init__(self) -> None:
        self.ok = 0
        self.failures = 0
        self.token_len = 0
        self.lock = threading.Lock()

    def add(self, token: object = None, error: BaseException | None = None) -> None:
        with self.lock:
            if error is None and isinstance(token, str) and token:
                self.ok += 1
                self.token_len = len(token)
                return
            if self.failures == 0:
                print(f"login failed: {error!r}" if error else "login failed: no token", file=sys.stderr)
            self.failures += 1


def config() -> Config:
    url = os.environ["DS_URL"]
    if not (url.startswith("http://127.0.0.1:") or url.startswith("https://127.0.0.1:")):
        sys.exit(f"logins only to the local emulator, not {url}")
    warmup = min(int(os.environ.get("DS_WARMUP", "20")), 10_000)
    return Config(url, os.environ["DS_USER"], os.environ["DS_PASSWORD"], os.environ["DS_SECRET"], warmup)


_KEYS: dict = {}


def totp_now(secret: str) -> str:
    """RFC 6238 with DocSpace's parameters (protocol §4.4): HMAC-SHA-1, 6 digits, 30 s. The key is
    decoded from Base32 once per process, as the Kotlin client does (Python's ``b32decode`` is
    most of the cost otherwise: 7.1 µs a code against 2.5 µs here)."""
    key = _KEYS.get(secret)
    if key is None:
        key = _KEYS[secret] = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def cpu_us() -> int:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return int((usage.ru_utime + usage.ru_stime) * 1_000_000)


def _mode(argv: List[str]) -> tuple[str, int, int]:
    def num(i: int) -> int:
        n = int(argv[i])
        if not 1 <= n <= MAX_COUNT:
            sys.exit(f"out of range (1..={MAX_COUNT}): {n}")
        return n

    if argv[:1] == ["seq"]:
        return "seq", 1, num(1)
    if argv[:1] == ["conc"]:
        c = num(1)
        return "conc", c, -(-num(2) // c)
    if argv[:1] == ["cold"]:
        return "cold", 1, 1
    sys.exit("mode must be seq N ROUNDS, conc C TOTAL or cold")


def _report(c: int, per: int, tally: Tally, cpu0: int, wall0: float) -> dict:
    return {
        "n": c * per,
        "ok": tally.ok,
        "failures": tally.failures,
        "cpu_us": cpu_us() - cpu0,
        "wall_us": int((time.perf_counter() - wall0) * 1_000_000),
    }


def _drive(argv: List[str], cfg: Config, many: Callable[[int, int], Tally]) -> int:
    """The driver, given ``many(c, per)``: c workers each doing ``per`` logins in a row."""
    mode, c, per = _mode(argv)
    if mode == "cold":
        tally = many(1, 1)
        if tally.ok != 1:
            return 1
        print(f"TOKEN {tally.token_len}", flush=True)
        return 0
    warm = many(1, cfg.warmup) if cfg.warmup > 0 else Tally()
    rounds = int(argv[2]) if mode == "seq" else 1
    reports = []
    for _ in range(max(1, min(rounds, 100))):
        cpu0, wall0 = cpu_us(), time.perf_counter()
        reports.append(_report(c, per, many(c, per), cpu0, wall0))
    out: dict = {"mode": mode, "warmup": {"ok": warm.ok, "failures": warm.failures}}
    if mode == "seq":
        out["rounds"] = reports
    else:
        out["c"], out["run"] = c, reports[0]
    print(json.dumps(out), flush=True)
    return 0


def main_sync(login: Callable[[], str]) -> None:
    """Runs a blocking ``login() -> token``: one thread per concurrent login."""

    def many(c: int, per: int) -> Tally:
        tally = Tally()

        def worker() -> None:
            for _ in range(per):
                try:
                    tally.add(login())
                except Exception as e:  # counted, not fatal: the run goes on
                    tally.add(error=e)

        if c == 1:
            worker()
            return tally
        threads = [threading.Thread(target=worker) for _ in range(c)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return tally

    sys.exit(_drive(sys.argv[1:], config(), many))


def main_async(login: Callable[[], Awaitable[str]]) -> None:
    """Runs an async ``login() -> token``: one task per concurrent login, one event loop."""
    import asyncio

    async def many_async(c: int, per: int) -> Tally:
        tally = Tally()

        async def worker() -> None:
            for _ in range(per):
                try:
                    tally.add(await login())
                except Exception as e:
                    tally.add(error=e)

        await asyncio.gather(*(worker() for _ in range(c)))
        return tally

    async def run() -> int:
        loop = asyncio.get_running_loop()
        cfg = config()

        # The driver is synchronous; it runs in a thread and submits each batch to this loop.
        def many(c: int, per: int) -> Tally:
            return asyncio.run_coroutine_threadsafe(many_async(c, per), loop).result()

        return await loop.run_in_executor(None, _drive, sys.argv[1:], cfg, many)

    sys.exit(asyncio.run(run()))
