"""The one exception root of briefing, with leaves that say what the user can do.

The command line catches `BriefingError`, prints its message as one line on stderr and exits with
`exit_code`. Anything else that escapes is a bug in briefing.
"""

from __future__ import annotations


class BriefingError(Exception):
    """Root of every error briefing raises on purpose. Exit code 1 unless a leaf says otherwise."""

    exit_code = 1


class InputError(BriefingError):
    """Raised when the user's input cannot be used: a missing path, no readable documents,
    duplicate file IDs, an output path that cannot be written. Exit code 2."""

    exit_code = 2


class UsageError(BriefingError):
    """Raised for a command line that does not make sense (conflicting or invalid options).
    Exit code 2."""

    exit_code = 2


class ConfigError(BriefingError):
    """Raised for a configuration that cannot work: an unknown audience, a missing API key,
    an unusable base URL. Exit code 1."""


class TemplateError(BriefingError):
    """Raised when a prompt or output template cannot be loaded or rendered; the message names
    the template file and line. Exit code 1."""


class ModelError(BriefingError):
    """Raised when the model server fails in a way retries cannot mend (rejected key, unknown
    model, server unreachable after retries). Exit code 1."""


class OutputError(BriefingError):
    """Raised when the output cannot be written after all, though it was checked before the
    work began: a full disk, a file that refuses writes (/proc/version), a pipe whose reader
    went away. The message names the path and the system's reason. Exit code 1."""


class MailError(BriefingError):
    """Raised when a briefing cannot be mailed: the SMTP server cannot be reached, refuses the
    login, the sender or a recipient, or TLS fails. The message never holds the password.
    Exit code 1."""
