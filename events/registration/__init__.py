"""Registration: events, employers and their openings, candidates and their coaches, both sides' wishes,
spreadsheet imports and exports.

What it does: services (the event itself: a meet & match, or a plenary gathering without rounds), employers,
guests (partners, officials, press: neither candidate nor employer), candidates (with their coaches and sign-ups),
preferences (wishes, cards, capacity), imports with imports_fields, imports_cells, imports_candidates and
imports_employers, exports; what it takes: inputs. The JSON API: api (events, sign-ups, wishes), employer_api,
candidate_api, guest_api, import_api, with schemas; the pages: pages (events, invitations), employer_pages,
guest_pages, candidate_pages, wish_pages, data_pages (imports and exports); the command line: cli.
"""
