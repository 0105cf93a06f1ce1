"""What a person's search may reach: opportunities through ``opportunities.permissions``, and
meetings' business through the meetings' one visibility rule in ``meetings.selectors``."""

from meetings.selectors import NO_SCOPE, MeetingScope, meeting_scope

__all__ = ["NO_SCOPE", "MeetingScope", "meeting_scope"]
