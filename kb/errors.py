"""Errors that reach the user as one line. Anything else is a bug."""
from __future__ import annotations


class KbError(Exception):
    """An error the CLI prints as one line and turns into exit code 1."""


class ParseError(KbError):
    """A file could not be read as the format it claims to be."""

    def __init__(self, source: str, reason: str):
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class UnknownFormat(ParseError):
    def __init__(self, source: str, reason: str = "not a format kb can read"):
        super().__init__(source, reason)
