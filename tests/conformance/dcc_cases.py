"""The EU DCC test suite (dgc-testdata) read with its known quirks, and one check per EXPECTED* flag.

Quirks tolerated: misspelled keys (`EXPTECTED...`, `EXPECTEDEXPIRED` = the inverse of the expiration check),
nested `EXPECTEDRESULTS`, `_2DCODE` for `2DCODE`, `validationClockInstant` for `VALIDATIONCLOCK`, clocks in
many ISO 8601 spellings (offsets, fractions, no seconds, date only, epoch milliseconds), and a `CBOR` field
that holds either the DCC payload or the whole CWT claims map (DE).

Each check follows the suite's README: it starts from the field the flag names (PREFIX, BASE45, COMPRESSED,
COSE, CBOR, JSON, 2DCODE), falling back to decoding PREFIX through our own layers when a case omits it, and
every step runs through the kiosk's production functions (kiosk.core.passes.hc1, .hcert, .dsc). A case that sets
EXPECTEDPICTUREDECODE but carries no 2DCODE (B1) has its PREFIX rendered as a QR code and decoded.
"""
from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import cbor2

from kiosk.core.trust import dsc
from kiosk.core.passes import hc1
from kiosk.core.passes.hcert import parse_hcert
from kiosk.core.trust.store import TrustStore
from kiosk.core.outcome.verdicts import VerificationError
from tests.dcc_reference_data import official_reference, with_official_reference
from tests.conformance.qr_images import decode_image, decode_png_bytes, render_qr

FLAGS = ("EXPECTEDPICTUREDECODE", "EXPECTEDUNPREFIX", "EXPECTEDB45DECODE", "EXPECTEDCOMPRESSION",
         "EXPECTEDDECODE", "EXPECTEDVERIFY", "EXPECTEDKEYUSAGE", "EXPECTEDEXPIRATIONCHECK",
         "EXPECTEDSCHEMAVALIDATION", "EXPECTEDVALIDJSON", "EXPECTEDVALIDOBJECT", "EXPECTEDENCODE")
# Flags whose failure must keep the kiosk's whole pipeline from saying VALID for the case's PREFIX.
PIPELINE_FLAGS = ("EXPECTEDUNPREFIX", "EXPECTEDB45DECODE", "EXPECTEDCOMPRESSION", "EXPECTEDDECODE",
                  "EXPECTEDVERIFY", "EXPECTEDKEYUSAGE", "EXPECTEDEXPIRATIONCHECK", "EXPECTEDSCHEMAVALIDATION",
                  "EXPECTEDVALIDJSON")


@dataclass
class DccCase:
    name: str
    path: Path
    data: dict[str, Any]
    expected: dict[str, bool]
    clock: datetime
    quirks: list[str] = field(default_factory=list)

    def field(self, name: str) -> Any:
        return self.data.get(name)

    @property
    def trust(self) -> TrustStore:
        cert = dsc.certificate_from_der(base64.b64decode(self.data["TESTCTX"]["CERTIFICATE"]))
        return with_official_reference(TrustStore(keys=(dsc.issuer_key(cert),)))


def find_cases(root: Path) -> list[Path]:
    return sorted(root.glob("**/2DCode/raw/*.json"))


def load_case(path: Path, root: Path) -> DccCase:
    quirks: list[str] = []
    data = json.loads(path.read_text(encoding="utf-8"))
    if "_2DCODE" in data and "2DCODE" not in data:
        data["2DCODE"] = data.pop("_2DCODE")
        quirks.append("_2DCODE")
    context = data.get("TESTCTX") or {}
    return DccCase(name=str(path.relative_to(root)).replace("/2DCode/raw/", "/"), path=path, data=data,
                   expected=normalise_flags(data, quirks), clock=parse_clock(context, quirks), quirks=quirks)


def normalise_flags(data: Mapping[str, Any], quirks: list[str]) -> dict[str, bool]:
    results = dict(data.get("EXPECTEDRESULTS") or {})
    while isinstance(results.get("EXPECTEDRESULTS"), Mapping):
        results.update(results.pop("EXPECTEDRESULTS"))
        quirks.append("nested EXPECTEDRESULTS")
    flags: dict[str, bool] = {}
    for key, value in results.items():
        if not isinstance(value, bool):
            continue
        name = re.sub(r"^EXP[A-Z]*?ECTED", "EXPECTED", key.upper())
        if name != key:
            quirks.append(f"{key} read as {name}")
        if name == "EXPECTEDEXPIRED":
            name, value = "EXPECTEDEXPIRATIONCHECK", not value
            quirks.append("EXPECTEDEXPIRED read as not EXPECTEDEXPIRATIONCHECK")
        flags[name] = value
    return flags


def parse_clock(context: Mapping[str, Any], quirks: list[str]) -> datetime:
    value = context.get("VALIDATIONCLOCK") or context.get("validationClockInstant")
    if value is None:
        quirks.append("no VALIDATIONCLOCK")
        return datetime.now(timezone.utc)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value / (1000 if value > 1e11 else 1), timezone.utc)
    text = str(value).strip().replace("z", "Z").replace("Z", "+00:00").replace(" ", "T")
    text = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text)  # +0200 -> +02:00
    text = re.sub(r"\.(\d{6})\d+", r".\1", text)  # nanoseconds -> microseconds
    parsed = datetime.fromisoformat(text)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


# ---------------------------------------------------------------- the layers, from whichever field is given
def base45_text(case: DccCase) -> str:
    return case.field("BASE45") if case.field("BASE45") is not None else hc1.unprefix(case.field("PREFIX"))


