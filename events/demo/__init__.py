"""The demo installation: the afternoon of today with its people, and a past event with its follow-up history."""
