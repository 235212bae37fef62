"""The kiosk's HTTP link to the central service: signed requests, enrollment, uploads and conditional downloads.

Why: every device request carries an Ed25519 signature over method, path, body digest, time and a nonce; the
kiosk's clock may be off after weeks offline, so a skew rejection teaches it the server's time and the request is
re-signed once. Called from the sync thread (or the CLI thread); one instance per thread.
"""
from __future__ import annotations

import json
import os
import ssl
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync import auth
from sync.deadline import DeadlineTransport, TransferTooLarge, fetch
from sync.answers import HEADER_ANSWER_SIGNATURE, answer_valid
from sync.devicekey import load_public_key_b64, public_key_b64

DEFAULT_DEADLINE_S = 90.0  # one whole request and its answer; `kiosk sync` gives up well within 120 s
MAX_ANSWER_BYTES = 1024 * 1024  # JSON answers (enrolment, upload acknowledgements)
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024  # a trust bundle, status list or settings file


class SyncError(Exception):
    """A sync step failed; `retryable` says whether backing off and trying again can help."""

    def __init__(self, message: str, retryable: bool = True, status: int | None = None,
                 timed_out: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.timed_out = timed_out  # the central did not complete a transfer within its deadline


@dataclass(frozen=True)
class Download:
    name: str
    status: int  # 200 new content, 304 unchanged, 404 nothing published
    body: bytes = b""
    etag: str = ""


class CentralLink:
    """Signed requests to one central service for one device."""

    def __init__(self, base_url: str, device_id: str, key: Ed25519PrivateKey, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None, deadline_s: float = DEFAULT_DEADLINE_S,
                 max_download: int = MAX_DOWNLOAD_BYTES, ca_file: str | os.PathLike | None = None,
                 central_key: str = "") -> None:
        """`ca_file`: the central's CA pinned at enrolment; an https central is then trusted only through it.
        `central_key`: the central's answer key learnt at enrolment; every accepted answer must carry its
        signature (sync/answers.py)."""
        self.base_url = base_url.rstrip("/")
        self.device_id = device_id
        self._key = key
        self.clock_offset = 0.0  # server time minus ours, learned from a skew rejection
        self.central_key = central_key
        self.deadline_s = deadline_s  # whole transfer, however slowly the bytes come (sync/deadline.py)
        self.max_download = max_download
        self.last_server_time: datetime | None = None  # the service's clock (HTTP Date) at its last answer
        verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=str(ca_file)) if ca_file else True
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout,
                                  transport=transport or DeadlineTransport(verify=verify))

    @property
    def public_key(self):
        return self._key.public_key()

    def close(self) -> None:
        self._http.close()

    def enroll(self, token: str) -> dict[str, Any]:
        body = {"token": token, "device_id": self.device_id, "public_key": public_key_b64(self._key)}
        answer = _json_object(self._send("POST", "/api/v1/enroll", json.dumps(body).encode(), signed=False))
        if isinstance(answer.get("central_key"), str) and answer["central_key"]:
            self.central_key = answer["central_key"]  # learnt once, at enrolment (over the pinned TLS if any)
        return answer

    def upload(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        body = json.dumps({"events": events}, ensure_ascii=False, separators=(",", ":")).encode()
        return _json_object(self._send("POST", "/api/v1/events", body))

    def heartbeat(self, body: dict[str, Any]) -> dict[str, Any]:
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        return _json_object(self._send("POST", "/api/v1/heartbeat", data))

    def download(self, name: str, etag: str = "") -> Download:
        headers = {"If-None-Match": etag} if etag else {}
        response = self._send("GET", f"/api/v1/files/{name}", b"", extra=headers, ok=(200, 304, 404),
                              max_bytes=self.max_download)
        return Download(name, response.status_code, response.content if response.status_code == 200 else b"",
                        response.headers.get("etag", ""))

    def _send(self, method: str, path: str, body: bytes, signed: bool = True, extra: dict[str, str] | None = None,
              ok: tuple[int, ...] = (200, 201), max_bytes: int = MAX_ANSWER_BYTES) -> httpx.Response:
        for attempt in (1, 2):
            headers = {"Content-Type": "application/json", **(extra or {})}
            if signed:
                stamp = int(time.time() + self.clock_offset)
                headers.update(auth.sign_request(self._key, method, path, self.device_id, stamp, body))
            try:
                response = fetch(self._http, method, path, deadline_s=self.deadline_s, max_bytes=max_bytes,
                                 content=body or None, headers=headers)
            except httpx.TimeoutException as exc:
                raise SyncError(f"{method} {path}: {type(exc).__name__}: {exc}", timed_out=True) from exc
            except httpx.HTTPError as exc:
                raise SyncError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
            except TransferTooLarge as exc:
                raise SyncError(f"{method} {path}: {exc}", retryable=False) from exc
            if signed and self.central_key and response.status_code in ok:
                self._check_answer(method, path, headers[auth.HEADER_NONCE], response)
            self.last_server_time = _http_date(response.headers.get("date")) or self.last_server_time
            server_time = response.headers.get(auth.HEADER_SERVER_TIME)
            if response.status_code == 401 and server_time and attempt == 1 and server_time.isdigit():
                self.clock_offset = int(server_time) - time.time()
                continue
            break
        if response.status_code in ok:
            return response
        retryable = response.status_code >= 500 or response.status_code in (408, 429)
        raise SyncError(f"{method} {path}: HTTP {response.status_code} {response.text[:200]}",
                        retryable=retryable, status=response.status_code)


    def _check_answer(self, method: str, path: str, nonce: str, response: httpx.Response) -> None:
        try:
            key = load_public_key_b64(self.central_key)
        except ValueError as exc:
            raise SyncError(f"the central's answer key is unusable: {exc}", retryable=False) from None
        signature = response.headers.get(HEADER_ANSWER_SIGNATURE, "")
        if not answer_valid(key, signature, method, path, nonce, response.status_code, response.content):
            raise SyncError(f"{method} {path}: the answer is not signed by the central this kiosk enrolled with "
                            "(ignored: nothing is marked synced or installed)", retryable=False,
                            status=response.status_code)


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).astimezone(timezone.utc)
    except (TypeError, ValueError, IndexError):
        return None


def _json_object(response: httpx.Response) -> dict[str, Any]:
    """The answer's JSON object, or a retryable SyncError (a captive portal or proxy may answer 200 with HTML)."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise SyncError(f"HTTP {response.status_code}: the answer is not a JSON object")
    return data
