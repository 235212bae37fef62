"""Paths that survived deliberate breakage before (issue 15): each test here fails when its path is broken.

The STX envelope's LRC, kiosk.toml's [policy] laid over the bundle's settings key by key, card expiry at the
China-Standard-Time date boundary, the camera accepting only texts of a known format, and a verifier that
crashes becoming a technical error (never VALID)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from drivers.sam.protocol import FrameError, Response, ResponseDecoder, StxEnvelope, encode_response
from kiosk.config import config_from_dict
from kiosk.core.checks import card_check
from kiosk.core.checks.verify import detect_format, verify_text
from kiosk.core.identity.card import CardIdentity, CardType
from kiosk.core.outcome.policy import Policy
from kiosk.core.outcome.result import VerificationResult
from kiosk.core.outcome.verdicts import Outcome, Reason, Status, Verdict
from kiosk.core.trust.store import TrustStore


def test_the_stx_envelope_rejects_a_frame_whose_lrc_is_wrong():
    env = StxEnvelope()
    frame = bytearray(encode_response(Response(0, 0, 0x9F, b"\x01\x02"), env))
    assert ResponseDecoder(env).feed(bytes(frame)) == [Response(0, 0, 0x9F, b"\x01\x02")]
    frame[-2] ^= 0x01  # the LRC byte
    out = ResponseDecoder(env).feed(bytes(frame))
    assert out and all(isinstance(item, FrameError) for item in out) and out[0].kind == "checksum"
    frame[-2] ^= 0x01
    frame[4] ^= 0x10  # a body byte: the LRC no longer matches
    assert ResponseDecoder(env).feed(bytes(frame))[0].kind == "checksum"


def test_site_policy_is_laid_over_the_bundles_key_by_key():
    config = config_from_dict({"site": "gate-3", "policy": {"statuses": {"yellow": "PASS"}}})
    bundle = {"statuses": {"yellow": "STOP", "red": "SEE_STAFF"},
              "gates": {"gate-3": {"statuses": {"green": "SEE_STAFF"}}}}
    policy = Policy().merged(bundle, config.site).merged(config.policy_settings)

    def status(s):
        return VerificationResult(Verdict.VALID, Reason.OK, "KP1", status=s)
    assert policy.outcome(status(Status.YELLOW)) is Outcome.PASS      # kiosk.toml wins over the bundle
    assert policy.outcome(status(Status.RED)) is Outcome.SEE_STAFF    # the bundle's own setting stays
    assert policy.outcome(status(Status.GREEN)) is Outcome.SEE_STAFF  # the bundle's section for this gate
    other_gate = Policy().merged(bundle, "gate-9").merged(config.policy_settings)
    assert other_gate.outcome(status(Status.GREEN)) is Outcome.PASS


@pytest.mark.parametrize("utc,expired", [
    (datetime(2026, 5, 31, 15, 59, 59, tzinfo=timezone.utc), False),  # 23:59:59 on the last valid day in Beijing
    (datetime(2026, 5, 31, 16, 0, 0, tzinfo=timezone.utc), True),     # 00:00 the next day in Beijing
])
def test_card_expiry_turns_at_midnight_china_standard_time(utc, expired):
    card = CardIdentity(CardType.RESIDENT, name="张三", id_number="11010519491231002X", valid_to="20260531")
    result = card_check.verify_card(card, None, utc)
    assert (result.reason is Reason.CARD_EXPIRED) is expired


def test_the_camera_accepts_only_texts_of_a_known_format():
    from kiosk.app import Kiosk
    for text in ("hello", "https://example.com", "", "   ", "KP2:nope", "1234567890"):
        assert Kiosk.accepts_code(None, text) is False, text  # noqa: the method reads no state
    assert detect_format("HC1:6BF") != "UNKNOWN" and Kiosk.accepts_code(None, "HC1:6BF") is True


def test_a_verifier_that_crashes_is_a_technical_error_never_valid(monkeypatch):
    from kiosk.core.checks import verify as verify_mod
    calls = []

    def boom(*_args, **_kwargs):
        calls.append(1)
        raise RuntimeError("verifier bug")
    for _name, module in verify_mod.FORMATS:
        monkeypatch.setattr(module, "verify", boom)
    for text in ("KP1:AAAA", "HC1:6BFOXN%TS3DH0", "shc:/5676290952432060346029243740"):
        assert detect_format(text) != "UNKNOWN", text
        result = verify_text(text, TrustStore(), datetime(2026, 1, 1, tzinfo=timezone.utc))
        assert result.verdict is Verdict.TECHNICAL_ERROR and result.reason is Reason.INTERNAL_ERROR, text
        assert Policy().outcome(result) is not Outcome.PASS
    assert len(calls) == 3
