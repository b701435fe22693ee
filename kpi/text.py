"""Text helpers shared by header and period matching."""

from __future__ import annotations

import unicodedata


def strip_diacritics(text: str) -> str:
    """`text` without Vietnamese diacritics (`Mã đơn vị` → `Ma don vi`); đ/Đ become d/D."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
