"""A meeting as an iCalendar file (RFC 5545), made with the ``icalendar`` library: one VEVENT
with a stable UID (so a calendar updates the event when the file is opened again), the start and
end in UTC, the location or joining link, and a link back to the meeting's page."""

import datetime as dt
from urllib.parse import urlsplit

from django.utils import timezone
from icalendar import Calendar, Event

DEFAULT_LENGTH = dt.timedelta(hours=2)


def meeting_ics(meeting, url: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//AHP Portal//Meetings//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    host = urlsplit(url).hostname or "ahp-portal"
    event.add("uid", f"meeting-{meeting.pk}@{host}")
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    start = meeting.starts_at.astimezone(dt.UTC)
    event.add("dtstart", start)
    event.add("dtend", (meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH).astimezone(dt.UTC))
    event.add("summary", f"{meeting.title} ({meeting.body.name})")
    where = ", ".join(part for part in (meeting.location, meeting.online_link) if part)
    if where:
        event.add("location", where)
    description = [f"Agenda and papers: {url}"]
    if meeting.online_link:
        description.append(f"Join online: {meeting.online_link}")
    event.add("description", "\n".join(description))
    event.add("url", url)
    cal.add_component(event)
    return cal.to_ical()
