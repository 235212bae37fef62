"""The kiosk's HTTP link to the central service: signed requests, enrollment, uploads and conditional downloads.

Why: every device request carries an Ed25519 signature over method, path, body digest, time and a nonce; the
kiosk's clock may be off after weeks offline, so a skew rejection teaches it the server's time and the request is
re-signed once. Called from the sync thread (or the CLI thread); one instance per thread.
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync import auth
from sync.devicekey import public_key_b64


class SyncError(Exception):
    """A sync step failed; `retryable` says whether backing off and trying again can help."""

    def __init__(self, message: str, retryable: bool = True, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


@dataclass(frozen=True)
class Download:
    name: str
    status: int  # 200 new content, 304 unchanged, 404 nothing published
    body: bytes = b""
    etag: str = ""


class CentralLink:
    """Signed requests to one central service for one device."""

    def __init__(self, base_url: str, device_id: str, key: Ed25519PrivateKey, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.device_id = device_id
        self._key = key
        self.clock_offset = 0.0  # server time minus ours, learned from a skew rejection
        self.last_server_time: datetime | None = None  # the service's clock (HTTP Date) at its last answer
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def enroll(self, token: str) -> dict[str, Any]:
        body = {"token": token, "device_id": self.device_id, "public_key": public_key_b64(self._key)}
        return _json_object(self._send("POST", "/api/v1/enroll", json.dumps(body).encode(), signed=False))

    def upload(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        body = json.dumps({"events": events}, ensure_ascii=False, separators=(",", ":")).encode()
        return _json_object(self._send("POST", "/api/v1/events", body))

    def download(self, name: str, etag: str = "") -> Download:
        headers = {"If-None-Match": etag} if etag else {}
        response = self._send("GET", f"/api/v1/files/{name}", b"", extra=headers, ok=(200, 304, 404))
        return Download(name, response.status_code, response.content if response.status_code == 200 else b"",
                        response.headers.get("etag", ""))

    def _send(self, method: str, path: str, body: bytes, signed: bool = True, extra: dict[str, str] | None = None,
              ok: tuple[int, ...] = (200, 201)) -> httpx.Response:
        for attempt in (1, 2):
            headers = {"Content-Type": "application/json", **(extra or {})}
            if signed:
                stamp = int(time.time() + self.clock_offset)
                headers.update(auth.sign_request(self._key, method, path, self.device_id, stamp, body))
            try:
                response = self._http.request(method, path, content=body or None, headers=headers)
            except httpx.HTTPError as exc:
                raise SyncError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
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
