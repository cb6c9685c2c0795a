"""Backups of the database and the uploaded files, and their restore."""
