"""`kiosk issue` prints offline passes (one person or a family of up to 5); `kiosk verify` checks one (text or
image) and says the verdict, the outcome under the bundle's policy and the trust data's freshness."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.cli import UsageError
from kiosk.commands.common import data_dir, load_trust, parse_now, print_json
from kiosk.core.passes import offline_pass
from kiosk.core.identity.idnumber import IdNumberError, validate_resident_id
from kiosk.core.checks.clock import ClockCheck, ClockState
from kiosk.core.trust.freshness import FreshnessReport
from kiosk.core.outcome.policy import Policy, PolicyError
from kiosk.core.outcome.result import VerificationResult, failure
from kiosk.core.outcome.verdicts import Reason, Status, Verdict
from kiosk.core.checks.safeguards import trust_freshness
from kiosk.core.checks.verify import verify_text


def register(sub: argparse._SubParsersAction) -> None:
    issue = sub.add_parser("issue", help="issue a signed offline pass (printable QR)")
    issue.add_argument("--id", required=True, action="append",
                       help="the holder's ID number (validated; never printed in full); repeat for a family")
    issue.add_argument("--name", required=True, action="append",
                       help="the holder's name (printed masked); repeat in the same order as --id")
    issue.add_argument("--status", required=True, action="append", choices=[s.value for s in Status],
                       help="green, yellow or red: once for everyone or once per --id")
    issue.add_argument("--days", type=int, default=offline_pass.DEFAULT_DAYS, help="validity in days (default 7)")
    issue.add_argument("--now", help="issue time, ISO 8601 (default: now)")
    issue.add_argument("--out", required=True, help="FILE ending in .png, .pdf or .txt")
    issue.add_argument("--key", help="the issuer's private key PEM (default: the data directory's demo issuer)")
    issue.add_argument("--issuer", help="the issuer's name printed into the pass (required with --key)")
    issue.set_defaults(handler=run_issue)

    verify = sub.add_parser("verify", help="verify a pass given as text or as an image")
    verify.add_argument("text", nargs="?", help="the QR text (or - to read it from stdin)")
    verify.add_argument("--image", help="an image file holding the QR code")
    verify.add_argument("--json", action="store_true", help="print one JSON object")
    verify.add_argument("--now", help="verify as of this time, ISO 8601 (default: now)")
    verify.add_argument("--trust", help="a trust store file (default: the data directory's)")
    verify.add_argument("--gate", help="apply this gate's section of the policy")
    verify.add_argument("--judge-clock", action="store_true",
                        help="judge --now as the kiosk's clock (set back before signed data -> CLOCK_SUSPECT)")
    verify.set_defaults(handler=run_verify)


def _members(args: argparse.Namespace) -> list[tuple[str, str, Status]]:
    ids, names, statuses = args.id, args.name, args.status
    if len(ids) != len(names):
        raise UsageError("give one --name for each --id")
    if not 1 <= len(ids) <= offline_pass.MAX_FAMILY:
        raise UsageError(f"a print job holds 1 to {offline_pass.MAX_FAMILY} people")
    if len(statuses) not in (1, len(ids)):
        raise UsageError("give --status once for everyone or once for each --id")
    members = []
    for i, (raw_id, name) in enumerate(zip(ids, names)):
        try:
            id_number = validate_resident_id(raw_id)
        except IdNumberError as exc:
            raise UsageError(f"--id #{i + 1}: {exc}") from None
        if not name.strip():
            raise UsageError(f"--name #{i + 1} must not be empty")
        members.append((id_number, name, Status(statuses[i] if len(statuses) > 1 else statuses[0])))
    if len({m[0] for m in members}) != len(members):
        raise UsageError("the same --id appears twice in one print job")
    return members


def run_issue(args: argparse.Namespace) -> int:
    from kiosk.printing import PrintablePass, PrintError, write_passes

    members = _members(args)
    if not 1 <= args.days <= 366:
        raise UsageError("--days must be between 1 and 366")
    out = Path(args.out)
    if out.suffix.lower() not in (".png", ".pdf", ".txt"):
        raise UsageError("--out must end in .png, .pdf or .txt")
    issuer = _issuer(args)
    family = offline_pass.new_family(members, parse_now(args.now), days=args.days, issuer=issuer.name)
    cards = []
    for claims in family:
        text = offline_pass.seal(claims, issuer.private_key, issuer.kid)
        group = f"{claims.family.member}/{claims.family.size}" if claims.family else ""
        cards.append(PrintablePass(text, claims.masked_name, str(claims.status), claims.not_before,
                                   claims.expires_at, family=group))
    try:
        paths = write_passes(cards, out)
    except (PrintError, OSError) as exc:
        raise UsageError(str(exc)) from None
    for i, claims in enumerate(family):
        target = f" -> {paths[i] if len(paths) == len(family) else paths[0]}"
        print(f"issued pass {claims.pass_id} for {claims.masked_name} ({claims.status}), valid until "
              f"{claims.expires_at.isoformat()}{target}")
    return 0


def _issuer(args: argparse.Namespace):
    """--key and --issuer (production), else the data directory's demo issuer (provisioned, said on stderr)."""
    from kiosk.core.trust import keys as keymod
    from kiosk.datadir import Issuer
    from kiosk.provisioning import ProvisioningError, ensure_demo

    if bool(args.key) != bool(args.issuer and args.issuer.strip()):
        raise UsageError("give --key ISSUER.pem and --issuer NAME together (or neither, for the demo issuer)")
    if args.key:
        try:
            private_key = keymod.load_private_key_pem(Path(args.key).read_bytes())
        except (OSError, ValueError, TypeError) as exc:
            raise UsageError(f"cannot read issuer key {args.key}: {getattr(exc, 'strerror', None) or exc}") from None
        return Issuer(private_key, keymod.kid_for_public_key(private_key.public_key()), args.issuer.strip())
    try:
        return ensure_demo(data_dir(args), "issue")
    except ProvisioningError as exc:
        raise UsageError(f"{exc}; give --key ISSUER.pem --issuer NAME") from None


