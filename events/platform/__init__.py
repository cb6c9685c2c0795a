"""The platform every slice stands on: settings, database, core models and their reach, sessions and CSRF,
two-factor, crypto, i18n, templating, forms, errors, outbox, background jobs and the command line's plumbing.
It imports no slice.
"""
