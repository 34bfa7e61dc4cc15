"""Errors that reach the user as one clear line (never a traceback)."""

from __future__ import annotations


class TongketError(Exception):
    """Base for every error the command line and the app report as a message."""


class InputError(TongketError):
    """A source file that cannot be read as an article; names the file and the problem."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class StoreError(TongketError):
    """The archive on disk cannot be read or written; says what and where."""


class NotFound(TongketError):
    """An article id or prefix that matches nothing, or more than one article."""
