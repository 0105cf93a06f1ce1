"""Is this PDF one the portal issued, unaltered? Two independent answers, put together:

- its SHA-256 among the documents anchored in the audit trail's hash chain (minutes, decision
  notices, reports), which holds whatever certificate signed it, or none;
- its signature, checked with pyHanko against the board's configured certificate.
"""

from dataclasses import dataclass, field
from datetime import datetime

from audit.chain import event_holds
from audit.models import AuditEvent
from audit.selectors import documents_issued
from core.signing import SignatureCheck, check_signature, sha256_of, signing_configured


class Verdict:
    ISSUED = "issued"  # the exact bytes the portal issued
    ALTERED = "altered"  # signed, and changed since it was signed
    SIGNED_UNRECORDED = "signed_unrecorded"  # the board's signature holds, no record of issue
    FOREIGN = "foreign"  # not a document the portal issued (or altered beyond recognition)


@dataclass
class Verification:
    verdict: str
    sha256: str
    signature: SignatureCheck
    issues: list[AuditEvent] = field(default_factory=list)
    chain_holds: bool | None = None
    signing_configured: bool = False

    @property
    def first_issue(self) -> AuditEvent | None:
        return self.issues[0] if self.issues else None

    @property
    def title(self) -> str:
        first = self.first_issue
        return str(first.after.get("title", "")) if first else ""

    @property
    def issued_at(self) -> datetime | None:
        first = self.first_issue
        return first.at if first else None

    @property
    def recorded_signed(self) -> bool:
        first = self.first_issue
        return bool(first and first.after.get("signed"))


def verify_document(content: bytes) -> Verification:
    """What the portal can say about a PDF's bytes: by its fingerprint in the audit trail and
    by its signature (a fixed number of queries)."""
    digest = sha256_of(content)
    issues = documents_issued(digest)
    signature = check_signature(content)
    result = Verification(
        verdict=_verdict(issues, signature),
        sha256=digest,
        signature=signature,
        issues=issues,
        signing_configured=signing_configured(),
    )
    if issues:
        result.chain_holds = event_holds(issues[0].pk)
    return result


def _verdict(issues: list[AuditEvent], signature: SignatureCheck) -> str:
    if issues:
        return Verdict.ISSUED
    if signature.present and signature.vouches:
        return Verdict.SIGNED_UNRECORDED
    if signature.present and (not signature.intact or not signature.whole_file):
        return Verdict.ALTERED
    return Verdict.FOREIGN
