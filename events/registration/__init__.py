"""Registration: events, employers and their openings, candidates and their coaches, both sides' wishes,
spreadsheet imports and exports.
"""
