"""What a person's search may reach: opportunities through ``opportunities.permissions``, and
meetings' business through the meetings' one visibility rule in ``meetings.selectors``."""

from meetings.selectors import agenda_items_visible_to, links_of, papers_visible_to

__all__ = ["agenda_items_visible_to", "links_of", "papers_visible_to"]
