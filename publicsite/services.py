"""Switching a board's public pages on and off."""

from django.db import transaction

from audit.services import audit_record
from boards.models import Board, User


@transaction.atomic
def board_public_pages_set(
    *,
    board: Board,
    actor: User,
    enabled: bool,
    summary: str,
    not_pursued: bool | None = None,
) -> bool:
    """Switch the board's public pages on or off, set their summary, and (when given) whether
    they show what the board considered and did not pursue.

    Writes the board and appends an audit event on the board naming what changed; does
    nothing (and records nothing) when nothing changed. Returns whether anything changed.
    """
    before = {
        "public_pages_enabled": board.public_pages_enabled,
        "public_summary": board.public_summary,
        "public_not_pursued": board.public_not_pursued,
    }
    publish_not_pursued = board.public_not_pursued if not_pursued is None else not_pursued
    after = {
        "public_pages_enabled": enabled,
        "public_summary": summary,
        "public_not_pursued": publish_not_pursued,
    }
    changed = {key: value for key, value in after.items() if before[key] != value}
    if not changed:
        return False
    Board.objects.filter(pk=board.pk).update(**changed)
    board.public_pages_enabled, board.public_summary = enabled, summary
    board.public_not_pursued = publish_not_pursued
    if "public_pages_enabled" in changed:
        summary_text = f"Public pages switched {'on' if enabled else 'off'}"
        verb = "public_pages_on" if enabled else "public_pages_off"
    elif "public_not_pursued" in changed:
        shown = "shown" if board.public_not_pursued else "no longer shown"
        summary_text = f"What the board did not pursue is {shown} on its public pages"
        verb = "public_not_pursued_on" if board.public_not_pursued else "public_not_pursued_off"
    else:
        summary_text, verb = "Summary for the public changed", "public_summary_changed"
    audit_record(
        subject=board,
        actor=actor,
        verb=verb,
        summary=summary_text,
        before={key: before[key] for key in changed},
        after=changed,
    )
    return True
