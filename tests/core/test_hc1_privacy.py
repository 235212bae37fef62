"""What an international pass shows the operator (full name, birth date) never reaches the event log."""
from __future__ import annotations

import sqlite3
from datetime import timedelta

from kiosk.core.trust import dsc, jwk
from kiosk.core.outcome.policy import Policy
from kiosk.core.trust.store import TrustStore
from kiosk.core.checks.verify import verify_text
from sync.eventlog import EventLog
from tests.core.passes_factory import ISSUER, T0, dcc_payload, hc1_text, make_signer, shc_key, shc_payload, shc_text

NOW = T0 + timedelta(days=1)


def test_names_birth_dates_and_raw_codes_stay_out_of_the_log(tmp_path):
    signer = make_signer()
    private_key, public = shc_key()
    trust = TrustStore(keys=(dsc.issuer_key(signer.certificate), *jwk.keys_from_jwks({"keys": [public]}, ISSUER)))
    texts = [hc1_text(signer, dcc_payload(family="Gößinger", given="Gabriele", fnt="GOESSINGER")),
             shc_text(private_key, public, shc_payload(family="Anyperson", given=("Johnathan",)))]
    masked = []
    with EventLog(tmp_path / "log.db", "dev-1", b"k" * 32) as log:
        for text in texts:
            result = verify_text(text, trust, NOW)
            assert result.is_valid and result.holder.name and result.holder.birth_date
            log.append(result, Policy().outcome(result), "code", NOW)
            masked.append(result.holder.masked_name)
    dump = "\n".join(sqlite3.connect(tmp_path / "log.db").iterdump())
    for secret in ("Gößinger", "Gabriele", "GOESSINGER", "Anyperson", "Johnathan", "1998-02-26", "1951-01-20",
                   "URN:UVCI", "rid123", texts[0][4:40], texts[1][5:40]):
        assert secret not in dump, secret
    assert all(m.startswith(("G*", "J*")) and m in dump for m in masked)  # the masked form is what the log keeps
