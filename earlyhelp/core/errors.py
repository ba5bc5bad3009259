"""Errors the command line and the app turn into a one-line message, never a traceback."""


class UnusableInput(Exception):
    """Input that cannot be used at all: unreadable file, no recognisable table, missing column."""


class WarehouseMissing(Exception):
    """No published warehouse where one was expected."""


class WarehouseOutdated(WarehouseMissing):
    """A warehouse built by an earlier release, without marts this release's queries read.
    Its message ends with REBUILD_COMMAND and the warehouse folder."""


#: The command that rebuilds an outdated warehouse's marts (followed by ' --warehouse DIR').
REBUILD_COMMAND = "python -m earlyhelp rebuild"


class QueryError(Exception):
    """A named query that does not exist, or parameters that do not fit it."""


def printable(text: str) -> str:
    """Text safe to print on a terminal: a control character (an escape sequence in a file's
    name, say) is shown as its code, e.g. '\\x1b', instead of acting on the terminal."""
    return "".join(
        c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii")
        for c in text
    )
