"""Errors that the command line turns into a one-line message and an exit status."""


class InputError(Exception):
    """A user mistake (bad file, bad option value): one sentence, exit status 2.

    The message names the file and, where it helps, the record or line, and what is wrong.
    """
