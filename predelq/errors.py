"""Errors the CLI prints as one clear line instead of a traceback."""


class UserError(Exception):
    """Bad input or configuration: the message says what is wrong and what to do."""
