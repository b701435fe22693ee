"""A submitted file as it arrived: its name and its bytes, read once, so that what is checked, hashed and
written is the same file. A path is opened as the literal name it is (never a wildcard pattern)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from kpi.ingest.limits import Limits
from kpi.text import visible


class SourceTooLarge(ValueError):
    """The file is larger than `Limits.max_file_bytes`; `size` is its size in bytes."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes > {limit}")
        self.size = size
        self.limit = limit


@dataclass(frozen=True)
class Source:
    """A file's display name and bytes; `digest` is its SHA-256 (hex)."""

    name: str
    data: bytes = field(repr=False)

    def __post_init__(self) -> None:
        # The name is shown in the history, the audit and a terminal: control characters (an escape sequence
        # that recolours or clears the screen) and invisible ones are written out as ⟨U+001B⟩.
        object.__setattr__(self, "name", visible(self.name))

    @property
    def digest(self) -> str:
        """SHA-256 of the bytes, hex."""
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)

    @classmethod
    def from_path(cls, path: str | Path, limits: Limits) -> Source:
        """Read the file at `path` (taken literally); raises SourceTooLarge before reading a file over the limit,
        OSError when it cannot be read."""
        path = Path(path)
        with open(os.fspath(path), "rb") as handle:  # noqa: PTH123 - the literal name, no globbing anywhere
            size = os.fstat(handle.fileno()).st_size
            if size > limits.max_file_bytes:
                raise SourceTooLarge(size, limits.max_file_bytes)
            data = handle.read(limits.max_file_bytes + 1)  # a file growing while read is bounded too
        if len(data) > limits.max_file_bytes:
            raise SourceTooLarge(len(data), limits.max_file_bytes)
        return cls(path.name, data)
