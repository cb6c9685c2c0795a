"""Mail to attendees: the programme and the day-before reminder, with the organiser's attendee page."""
