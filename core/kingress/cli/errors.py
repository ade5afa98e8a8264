"""The error a sub-command raises for anything the user can fix."""

from __future__ import annotations


class CliError(Exception):
    """A user-facing error: printed as one line on stderr, exit code ``code``."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code
