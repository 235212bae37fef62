"""A total deadline and a size cap on every transfer of the kiosk's HTTP link.

Why: httpx's timeouts are per socket operation, so a server trickling one byte every five seconds kept
`kiosk sync` and the sync thread busy for days, and one serving 1 GiB files made the kiosk write 3 GiB. Here
each socket read and write gets at most the time left before the transfer's deadline (a trickle then ends in a
ReadTimeout however slowly the bytes come, in the headers or the body), and a response is read in chunks up to
a cap. The deadline is per thread (the link is used by one thread at a time). Any thread.
"""
from __future__ import annotations

import threading
import time
from typing import Any

import httpcore
import httpx

_deadline = threading.local()


class TransferTooLarge(Exception):
    """The answer is larger than the cap of its kind of transfer."""


def _left(timeout: float | None) -> float | None:
    end = getattr(_deadline, "at", None)
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the transfer's total deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _left(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        return _Stream(self._inner.connect_tcp(host, port, _left(timeout), local_address, socket_options))

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        return _Stream(self._inner.connect_unix_socket(path, _left(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport whose sockets honour the calling thread's transfer deadline."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        pool = self._pool
        pool._network_backend = _Backend(pool._network_backend)  # httpcore keeps the backend here


def fetch(client: httpx.Client, method: str, path: str, *, deadline_s: float, max_bytes: int,
          **kwargs: Any) -> httpx.Response:
    """One request, done within `deadline_s` in total and with an answer of at most `max_bytes`; raises
    httpx.TimeoutException past the deadline and TransferTooLarge beyond the cap."""
    _deadline.at = time.monotonic() + deadline_s
    try:
        with client.stream(method, path, **kwargs) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise TransferTooLarge(f"answer of {declared} bytes, over the {max_bytes}-byte cap")
            chunks, total = [], 0
            for chunk in response.iter_bytes():  # decoded: a gzip bomb is capped by what it inflates to
                total += len(chunk)
                if total > max_bytes:
                    raise TransferTooLarge(f"answer over the {max_bytes}-byte cap")
                chunks.append(chunk)
            headers = [(k, v) for k, v in response.headers.multi_items()
                       if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
            return httpx.Response(response.status_code, headers=headers, content=b"".join(chunks),
                                  request=response.request)
    finally:
        _deadline.at = None
