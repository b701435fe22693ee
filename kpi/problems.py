"""Problems found in a submitted file: where (file line, column), what value, and why, in vi or en."""

from __future__ import annotations

from dataclasses import dataclass, field

from kpi.fmt import format_number
from kpi.i18n import t
from kpi.periods import period_label
from kpi.text import visible

_COUNTS = ("n", "limit")  # counts and limits read best with thousands separators (1.700.000)
#: Figures from the file or the store, shown with every decimal they have (1,151 is not 1,15), in the reader's
#: format: a dot-decimal file's 1.151 would read as 1151 to a Vietnamese reader.
_FIGURES = ("number", "figure", "other", "previous")


@dataclass(frozen=True)
class Problem:
    """One problem: `line` is the file's line (header = 1), None for the whole file; `column` as the file names it."""

    code: str
    line: int | None = None
    column: str | None = None
    value: str | None = None
    params: dict[str, object] = field(default_factory=dict)
    blocking: bool = True

    def reason(self, lang: str = "vi") -> str:
        """Why the figure or file is refused (or warned about), in `lang`."""
        # Numbers in a message follow the reader's language (139.807,75 in Vietnamese).
        params = {k: format_number(v, lang, 6 if k in _FIGURES else 2) if isinstance(v, float)
                  else format_number(v, lang, 0) if k in _COUNTS and isinstance(v, int) else v
                  for k, v in self.params.items()}
        if "utf8_line" in params:  # a mixed file: where the UTF-8 text is, when known
            line = params.pop("utf8_line")
            params["utf8_hint"] = t("problem.utf8_hint", lang, line=line) if line else ""
        if "suggestion" in params:  # unknown codes: "did you mean …?" in the reader's language
            suggestion = params.pop("suggestion")
            params["hint"] = t("problem.hint", lang, suggestion=suggestion) if suggestion else ""
        if "decimal" in params:  # the file's decimal mark in the reader's words, with an example they recognise
            params["decimal_example"] = "63,7" if params["decimal"] == "comma" else "63.7"
            params["decimal"] = t(f"decimal.{params['decimal']}", lang)
        if "damage" in params:  # how a workbook is damaged, in the reader's words
            params["damage"] = t(f"problem.damage_{params['damage']}", lang)
        if "period" in params:  # period codes as the reader says them: `Năm 2024`, `Quý I/2024 + Quý II/2024`
            params["period"] = period_label(str(params["period"]), lang)
        if "parts" in params:
            parts = [period_label(code, lang) for code in params["parts"]]
            params["parts"] = t("problem.parts_sum" if len(parts) > 1 else "problem.parts_one", lang,
                                parts=" + ".join(parts))
        if "quarters" in params:  # (period code, value) pairs: `Quý I/2024: 700.000; Quý II/2024: 1.445.000`
            params["quarters"] = "; ".join(f"{period_label(code, lang)}: {format_number(value, lang, 2)}"
                                           for code, value in params["quarters"])
        shown = visible(self.value) if isinstance(self.value, str) else self.value
        return t(f"problem.{self.code}", lang, value=shown, column=self.column, **params)

    def describe(self, lang: str = "vi") -> str:
        """`dòng 4, cột Giá trị: <reason>` — the whole problem on one line."""
        where = []
        if self.line is not None:
            where.append(t("problem.line", lang, line=self.line))
        if self.column is not None:
            where.append(t("problem.column", lang, column=visible(self.column)))
        prefix = ", ".join(where)
        return f"{prefix}: {self.reason(lang)}" if prefix else self.reason(lang)

    def as_row(self, lang: str = "vi") -> dict[str, object]:
        """The problem as a table row: line, column, value, reason."""
        return {"line": self.line, "column": self.column, "value": self.value, "reason": self.reason(lang)}
