"""The one verdict taxonomy shared by the core, the UI, the log and the tests.

A `Verdict` says what verification found; a `Reason` says why, precisely enough for staff and the log;
an `Outcome` is what the gate does about it (decided by `kiosk.core.outcome.policy`, configurable per site).
"""
from __future__ import annotations

import enum


class Verdict(enum.StrEnum):
    VALID = "VALID"
    INVALID = "INVALID"
    EXPIRED = "EXPIRED"
    NOT_YET_VALID = "NOT_YET_VALID"
    REVOKED = "REVOKED"
    UNTRUSTED_ISSUER = "UNTRUSTED_ISSUER"
    UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT"
    NOT_FOUND = "NOT_FOUND"
    IDENTITY_MISMATCH = "IDENTITY_MISMATCH"
    TRUST_DATA_STALE = "TRUST_DATA_STALE"
    CLOCK_SUSPECT = "CLOCK_SUSPECT"
    TECHNICAL_ERROR = "TECHNICAL_ERROR"


class Outcome(enum.StrEnum):
    """What the gate does: the three screens a citizen can see after a check."""

    PASS = "PASS"
    STOP = "STOP"
    SEE_STAFF = "SEE_STAFF"


class Status(enum.StrEnum):
    """The signed health status a pass or a status-list entry carries."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class Reason(enum.StrEnum):
    """Reason codes. Add new codes in the section of their area; never reuse or rename one (logs keep them)."""

    # -- success
    OK = "OK"
    # -- text and envelope decoding
    EMPTY_INPUT = "EMPTY_INPUT"
    NO_CODE_IN_IMAGE = "NO_CODE_IN_IMAGE"
    INPUT_TOO_LARGE = "INPUT_TOO_LARGE"
    UNKNOWN_PREFIX = "UNKNOWN_PREFIX"
    BASE45_INVALID = "BASE45_INVALID"
    DECOMPRESSION_FAILED = "DECOMPRESSION_FAILED"
    DECOMPRESSED_TOO_LARGE = "DECOMPRESSED_TOO_LARGE"
    CBOR_INVALID = "CBOR_INVALID"
    CBOR_NOT_CANONICAL = "CBOR_NOT_CANONICAL"
    COSE_INVALID = "COSE_INVALID"
    CLAIMS_INVALID = "CLAIMS_INVALID"
    PAYLOAD_INVALID = "PAYLOAD_INVALID"
    # -- signatures and keys
    ALGORITHM_NOT_ALLOWED = "ALGORITHM_NOT_ALLOWED"
    KID_MISSING = "KID_MISSING"
    KEY_UNKNOWN = "KEY_UNKNOWN"
    SIGNATURE_INVALID = "SIGNATURE_INVALID"
    KEY_REVOKED = "KEY_REVOKED"
    KEY_USAGE_NOT_ALLOWED = "KEY_USAGE_NOT_ALLOWED"
    KEY_EXPIRED = "KEY_EXPIRED"
    # -- validity in time
    PASS_EXPIRED = "PASS_EXPIRED"
    PASS_NOT_YET_VALID = "PASS_NOT_YET_VALID"
    ISSUED_IN_FUTURE = "ISSUED_IN_FUTURE"
    # -- revocation
    PASS_REVOKED = "PASS_REVOKED"
    # -- status list (ID-card path)
    ID_NOT_IN_STATUS_LIST = "ID_NOT_IN_STATUS_LIST"
    ID_NUMBER_INVALID = "ID_NUMBER_INVALID"
    STATUS_ENTRY_EXPIRED = "STATUS_ENTRY_EXPIRED"
    STATUS_LIST_MISSING = "STATUS_LIST_MISSING"
    STATUS_LIST_SIGNATURE_INVALID = "STATUS_LIST_SIGNATURE_INVALID"
    STATUS_LIST_INVALID = "STATUS_LIST_INVALID"
    STATUS_LIST_EXPIRED = "STATUS_LIST_EXPIRED"
    STATUS_DELTA_REJECTED = "STATUS_DELTA_REJECTED"
    # -- card
    CARD_EXPIRED = "CARD_EXPIRED"
    CARD_READ_FAILED = "CARD_READ_FAILED"
    # -- trust data and clock
    TRUST_BUNDLE_EXPIRED = "TRUST_BUNDLE_EXPIRED"
    TRUST_BUNDLE_MISSING = "TRUST_BUNDLE_MISSING"
    CLOCK_BEHIND_TRUSTED_TIME = "CLOCK_BEHIND_TRUSTED_TIME"
    CLOCK_FAR_AHEAD = "CLOCK_FAR_AHEAD"
    CLOCK_JUMPED = "CLOCK_JUMPED"
    TRUST_BUNDLE_INVALID = "TRUST_BUNDLE_INVALID"
    TRUST_BUNDLE_SIGNATURE_INVALID = "TRUST_BUNDLE_SIGNATURE_INVALID"
    TRUST_BUNDLE_ROOT_UNKNOWN = "TRUST_BUNDLE_ROOT_UNKNOWN"
    TRUST_BUNDLE_ROLLBACK = "TRUST_BUNDLE_ROLLBACK"
    # -- identity binding
    HOLDER_MISMATCH = "HOLDER_MISMATCH"
    HOLDER_BINDING_UNAVAILABLE = "HOLDER_BINDING_UNAVAILABLE"
    # -- international passes (EU DCC / WHO GDHCN "HC1", SMART Health Cards "shc:/")
    SIGNER_NOT_VALID_AT_ISSUE = "SIGNER_NOT_VALID_AT_ISSUE"  # iat outside the signer certificate's validity
    ISSUER_MISMATCH = "ISSUER_MISMATCH"  # the signed iss is not the issuer the key was trusted for
    JWS_INVALID = "JWS_INVALID"  # malformed compact JWS (segments, base64url, header JSON)
    NUMERIC_ENCODING_INVALID = "NUMERIC_ENCODING_INVALID"  # shc:/ digits that are not JWS characters
    CHUNK_INVALID = "CHUNK_INVALID"  # a shc:/C/N/ part that does not fit the parts already scanned
    CHUNKS_INCOMPLETE = "CHUNKS_INCOMPLETE"  # a multi-part card still waiting for its other parts
    TRUST_LIST_INVALID = "TRUST_LIST_INVALID"  # an imported DSC list / directory whose signature fails
    DCC_SCHEMA_INVALID = "DCC_SCHEMA_INVALID"  # the DCC payload breaks the official JSON schema of its ver
    DCC_SCHEMA_UNKNOWN = "DCC_SCHEMA_UNKNOWN"  # no installed schema can judge the payload's ver
    FHIR_BUNDLE_INVALID = "FHIR_BUNDLE_INVALID"  # an SHC whose FHIR bundle breaks the SMART Health Cards rules
    # -- the kiosk's own storage
    LOG_UNAVAILABLE = "LOG_UNAVAILABLE"  # the check could not be written to the event log
    # -- the gate (turnstile / door output)
    GATE_UNAVAILABLE = "GATE_UNAVAILABLE"  # a valid check, but the gate relay is lost or locked: staff let them in
    # -- anything else
    INTERNAL_ERROR = "INTERNAL_ERROR"


class VerificationError(Exception):
    """A typed rejection raised inside the core; always carries the verdict and the reason code."""

    def __init__(self, verdict: Verdict, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{verdict}: {reason}" + (f" ({detail})" if detail else ""))
        self.verdict = verdict
        self.reason = reason
        self.detail = detail
