"""Logging in and out, two-factor enrolment, the language switch and each role's home page."""
