"""Personal data stays out of the logs, whatever level someone turns them to.

The app's own log lines name ids, never people; database errors name no values (events.platform.db: hide_parameters).
What is left are libraries that log every statement with its values at DEBUG: their level is raised here unless
someone set it on purpose (a developer who wants to see the SQL sets the logger's level and gets it).
"""

from __future__ import annotations

import logging

# aiosqlite logs each call with its parameters (names, addresses, notes) at DEBUG.
CHATTY = {"aiosqlite": logging.INFO}


def keep_personal_data_out_of_logs() -> None:
    for name, level in CHATTY.items():
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(level)
