"""The request and response shapes of the central API (pydantic), which also make its OpenAPI schema.

Why strict models: the central side recomputes each event's hash from the fields it received, so nothing may be
coerced on the way in; every string has a bound so no request can make the service store megabytes per field.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

HEX64 = r"^[0-9a-f]{64}$"
NAME = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
CODE = r"^[A-Z0-9_]{1,64}$"
MAX_BATCH = 5000
BIGINT = 2**62  # exact as a float, so JSON Schema tools keep the bound; far beyond any real value
COUNT = 10**15  # heartbeat numbers: every integer up to here is exact as a float, so schema and model agree


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class Event(Strict):
    event_id: str = Field(min_length=1, max_length=64)
    device_id: str = Field(pattern=NAME)
    seq: int = Field(ge=1, le=BIGINT)
    utc: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
    monotonic_ns: int = Field(ge=-BIGINT, le=BIGINT)
    verdict: str = Field(pattern=CODE)
    reason: str = Field(pattern=CODE)
    outcome: Literal["PASS", "STOP", "SEE_STAFF"]
    input_kind: Literal["card", "code", "manual"]
    pass_format: str = Field(max_length=32)
    kid: str = Field(max_length=128)
    trust_version: int | None = Field(default=None, ge=-BIGINT, le=BIGINT)
    masked_name: str = Field(max_length=64)
    masked_id: str = Field(max_length=64)
    subject_hash: str = Field(pattern=r"^([0-9a-f]{64})?$")
    flags: str = Field(max_length=256)
    prev_hash: str = Field(pattern=HEX64)
    hash: str = Field(pattern=HEX64)
    sig: str = Field(default="", pattern=r"^([A-Za-z0-9_-]{86})?$",
                     description="the device's Ed25519 signature over the hash (empty: a log older than signing)")


class EventBatch(Strict):
    events: list[Event] = Field(max_length=MAX_BATCH)


class IngestResponse(BaseModel):
    stored: int
    duplicates: int
    conflicts: list[int]
    chain_breaks: list[int]
    through_seq: int
    quarantined: list[int] = Field(default_factory=list, description="not stored, never acknowledged: a wrong hash, a "
                                   "signature that does not verify, or none where the device signs (stripped)")


class EnrollRequest(Strict):
    token: str = Field(min_length=1, max_length=128)
    device_id: str = Field(pattern=NAME)
    public_key: str = Field(pattern=r"^[A-Za-z0-9_-]{43}$", description="raw Ed25519 public key, base64url")


class EnrollResponse(BaseModel):
    device_id: str
    site: str
    central_key: str = Field(default="", description="the central's Ed25519 answer key, base64url: the kiosk "
                                                     "checks every later answer against it (X-Central-Signature)")


class Lax(BaseModel):
    """For admin inputs that are not hashed: JSON's 5.0 is an integer here, as JSON Schema says."""
    model_config = ConfigDict(extra="forbid")


class TokenRequest(Lax):
    site: str = Field(pattern=NAME)
    valid_hours: int = Field(default=168, ge=1, le=24 * 365)


class DisableRequest(Lax):
    reason: str = Field(default="", max_length=200)


class ReenrollRequest(Lax):
    valid_hours: int = Field(default=168, ge=1, le=24 * 365)
    site: str | None = Field(default=None, pattern=NAME)


class TokenResponse(BaseModel):
    token: str
    site: str


class BundlePayload(Strict):
    format: Literal["kiosk-log-bundle/1"]
    device_id: str = Field(pattern=NAME)
    from_seq: int = Field(ge=1, le=BIGINT)
    to_seq: int = Field(ge=1, le=BIGINT)
    created_utc: str = Field(max_length=40)
    events: list[Event] = Field(max_length=MAX_BATCH * 20)


class Bundle(Strict):
    payload: BundlePayload
    signature: str = Field(pattern=r"^[A-Za-z0-9_-]{86}$")