def compressed(case: DccCase) -> bytes:
    return bytes.fromhex(case.field("COMPRESSED")) if case.field("COMPRESSED") else \
        hc1.compressed_bytes(base45_text(case))


def cose_bytes(case: DccCase) -> bytes:
    return bytes.fromhex(case.field("COSE")) if case.field("COSE") else hc1.cose_bytes(compressed(case))


def dcc_of(cbor_value: Any) -> Any:
    """The DCC payload whether the suite's CBOR field holds it or the whole CWT (quirk)."""
    if isinstance(cbor_value, Mapping) and hc1.CLAIM_HCERT in cbor_value:
        return cbor_value[hc1.CLAIM_HCERT][hc1.HCERT_V1]
    return cbor_value


def normalise(value: Any) -> Any:
    """One comparable form for CBOR and JSON values: maps and lists recursively, times as UTC datetimes."""
    if isinstance(value, Mapping):
        return {str(k): normalise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise(v) for v in value]
    if isinstance(value, cbor2.CBORTag):
        return normalise(value.value)
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d", value):
        try:
            return parse_clock({"VALIDATIONCLOCK": value}, [])
        except ValueError:
            return value
    return value


# ---------------------------------------------------------------- one check per flag
def check_picture(case: DccCase) -> bool:
    if case.field("2DCODE") is None:  # quirk (B1): flag set but no picture; render PREFIX as a printed code would be
        case.quirks.append("no 2DCODE: picture rendered from PREFIX")
        return decode_image(render_qr(case.field("PREFIX"))) == case.field("PREFIX")
    return decode_png_bytes(base64.b64decode(case.field("2DCODE"))) == case.field("PREFIX")


def check_unprefix(case: DccCase) -> bool:
    body = hc1.unprefix(case.field("PREFIX"))
    return case.field("BASE45") is None or body == case.field("BASE45")


def check_b45(case: DccCase) -> bool:
    data = hc1.compressed_bytes(base45_text(case))
    return case.field("COMPRESSED") is None or data == bytes.fromhex(case.field("COMPRESSED"))


def check_compression(case: DccCase) -> bool:
    data = hc1.cose_bytes(compressed(case))
    return case.field("COSE") is None or data == bytes.fromhex(case.field("COSE"))


def check_decode(case: DccCase) -> bool:
    sign1 = hc1.decode_sign1(cose_bytes(case))
    hc1.decode_claims(sign1.payload, official_reference())
    dcc = cbor2.loads(sign1.payload)[hc1.CLAIM_HCERT][hc1.HCERT_V1]
    if case.field("CBOR") is None:
        return True
    return normalise(dcc) == normalise(dcc_of(cbor2.loads(bytes.fromhex(case.field("CBOR")))))


def check_verify(case: DccCase) -> bool:
    hc1.check_signature(hc1.decode_sign1(cose_bytes(case)), case.trust)
    return True


def check_key_usage(case: DccCase) -> bool:
    sign1 = hc1.decode_sign1(cose_bytes(case))
    key = hc1.check_signature(sign1, case.trust)
    hc1.check_key_usage(key, hc1.decode_claims(sign1.payload, official_reference()).certificate)
    return True


def check_expiration(case: DccCase) -> bool:
    sign1 = hc1.decode_sign1(cose_bytes(case))
    key = hc1.check_signature(sign1, case.trust)
    hc1.check_time(hc1.decode_claims(sign1.payload, official_reference()), key, case.clock)
    return True


def check_schema(case: DccCase) -> bool:
    if case.field("CBOR") is not None:
        parse_hcert(dcc_of(cbor2.loads(bytes.fromhex(case.field("CBOR")))), official_reference())
    else:
        parse_hcert(cbor2.loads(hc1.decode_sign1(cose_bytes(case)).payload)[hc1.CLAIM_HCERT][hc1.HCERT_V1],
                    official_reference())
    return True


def check_valid_json(case: DccCase) -> bool:
    sign1 = hc1.open_envelope(case.field("PREFIX"))
    dcc = cbor2.loads(sign1.payload)[hc1.CLAIM_HCERT][hc1.HCERT_V1]
    return normalise(dcc) == normalise(case.field("JSON"))


def check_valid_object(case: DccCase) -> bool:
    parse_hcert(case.field("JSON"), official_reference())
    return True


def check_encode(case: DccCase) -> bool:
    encoded = cbor2.loads(cbor2.dumps(case.field("JSON")))
    return normalise(encoded) == normalise(dcc_of(cbor2.loads(bytes.fromhex(case.field("CBOR")))))


CHECKS: dict[str, Callable[[DccCase], bool]] = {
    "EXPECTEDPICTUREDECODE": check_picture, "EXPECTEDUNPREFIX": check_unprefix, "EXPECTEDB45DECODE": check_b45,
    "EXPECTEDCOMPRESSION": check_compression, "EXPECTEDDECODE": check_decode, "EXPECTEDVERIFY": check_verify,
    "EXPECTEDKEYUSAGE": check_key_usage, "EXPECTEDEXPIRATIONCHECK": check_expiration,
    "EXPECTEDSCHEMAVALIDATION": check_schema, "EXPECTEDVALIDJSON": check_valid_json,
    "EXPECTEDVALIDOBJECT": check_valid_object, "EXPECTEDENCODE": check_encode,
}


def run_check(flag: str, case: DccCase) -> tuple[bool, str]:
    """(outcome, why): a typed rejection or a broken input field is a failed step, never a crash of the runner."""
    try:
        return CHECKS[flag](case), ""
    except VerificationError as exc:
        return False, f"{exc.reason}: {exc.detail}"
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, cbor2.CBORDecodeError) as exc:
        return False, f"{type(exc).__name__}: {exc}"
