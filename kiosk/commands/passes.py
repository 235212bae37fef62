"""`kiosk issue` prints an offline pass; `kiosk verify` checks one (text or image) and says the verdict."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.cli import UsageError
from kiosk.commands.common import data_dir, load_trust, parse_now, print_json
from kiosk.core import offline_pass
from kiosk.core.idnumber import IdNumberError, validate_resident_id
from kiosk.core.policy import Policy
from kiosk.core.result import VerificationResult, failure
from kiosk.core.verdicts import Reason, Status, Verdict
from kiosk.core.verify import verify_text


def register(sub: argparse._SubParsersAction) -> None:
    issue = sub.add_parser("issue", help="issue a signed offline pass (printable QR)")
    issue.add_argument("--id", required=True, help="the holder's ID number (validated; never printed in full)")
    issue.add_argument("--name", required=True, help="the holder's name (printed masked)")
    issue.add_argument("--status", required=True, choices=[s.value for s in Status])
    issue.add_argument("--days", type=int, default=offline_pass.DEFAULT_DAYS, help="validity in days (default 7)")
    issue.add_argument("--now", help="issue time, ISO 8601 (default: now)")
    issue.add_argument("--out", required=True, help="FILE ending in .png, .pdf or .txt")
    issue.set_defaults(handler=run_issue)

    verify = sub.add_parser("verify", help="verify a pass given as text or as an image")
    verify.add_argument("text", nargs="?", help="the QR text (or - to read it from stdin)")
    verify.add_argument("--image", help="an image file holding the QR code")
    verify.add_argument("--json", action="store_true", help="print one JSON object")
    verify.add_argument("--now", help="verify as of this time, ISO 8601 (default: now)")
    verify.add_argument("--trust", help="a trust store file (default: the data directory's)")
    verify.set_defaults(handler=run_verify)


def run_issue(args: argparse.Namespace) -> int:
    from kiosk.printing import PrintablePass, PrintError, write_pass

    try:
        id_number = validate_resident_id(args.id)
    except IdNumberError as exc:
        raise UsageError(f"--id: {exc}") from None
    if not args.name.strip():
        raise UsageError("--name must not be empty")
    if not 1 <= args.days <= 366:
        raise UsageError("--days must be between 1 and 366")
    out = Path(args.out)
    if out.suffix.lower() not in (".png", ".pdf", ".txt"):
        raise UsageError("--out must end in .png, .pdf or .txt")
    issuer = data_dir(args).issuer()
    claims = offline_pass.new_claims(id_number, args.name, Status(args.status), parse_now(args.now),
                                     days=args.days, issuer=issuer.name)
    text = offline_pass.seal(claims, issuer.private_key, issuer.kid)
    try:
        write_pass(PrintablePass(text, claims.masked_name, str(claims.status), claims.not_before,
                                 claims.expires_at), out)
    except (PrintError, OSError) as exc:
        raise UsageError(str(exc)) from None
    print(f"issued pass {claims.pass_id} for {claims.masked_name} ({claims.status}), valid until "
          f"{claims.expires_at.isoformat()} -> {out}")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    if bool(args.text) == bool(args.image):
        raise UsageError("give the pass either as TEXT or with --image FILE")
    now = parse_now(args.now)
    trust = load_trust(args)
    if args.image:
        result = _verify_image(Path(args.image), trust, now)
    else:
        text = sys.stdin.read() if args.text == "-" else args.text
        result = verify_text(text, trust, now)
    _report(result, args.json)
    return 0 if result.is_valid else 1


def _verify_image(path: Path, trust, now) -> VerificationResult:
    from drivers.camera.decoder import decode_image_file

    try:
        decoded = decode_image_file(path)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read image {path}: {exc}") from None
    if decoded.text is None:
        return failure(Verdict.UNSUPPORTED_FORMAT, Reason.NO_CODE_IN_IMAGE, "UNKNOWN", f"no QR code found in {path}")
    return verify_text(decoded.text, trust, now)


def _report(result: VerificationResult, as_json: bool) -> None:
    outcome = Policy().outcome(result)
    if as_json:
        print_json({**result.to_json(), "outcome": str(outcome)})
        return
    holder = result.holder
    print(f"{outcome}: {result.verdict} ({result.reason}) format={result.format}")
    if result.status:
        print(f"  status {result.status}, valid {result.valid_from:%Y-%m-%d %H:%M} to "
              f"{result.valid_until:%Y-%m-%d %H:%M} UTC")
    if holder and holder.masked_name:
        print(f"  holder {holder.masked_name}")
    if result.detail:
        print(f"  {result.detail}")
