"""One spelling per account: what a typed username (an e-mail address) is normalised to."""

import unicodedata


def normalise_username(raw: str | None) -> str:
    """NFKC, no spaces or invisible characters, lower case. An e-mail address cannot contain a
    space, so nothing meaningful is lost, and ``Tom.Reid@opcc.example`` and
    `` tom.reid@opcc.example `` name the same account."""
    text = unicodedata.normalize("NFKC", raw or "")
    kept = (ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in {"Cc", "Cf"})
    return "".join(kept).lower()