class Device(BaseModel):
    device_id: str
    site: str
    enrolled_at: str
    last_seen: str | None
    events: int
    max_seq: int
    missing: int
    chain_flags: int
    disabled_at: str | None = None
    signs_since: int | None = Field(default=None, description="the lowest seq of a correctly signed event received "
                                    "from this device; from it on an unsigned event is refused as tampered")


class DailyCount(BaseModel):
    day: str
    site: str
    verdict: str
    count: int


class ChainFlag(BaseModel):
    device_id: str
    seq: int
    kind: str
    detail: str | None
    flagged_at: str


def _date_time(value: str) -> str:
    """RFC 3339 text as Python reads it (upper case, a leap second folded into :59); ValueError when not a time."""
    text = re.sub(r":60(?=[.+-]|$)", ":59", value.strip().upper().replace("Z", "+00:00"))
    datetime.fromisoformat(text)
    return text


def _json_integer(value):
    """JSON Schema's integer: 5.0 is 5; a boolean is not a number (Python's bool is an int)."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# bounds inside the type, so an optional field's JSON Schema carries them too (minimum/maximum on the integer branch)
Count = Annotated[int, Field(ge=0, le=COUNT), BeforeValidator(_json_integer)]
SignedCount = Annotated[int, Field(ge=-COUNT, le=COUNT), BeforeValidator(_json_integer)]


class DeviceStateIn(Strict):
    name: str = Field(pattern=r"^[a-z0-9_-]{1,32}$")
    ok: bool
    detail: str = Field(default="", max_length=200)


class HeartbeatIn(Strict):
    """What a kiosk reports every sync round (sync/heartbeat.py builds it). Bounded; unknown fields refused; no
    coercion (a boolean is not a count) beyond JSON's own: 5.0 is the integer 5."""
    kiosk_utc: Annotated[str, AfterValidator(_date_time)] = Field(
        max_length=64, json_schema_extra={"format": "date-time"},
        description="the kiosk's own clock when it sent this, RFC 3339 (UTC when no offset is given)")
    software_version: str = Field(default="", max_length=64)
    trust_version: SignedCount | None = None
    trust_age_s: SignedCount | None = None
    trust_fresh: bool | None = None
    status_list_version: SignedCount | None = None
    status_list_age_s: SignedCount | None = None
    demo_trust: bool = False
    paused: bool = False
    devices: list[DeviceStateIn] = Field(default_factory=list, max_length=16)
    disk_free_bytes: Count | None = None
    disk_log_bytes: Count | None = None
    disk_budget_bytes: Count | None = None
    backlog: Annotated[int, Field(ge=-1, le=COUNT), BeforeValidator(_json_integer)] = 0
    last_error: str = Field(default="", max_length=400)
    sync_failures: Count = 0


class HeartbeatOut(BaseModel):
    central_utc: str
    clock_offset_s: float


class FleetDevice(BaseModel):
    """One kiosk in the fleet view (`Store.fleet(now)`, `kiosk-central devices --json`, GET admin/fleet)."""
    device_id: str
    site: str
    enrolled_at: str
    last_seen: str | None
    last_heartbeat: str | None
    disabled_at: str | None
    software_version: str | None
    trust_version: int | None
    trust_age_s: int | None
    status_list_version: int | None
    status_list_age_s: int | None
    published_trust_version: int | None
    published_status_list_version: int | None
    clock_offset_s: float | None
    paused: bool | None
    demo_trust: bool | None
    backlog: int | None
    disk_free_bytes: int | None
    disk_log_bytes: int | None
    disk_budget_bytes: int | None
    sync_failures: int | None
    devices: list[dict]
    last_error: str | None
    events: int
    missing: int
    chain_flags: int
    alerts: list[str]


class Publication(BaseModel):
    name: str
    site: str | None
    kind: str | None
    version: int | None
    issued_at: str | None
    published_at: str
    size: int | None
    etag: str
