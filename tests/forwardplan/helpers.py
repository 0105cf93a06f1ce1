"""iCalendar files as a body publishes them, for the import tests."""

from datetime import date


def ics(*events: str) -> bytes:
    """An iCalendar file of the given VEVENT bodies."""
    body = "".join(f"BEGIN:VEVENT\r\n{event.strip()}\r\nEND:VEVENT\r\n" for event in events)
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Council//EN\r\n{body}END:VCALENDAR\r\n"
    ).encode()


def vevent(uid: str, on: date, *, status: str = "", hour: int | None = 10) -> str:
    start = (
        f"DTSTART:{on:%Y%m%d}T{hour:02d}0000Z"
        if hour is not None
        else (f"DTSTART;VALUE=DATE:{on:%Y%m%d}")
    )
    lines = [f"UID:{uid}", "DTSTAMP:20260101T000000Z", start, "SUMMARY:Cabinet"]
    if status:
        lines.append(f"STATUS:{status}")
    return "\r\n".join(lines)
