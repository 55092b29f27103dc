"""Errors that the command line turns into a one-line message and an exit status."""


class InputError(Exception):
    """A user mistake (bad file, bad option value): one sentence, exit status 2.

    The message names the file and, where it helps, the record or line, and what is wrong.
    """


class OutputError(InputError):
    """The output cannot be written (full disk, quota, I/O error, read-only place): exit status 2.

    The command line leaves with os._exit after printing it: a library such as HDF5 that failed
    mid-write may otherwise crash or print tracebacks while the interpreter shuts down.
    """
