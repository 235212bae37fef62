"""The demo's fictitious people, passes and status list, provisioned into a data directory."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.core.passes import offline_pass
from kiosk.core.status import status_list
from kiosk.core.identity.card import CardIdentity, CardType
from kiosk.core.outcome.verdicts import Outcome, Status
from kiosk.datadir import DataDir, write_atomic
from kiosk.provisioning import provision_demo

GREEN_CARD = CardIdentity(CardType.RESIDENT, "张三", "11010519491231002X", "1", "19491231",
                          "20200101", "长期", "北京市公安局西城分局")
RED_CARD = CardIdentity(CardType.RESIDENT, "李四", "440106195203150032", "1", "19520315",
                        "20180601", "20380601", "广州市公安局天河分局")
UNKNOWN_CARD = CardIdentity(CardType.RESIDENT, "王五", "510104194805210013", "1", "19480521",
                            "20160301", "20360301", "成都市公安局锦江分局")


@dataclass(frozen=True)
class Step:
    """One scripted action and the outcome a correct kiosk must show for it."""

    name: str
    kind: str            # "card" or "code"
    expected: Outcome
    card: CardIdentity | None = None
    code_image: Path | None = None


def provision(data: DataDir, now: datetime, out_dir: Path) -> list[Step]:
    """Provision the demo (root, bundle, issuer), a signed status list and printed codes; return the steps."""
    from kiosk.printing import PrintablePass, write_pass

    issuer = provision_demo(data, now)
    until = now + timedelta(days=30)
    entries = {GREEN_CARD.id_number: (Status.GREEN, until), RED_CARD.id_number: (Status.RED, until)}
    signed = status_list.build(entries, secrets.token_bytes(32), now, 1, issuer.private_key, issuer.kid)
    write_atomic(data.status_list_path, signed)

    def printed(name: str, text: str, claims: offline_pass.PassClaims) -> Path:
        path = out_dir / f"{name}.png"
        write_pass(PrintablePass(text, claims.masked_name, str(claims.status), claims.not_before,
                                 claims.expires_at), path)
        return path

    valid = offline_pass.new_claims(GREEN_CARD.id_number, GREEN_CARD.name, Status.GREEN, now, issuer=issuer.name)
    valid_text = offline_pass.seal(valid, issuer.private_key, issuer.kid)
    forged = offline_pass.new_claims(RED_CARD.id_number, RED_CARD.name, Status.GREEN, now, issuer=issuer.name)
    tampered_text = _tamper(offline_pass.seal(forged, issuer.private_key, issuer.kid))
    old = offline_pass.new_claims(GREEN_CARD.id_number, GREEN_CARD.name, Status.GREEN, now - timedelta(days=10),
                                  issuer=issuer.name)
    expired_text = offline_pass.seal(old, issuer.private_key, issuer.kid)
    return [
        Step("green card", "card", Outcome.PASS, card=GREEN_CARD),
        Step("red card", "card", Outcome.STOP, card=RED_CARD),
        Step("unknown card", "card", Outcome.SEE_STAFF, card=UNKNOWN_CARD),
        Step("valid printed code", "code", Outcome.PASS, code_image=printed("valid", valid_text, valid)),
        Step("tampered printed code", "code", Outcome.STOP, code_image=printed("tampered", tampered_text, forged)),
        Step("expired printed code", "code", Outcome.STOP, code_image=printed("expired", expired_text, old)),
    ]


def _tamper(text: str) -> str:
    """Change one base45 character in the middle of the signed body, as a forger editing the print would."""
    middle = len(text) // 2
    replacement = "A" if text[middle] != "A" else "B"
    return text[:middle] + replacement + text[middle + 1:]
