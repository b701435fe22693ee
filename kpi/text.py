"""Text helpers shared by header and period matching."""

from __future__ import annotations

import unicodedata
from functools import cache

BMP_END = 0x10000


@cache
def _marks() -> dict[int, int | None]:
    # The combining marks (category Mn) of the Basic Multilingual Plane as a translate table that deletes them: one
    # C-level pass per text instead of a Python loop over its characters (a registry of 20,000 names is keyed in a
    # blink). đ and Đ have no decomposition: they are mapped here.
    marks: dict[int, int | None] = {cp: None for cp in range(BMP_END) if unicodedata.category(chr(cp)) == "Mn"}
    return marks | {ord("đ"): ord("d"), ord("Đ"): ord("D")}


def strip_diacritics(text: str) -> str:
    """`text` without Vietnamese diacritics (`Mã đơn vị` → `Ma don vi`), and without any other combining mark;
    đ/Đ become d/D."""
    text = unicodedata.normalize("NFD", text).translate(_marks())
    if text.isascii() or max(text) < chr(BMP_END):
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")  # marks beyond the BMP: rare scripts


#: Characters that show as nothing or as a plain space: controls, format characters (zero-width space, bidi
#: marks), line and paragraph separators, and every space but the ordinary one (NBSP, thin space).
_HIDDEN = {"Cc", "Cf", "Zl", "Zp"}


def visible(text: str) -> str:
    """`text` with each character that would not show (or would show as an ordinary space) written as `⟨U+200B⟩`:
    a message that echoes a cell must show why “TPKT” is not TPKT."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(f"⟨U+{ord(ch):04X}⟩" if unicodedata.category(ch) in _HIDDEN
                   or (unicodedata.category(ch) == "Zs" and ch != " ") else ch for ch in text)
