"""Messages of a study run: one line at a time on standard error."""

import sys


def say(message):
    """Write ``message`` on standard error at once (the printed table goes to stdout)."""
    print(message, file=sys.stderr, flush=True)
