"""Errors the command line and the app turn into a one-line message, never a traceback."""


class UnusableInput(Exception):
    """Input that cannot be used at all: unreadable file, no recognisable table, missing column."""


class WarehouseMissing(Exception):
    """No published warehouse where one was expected."""


class WarehouseOutdated(WarehouseMissing):
    """A warehouse built by an earlier release, without marts this release's queries read."""


class QueryError(Exception):
    """A named query that does not exist, or parameters that do not fit it."""
