"""The request and response shapes of the central API (pydantic), which also make its OpenAPI schema.

Why strict models: the central side recomputes each event's hash from the fields it received, so nothing may be
coerced on the way in; every string has a bound so no request can make the service store megabytes per field.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

HEX64 = r"^[0-9a-f]{64}$"
NAME = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
CODE = r"^[A-Z0-9_]{1,64}$"
MAX_BATCH = 5000
BIGINT = 2**62  # exact as a float, so JSON Schema tools keep the bound; far beyond any real value


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
    quarantined: list[int] = Field(default_factory=list, description="not stored: the signature does not verify")


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