def run_verify(args: argparse.Namespace) -> int:
    if bool(args.text) == bool(args.image):
        raise UsageError("give the pass either as TEXT or with --image FILE")
    now = parse_now(args.now)
    trust = load_trust(args)
    clock = None
    if not args.now and not args.trust:  # the real clock: check it against the record and keep time monotonic
        from kiosk.kiosk_clock import KioskClock

        clock = KioskClock.for_data(data_dir(args)).observe(now)
    elif args.now and not args.judge_clock:  # a what-if time is not the kiosk's clock: do not judge it
        clock = ClockCheck(ClockState.UNKNOWN, detail="--now given: the clock is not judged")
    try:
        policy = Policy().merged(trust.policy, args.gate)
    except PolicyError as exc:
        raise UsageError(f"the trust bundle's policy is unusable: {exc}") from None
    if policy.grace is not None:
        trust = trust.with_changes(grace=policy.grace)
    if args.image:
        result = _verify_image(Path(args.image), trust, now, clock)
    else:
        text = sys.stdin.read() if args.text == "-" else args.text
        result = verify_text(text, trust, now, clock)
    _report(result, args.json, policy, trust_freshness(trust, now))
    return 0 if result.is_valid else 1


def _verify_image(path: Path, trust, now, clock=None) -> VerificationResult:
    from drivers.camera.decoder import decode_image_file

    try:
        decoded = decode_image_file(path)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read image {path}: {exc}") from None
    if decoded.text is None:
        return failure(Verdict.UNSUPPORTED_FORMAT, Reason.NO_CODE_IN_IMAGE, "UNKNOWN", f"no QR code found in {path}")
    return verify_text(decoded.text, trust, now, clock)


def _report(result: VerificationResult, as_json: bool, policy: Policy, freshness: FreshnessReport) -> None:
    outcome = policy.outcome(result)
    if as_json:
        print_json({**result.to_json(), "outcome": str(outcome), "trust_freshness": str(freshness.state)})
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
    if result.flags:
        print(f"  flags: {', '.join(result.flags)}")
    print(f"  trust data: {freshness.describe()}")
