"""The one error the benchmark raises for a setup it cannot run: its message says what to do."""


class BenchError(Exception):
    """The benchmark cannot run as asked; the message is printed and the run exits with 2."""
