"""Programmes: several events under one goal ("Delft aan het werk 2026"), with the organiser's targets; what the
trajectories grow from. Their results are reported by events.results.

Participants come in from a spreadsheet through imports (the event import's person columns plus target group,
referrer, stage and dates) and go out through exports; the pages for both are import_pages, the command line
(`meetmatch programmes add|list|import|export`) is cli.
"""
