"""Python's floors: the 2FA login's two POSTs written by hand, as ``bench/src/floor.rs`` writes
them, on kept-alive connections, with nothing parsed but the status, the length and the token.

    python floor_client.py <sync|async> seq N ROUNDS | conc C TOTAL | cold

``sync``: a blocking socket per thread. ``async``: asyncio's low-level API (a ``Protocol`` per
connection, idle connections kept for the next login), the least an asyncio program can do per
request. They cost what Python and asyncio cost for this login on this machine, so that the
binding's cost can be read beside them (bench/README.md). Standard library only; the rest is
common.py's.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from typing import Any, List, Optional, Tuple

import common

variant = sys.argv.pop(1) if len(sys.argv) > 1 else ""
cfg = common.config()
HOST = cfg.url[len("http://") :].rstrip("/") if cfg.url.startswith("http://") else ""
if not HOST:
    sys.exit("the floor clients speak plain http:// only")
_host, _, _port = HOST.rpartition(":")
ADDRESS = (_host, int(_port))
USER, PASSWORD = json.dumps(cfg.user), json.dumps(cfg.password)
STEP1 = '{"userName":%s,"password":%s}' % (USER, PASSWORD)


def request(path: str, body: str) -> bytes:
    data = body.encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
        f"Accept: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


def response(buffer: bytes) -> Optional[Tuple[bytes, bytes]]:
    """The body of the response at the start of ``buffer`` and what follows it, once whole."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = buffer[:end].decode("latin-1")
    if head[9:12] != "200":
        raise RuntimeError(f"HTTP {head[9:12]}")
    length = None
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
    if length is None:
        raise RuntimeError("a response without Content-Length")
    start = end + 4
    if len(buffer) < start + length:
        return None
    return buffer[start : start + length], buffer[start + length :]


def step2(first: bytes) -> Tuple[str, str]:
    if b'"tfa":true' not in first:
        raise RuntimeError("step 1 did not ask for an authenticator code")
    code = common.totp_now(cfg.secret)
    body = '{"userName":%s,"password":%s,"code":"%s"}' % (USER, PASSWORD, code)
    return f"/api/2.0/authentication/{code}", body


def token(second: bytes) -> str:
    value: str = json.loads(second)["response"]["token"]
    return value


if variant == "sync":
    local = threading.local()

    def exchange(sock: socket.socket, path: str, body: str) -> bytes:
        sock.sendall(request(path, body))
        buffer = b""
        while True:
            whole = response(buffer)
            if whole is not None:
                return whole[0]
            data = sock.recv(65536)
            if not data:
                raise RuntimeError("the connection closed")
            buffer += data

    def login() -> str:
        sock = getattr(local, "sock", None)
        if sock is None:
            sock = local.sock = socket.create_connection(ADDRESS, timeout=30)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            first = exchange(sock, "/api/2.0/authentication", STEP1)
            return token(exchange(sock, *step2(first)))
        except BaseException:
            local.sock = None
            sock.close()
            raise

    common.main_sync(login)
elif variant == "async":
    import asyncio

    class Connection(asyncio.Protocol):
        def __init__(self) -> None:
            self.buffer = b""
            self.waiter: Optional["asyncio.Future[bytes]"] = None
            self.transport: Any = None

        def connection_made(self, transport: Any) -> None:
            self.transport = transport

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            waiter = self.waiter
            if waiter is None:
                return
            try:
                whole = response(self.buffer)
            except RuntimeError as e:
                self.waiter = None
                waiter.set_exception(e)
                return
            if whole is not None:
                self.waiter = None
                self.buffer = whole[1]
                waiter.set_result(whole[0])

        def connection_lost(self, exc: Optional[BaseException]) -> None:
            if self.waiter is not None and not self.waiter.done():
                self.waiter.set_exception(exc or RuntimeError("the connection closed"))

        def exchange(self, path: str, body: str) -> "asyncio.Future[bytes]":
            self.waiter = asyncio.get_running_loop().create_future()
            self.transport.write(request(path, body))
            return self.waiter

    idle: List[Connection] = []

    async def login_async() -> str:
        if idle:
            connection = idle.pop()
        else:
            _, connection = await asyncio.get_running_loop().create_connection(
                Connection, *ADDRESS
            )
        try:
            first = await connection.exchange("/api/2.0/authentication", STEP1)
            second = await connection.exchange(*step2(first))
        except BaseException:
            connection.transport.close()
            raise
        idle.append(connection)
        return token(second)

    common.main_async(login_async)
else:
    sys.exit("variant must be sync or async")
