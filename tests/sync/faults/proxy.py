"""A TCP proxy on loopback between a point's laptop and the province, that a test steers.

Each connection carries one HTTP request (the laptop's client sends `Connection: close`).
The proxy reads the whole request, then gives the connection a fate: pass it; drop it after
N bytes of the request (N = its length: the province got it all and its answer is lost);
forward it and lose the reply, whole or cut short; delay it; hold the reply until the test
releases it (to kill the laptop meanwhile); send it late, after the laptop gave up on it.
Fates come from a per-path script first, then at random from `Faults`, else "pass". While
`cut` is set every connection is closed at once. Every exchange is kept for the test."""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

LOOPBACK = "127.0.0.1"
PASS = "pass"
DROP_REQUEST = "drop_request"  # the request stops after a random number of its bytes
DROP_REPLY = "drop_reply"  # the province answered; the laptop hears nothing
TRUNCATE_REPLY = "truncate_reply"  # the laptop hears the start of the answer, then nothing
DELAY = "delay"  # a slow link: the request and the reply each wait a while
LATE = "late"  # the request reaches the province after the laptop stopped waiting for it
HOLD = "hold"  # the reply waits until the test releases it (or the laptop is gone)
FATES = (PASS, DROP_REQUEST, DROP_REPLY, TRUNCATE_REPLY, DELAY, LATE, HOLD)


@dataclass
class Faults:
    """Random fates: each connection gets one with these weights (the rest pass)."""

    drop_request: float = 0.0
    drop_reply: float = 0.0
    truncate_reply: float = 0.0
    delay: float = 0.0
    late: float = 0.0
    max_delay: float = 0.5
    late_by: float = 2.5
    seed: int = 0
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def pick(self) -> str:
        roll = self.rng.random()
        for fate in (DROP_REQUEST, DROP_REPLY, TRUNCATE_REPLY, DELAY, LATE):
            weight = float(getattr(self, fate))
            if roll < weight:
                return fate
            roll -= weight
        return PASS


@dataclass
class Exchange:
    """One connection as the proxy saw it."""

    path: str
    fate: str
    request: bytes
    reply: bytes = b""
    forwarded: int = 0  # bytes of the request the province received
    done: threading.Event = field(default_factory=threading.Event)


def _read_request(sock: socket.socket) -> bytes:
    """One HTTP request: the head, then Content-Length bytes of body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _sep, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _colon, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _path(request: bytes) -> str:
    parts = request.split(b"\r\n", 1)[0].split(b" ")
    return parts[1].decode("latin-1") if len(parts) > 1 else ""


def body_of(message: bytes) -> bytes:
    """The body of an HTTP request or reply (Content-Length or chunked)."""
    head, _sep, body = message.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" not in head.lower():
        return body
    out = b""
    while body:
        size_line, _crlf, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2 :]
    return out


def _close(*socks: socket.socket) -> None:
    for sock in socks:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


class FaultProxy:
    """Listens on a free loopback port and forwards to `upstream`, with faults on demand."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.listener = socket.create_server((LOOPBACK, 0))
        self.port = int(self.listener.getsockname()[1])
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.cut = False
        self.faults: Faults | None = None
        self.script: dict[str, list[str]] = {}
        self.release = threading.Event()
        self.exchanges: list[Exchange] = []
        self.refused = 0
        self._changed = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def reset(self) -> None:
        """Back to a clean link: no cut, no faults, no script, nothing held."""
        self.cut = False
        self.faults = None
        self.script = {}
        self.release.set()
        self.release = threading.Event()

    def stop(self) -> None:
        self._stopped = True
        self.release.set()
        _close(self.listener)

    def wait_for(self, test: Callable[[list[Exchange]], bool], timeout: float = 60) -> None:
        """Wait until the exchanges so far pass `test`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not test(list(self.exchanges)):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("the proxy did not see what the test waited for")
                self._changed.wait(min(left, 0.2))

    def settle(self, timeout: float = 60) -> None:
        """Wait until every connection so far is over (late requests included)."""
        self.release.set()
        self.wait_for(lambda exchanges: all(e.done.is_set() for e in exchanges), timeout)

    def seen(self, path: str, fate: str | None = None) -> list[Exchange]:
        return [
            e for e in list(self.exchanges) if e.path == path and (fate is None or e.fate == fate)
        ]

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if self.cut:
                self.refused += 1
                _close(client)
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _fate(self, path: str) -> str:
        planned = self.script.get(path)
        if planned:
            return planned.pop(0)
        return self.faults.pick() if self.faults is not None else PASS

    def _note(self, exchange: Exchange) -> None:
        exchange.done.set()
        with self._changed:
            self._changed.notify_all()

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(60)
        try:
            request = _read_request(client)
        except OSError:
            _close(client)
            return
        path = _path(request)
        exchange = Exchange(path=path, fate=self._fate(path), request=request)
        with self._changed:
            self.exchanges.append(exchange)
        try:
            self._forward(client, exchange)
        except OSError:
            pass
        finally:
            _close(client)
            self._note(exchange)

    def _forward(self, client: socket.socket, exchange: Exchange) -> None:
        fate, request = exchange.fate, exchange.request
        rng = self.faults.rng if self.faults is not None else random.Random(len(request))
        if fate == DELAY:
            time.sleep(rng.uniform(0.05, self.faults.max_delay if self.faults else 0.5))
        if fate == LATE:
            _close(client)  # the laptop gives up; its request is still on its way
            time.sleep(self.faults.late_by if self.faults else 2.5)
        upstream = socket.create_connection((LOOPBACK, self.upstream), timeout=120)
        try:
            cut_at = rng.randint(0, len(request)) if fate == DROP_REQUEST else len(request)
            upstream.sendall(request[:cut_at])
            exchange.forwarded = cut_at
            if fate == DROP_REQUEST:
                return
            reply = b""
            while chunk := upstream.recv(65536):
                reply += chunk
            exchange.reply = reply
        finally:
            _close(upstream)
        if fate in (DROP_REPLY, LATE):
            return
        if fate == TRUNCATE_REPLY:
            client.sendall(reply[: rng.randint(1, max(1, len(reply) - 1))])
            return
        if fate == HOLD:
            self._note(exchange)
            self.release.wait(120)
            return
        if fate == DELAY:
            time.sleep(rng.uniform(0.05, self.faults.max_delay if self.faults else 0.5))
        client.sendall(reply)
