"""The one way a service says no.

A service that refuses an operation (a meeting that cannot move, a decision on a closed referral,
a link no longer valid) raises ``Refused`` or one of its kinds. The message is a sentence for the
person, shown in the page: views catch ``Refused``, never a bare ``Exception``.
"""


class Refused(Exception):
    """An operation the rules do not allow now; the message says why, in a sentence."""

    default_message = "This cannot be done now."

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        return str(self)
