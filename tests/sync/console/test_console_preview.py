"""What the publishing preview reads out of a file (real files signed with real keys by the core's builders), and
the chart scale. Pure: no service, no browser."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kiosk.core.outcome.verdicts import Status
from kiosk.core.status import status_list as sl
from sync.central.console import charts
from sync.central.console.preview import PreviewError, inspect
from tests.sync.console.consolekit import TrustMaterial

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def material(tmp_path):
    return TrustMaterial(NOW, tmp_path)


def test_a_bundle_shows_version_signer_issuers_and_revocations(material):
    p = inspect(material.bundle(5, revoked_passes=4))
    assert (p.kind, p.version, p.signer, p.signature) == ("trust-bundle", 5, material.root_kid_hex, "unchecked")
    assert p.entries == {"keys": 1, "revoked_kids": 1, "revoked_passes": 4, "revoked_rids": 0}
    assert [i["issuer"] for i in p.issuers] == ["CN-CONSOLE-TEST"] and p.issuers[0]["uses"] == "KP1, STATUS"
    assert ("policy_keys", "pairing_window_s") in p.facts and p.expires_at == "2026-11-30 08:00 UTC"


def test_a_status_list_is_checked_against_the_published_bundle(material, tmp_path):
    body = material.status_list(9)
    p = inspect(body, material.bundle(5))
    assert (p.kind, p.version, p.signer, p.signature) == ("status-list", 9, material.issuer_kid.hex(), "valid")
    assert p.entries == {"green": 2, "yellow": 1, "red": 1, "records": 4} and ("region", "console-test") in p.facts
    assert inspect(body).signature == "unchecked"  # nothing published to check it with
    (tmp_path / "other").mkdir()
    stranger = TrustMaterial(NOW, tmp_path / "other")  # another root and issuer
    assert inspect(body, stranger.bundle(5)).signature == "unknown-signer"
    tampered = bytearray(body)
    tampered[-2] ^= 1
    assert inspect(bytes(tampered), material.bundle(5)).signature_note == "digest"


def test_a_delta_shows_its_base_and_changes(material):
    base = sl.load(material.status_list(9), _trust(material))
    delta = sl.build_delta(base, {"440106195203150032": (None, None), "11010519491231002X": (Status.RED, NOW + timedelta(days=9))},
                           NOW, 10, material.issuer_key, material.issuer_kid)
    p = inspect(delta, material.bundle(5))
    assert (p.kind, p.version, p.signature) == ("status-list-delta", 10, "valid")
    assert p.entries == {"red": 1, "removed": 1, "records": 2}
    assert ("base_version", 9) in p.facts and ("result_count", 3) in p.facts


def _trust(material):
    from kiosk.core.trust.bundle import inspect_bundle
    return inspect_bundle(material.bundle(5)).trust_store()


def test_settings_and_garbage(material):
    assert inspect(b'{"version": 3, "volume": 7}').facts == [("keys", "version, volume")]
    for junk in (b"hello", b"", b"KSL1\x00\x00\x00\x09abc", b'{"not": "closed"', b"[1, 2]", material.bundle(5)[:-5]):
        with pytest.raises(PreviewError):
            inspect(junk)


@pytest.mark.parametrize("tallest,top,tick", [(0, 1, 1), (3, 3, 1), (7, 8, 2), (25, 25, 5), (2317, 2500, 500)])
def test_chart_scale_has_whole_ticks(tallest, top, tick):
    assert charts._scale(tallest) == (top, tick)


def test_chart_has_a_title_and_a_titled_bar_per_count():
    svg = charts.stacked_bars([("2026-11-23", "PASS", 5), ("2026-11-23", "STOP", 1), ("2026-11-24", "PASS", 2)],
                              ["PASS", "STOP", "SEE_STAFF"], "Checks <all>", {"PASS": "PASS", "STOP": "STOP"})
    assert "<title id=\"chart-title\">Checks &lt;all&gt;</title>" in svg
    assert svg.count("<rect") == 3 + 3  # three bars, three legend swatches
    assert "2026-11-23: STOP 1" in svg
