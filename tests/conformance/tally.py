"""The per-flag tally the conformance tests fill and the terminal summary prints (pass/fail per flag)."""
from __future__ import annotations

from collections import defaultdict

# flag -> {"match": n, "mismatch": n}; plus "expected True/False" counts for the report.
TALLY: dict[str, dict[str, int]] = defaultdict(lambda: {"match": 0, "mismatch": 0, "true": 0, "false": 0})
MISMATCHES: list[str] = []


def record(suite: str, flag: str, expected: bool, matched: bool, case: str, why: str = "") -> None:
    row = TALLY[f"{suite} {flag}"]
    row["match" if matched else "mismatch"] += 1
    row["true" if expected else "false"] += 1
    if not matched:
        MISMATCHES.append(f"{suite} {case} {flag}: expected {expected} ({why})")


def lines() -> list[str]:
    out = [f"{'suite/flag':<52} {'match':>6} {'mismatch':>9} {'exp=T':>6} {'exp=F':>6}"]
    for name in sorted(TALLY):
        row = TALLY[name]
        out.append(f"{name:<52} {row['match']:>6} {row['mismatch']:>9} {row['true']:>6} {row['false']:>6}")
    total = sum(r["match"] for r in TALLY.values()), sum(r["mismatch"] for r in TALLY.values())
    out.append(f"{'TOTAL':<52} {total[0]:>6} {total[1]:>9}")
    return out + [f"MISMATCH {m}" for m in MISMATCHES]
