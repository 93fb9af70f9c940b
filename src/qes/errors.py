"""Error types. A `UserError` is the user's to fix: the CLI prints its one line and exits 2."""

from __future__ import annotations


class QesError(Exception):
    """Base class of every error qes raises on purpose."""


class UserError(QesError):
    """Bad input or bad arguments: shown as one line, exit code 2, no traceback."""

    exit_code = 2


class InputFileError(UserError):
    """A file that cannot be read as a whole. Nothing from it is imported.

    `str()` gives `file:line: message` (line omitted when 0), the form editors and CI logs link.
    """

    def __init__(self, file_name: str, message: str, line: int = 0, record: int = 0):
        self.file_name = file_name
        self.line = line
        self.record = record
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file_name}:{self.line}" if self.line else self.file_name
        return f"{where}: {self.message}"


class NotFound(UserError):
    """A named thing (record, project, user, source) does not exist."""


class PermissionDenied(UserError):
    """The acting user's role does not allow this action."""


class Conflict(UserError):
    """The action conflicts with the current state (e.g. the file was already imported)."""
