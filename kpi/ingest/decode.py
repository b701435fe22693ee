"""Decide a CSV file's encoding and hand on its text as UTF-8 bytes.

Accepted: UTF-8 with or without BOM, UTF-16 (Excel's "Unicode Text"), and Windows-1258 (Excel's plain CSV on
Vietnamese Windows, normalised to NFC because it writes tone marks as separate characters). A file must be one
encoding throughout: a file with UTF-8 letters in one place and bytes UTF-8 cannot read in another (a line pasted
from another file) is refused with the lines, never decoded whole as Windows-1258. UTF-7, which looks like plain
ASCII, is recognised and refused so that its notes are not stored undecoded.
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from dataclasses import dataclass

from kpi.problems import Problem

# A well-formed UTF-8 sequence of two to four bytes: Windows-1258 text practically never contains one.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_UTF7_BOM = (b"+/v8", b"+/v9", b"+/v+", b"+/v/")
_UTF7_RUN = re.compile(rb"\+[A-Za-z0-9/]{2,}[A-Za-z0-9+/]*-?")


SEPARATORS = (",", ";", "\t")


def detect_separator(header_line: str) -> str:
    """The separator the header line uses most among `,` `;` and tab (`,` when none)."""
    counts = {sep: header_line.count(sep) for sep in SEPARATORS}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


@dataclass(frozen=True)
class Decoded:
    """The file as UTF-8 bytes (no BOM) and the encoding it arrived in (`utf-8`, `utf-8-sig`, `utf-16`,
    `windows-1258`)."""

    utf8: bytes
    encoding: str


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when NULs sit at every other byte of `head` as UTF-16 ASCII text has them."""
    if len(head) < 4:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    if odd > 0.9 * half and even < 0.1 * half:
        return "utf-16-le"
    if even > 0.9 * half and odd < 0.1 * half:
        return "utf-16-be"
    return None


_VIETNAMESE_BASES = frozenset("aăâeêioôơuưyđAĂÂEÊIOÔƠUƯYĐ")


def _vietnamese_letter(ch: str) -> bool:
    """True for a letter Vietnamese writes beyond ASCII (ú, ệ, đ, ơ …), the only kind a UTF-7 run in a
    Vietnamese file encodes."""
    base = unicodedata.normalize("NFD", ch)[0]
    return ord(ch) > 127 and (base in _VIETNAMESE_BASES or ch in "đĐ") and base.isalpha()


def _looks_utf7(data: bytes) -> int | None:
    """The line of the first UTF-7 shifted run when `data` (pure ASCII) reads as UTF-7 Vietnamese, else None.
    One run is enough when it decodes to Vietnamese letters only (`Ghi ch+APo-` is `Ghi chú`); ASCII text such
    as a phone number `+84-…` never does."""
    if data.startswith(_UTF7_BOM):
        return 1
    for match in _UTF7_RUN.finditer(data):
        try:
            text = match.group().decode("utf-7")
        except UnicodeDecodeError:
            continue
        if text and all(_vietnamese_letter(ch) for ch in text):
            return _line_at(data, match.start())
    return None


def decode(data: bytes) -> Decoded | Problem:
    """The text of a CSV file's `data` as UTF-8, or the Problem that says why it cannot be read."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict_utf8(data[len(codecs.BOM_UTF8):], "utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _transcode(data, "utf-16")
    if b"\x00" in data:
        wide = _utf16_without_bom(data[:4096])
        if wide:
            return _transcode(data, wide)
        return _nul_problem(data)  # a NUL byte anywhere: a binary file, not text
    if data.isascii():
        line = _looks_utf7(data)
        if line is not None:
            return Problem("utf7", line=line)
        return Decoded(data, "utf-8")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_letter = _UTF8_MULTIBYTE.search(data)
        if utf8_letter is not None:
            return Problem("mixed_encoding", line=_line_at(data, exc.start),
                           params={"utf8_line": _line_at(data, utf8_letter.start())})
        try:
            text = data.decode("cp1258")
        except UnicodeDecodeError as bad:  # a byte Windows-1258 leaves undefined: neither encoding fits
            return Problem("mixed_encoding", line=_line_at(data, bad.start), params={"utf8_line": None})
        return Decoded(unicodedata.normalize("NFC", text).encode("utf-8"), "windows-1258")
    return Decoded(data, "utf-8")


def _nul_problem(data: bytes) -> Problem:
    """`not_text` for the first NUL byte of `data`, with its line and, when the first line reads as a header of
    UTF-8 text, the column it falls in (a NUL pasted into one cell of a text file is found where it is)."""
    at = data.index(b"\x00")
    line_start = data.rfind(b"\n", 0, at) + 1
    header_end = data.find(b"\n")
    column = None
    try:
        header = data[:len(data) if header_end < 0 else header_end].decode("utf-8").rstrip("\r")
        before = data[line_start:at].decode("utf-8", errors="replace")
    except UnicodeDecodeError:  # not text at all: the line is all there is to say
        header = before = ""
    if header:
        separator = detect_separator(header)
        names = next(csv.reader([header], delimiter=separator), [])
        # The cells of the line up to the NUL: the last of them is the one the NUL is in.
        index = len(next(csv.reader([before], delimiter=separator), [""])) - 1
        column = names[index].strip() if index < len(names) else None
    return Problem("not_text", line=_line_at(data, at), column=column or None, params={"detail": "NUL"})


def _strict_utf8(data: bytes, encoding: str) -> Decoded | Problem:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Problem("mixed_encoding", line=_line_at(data, exc.start), params={"utf8_line": 1})
    return Decoded(data, encoding)


def _transcode(data: bytes, codec: str) -> Decoded | Problem:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        # Lines of UTF-16 text are counted in its own units: a newline is two bytes.
        return Problem("not_text", line=data[: exc.start].decode(codec, errors="replace").count("\n") + 1,
                       params={"detail": "UTF-16"})
    if "\x00" in text:
        return Problem("not_text", line=text[: text.index("\x00")].count("\n") + 1, params={"detail": "NUL"})
    return Decoded(text.lstrip("\ufeff").encode("utf-8"), "utf-16")
