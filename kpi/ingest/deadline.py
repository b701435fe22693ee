"""A wall-clock budget for checking one file: Python steps ask `check()`, and DuckDB statements are interrupted
from a timer, so no file can hold a server thread longer than `Limits.max_check_seconds`."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb


class TimeLimit(Exception):
    """The check ran out of its time budget."""


class Deadline:
    """`seconds` from now."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def check(self) -> None:
        """Raise TimeLimit when the budget is spent."""
        if time.monotonic() > self.ends:
            raise TimeLimit

    @contextmanager
    def watch(self, con: duckdb.DuckDBPyConnection) -> Iterator[None]:
        """Interrupt `con`'s running statement when the budget runs out; InterruptException becomes TimeLimit."""
        timer = threading.Timer(max(0.0, self.ends - time.monotonic()), con.interrupt)
        timer.daemon = True
        timer.start()
        try:
            yield
        except duckdb.InterruptException as exc:
            raise TimeLimit from exc
        finally:
            timer.cancel()
