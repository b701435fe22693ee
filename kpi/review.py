"""Tables for people about uploads and approvals: problems, warnings, changes, history, recent uploads,
approvals — labelled in vi or en, with names where the file has codes and times in Vietnam time."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from kpi.fmt import format_figure, format_number, format_time
from kpi.i18n import t
from kpi.ingest import Checked
from kpi.periods import period_label
from kpi.plan import Plan
from kpi.problems import Problem

#: Warnings whose value is a unit code the registry knows: named in the reason. A refusal quotes the cell as the file
#: wrote it (“KT”), which is what the analyst corrects.
_UNIT_VALUE = frozenset({"unusual_reporter"})
_SIZE_UNITS = ("B", "KB", "MB", "GB")


def format_size(n_bytes: int, lang: str = "vi") -> str:
    """`n_bytes` for people in decimal units, as `kpi.ingest.limits.Limits` counts them (1 KB = 1 000 B), in the
    language's number format: `162 B`, `1,2 MB` (vi), `1.2 MB` (en)."""
    size, unit = float(n_bytes), 0
    # Promoted on the rounded figure: 999 960 B is "1 MB", never "1.000 KB".
    while unit < len(_SIZE_UNITS) - 1 and round(size, 1 if unit else 0) >= 1000:
        size, unit = size / 1000, unit + 1
    return f"{format_number(size, lang, 1 if unit else 0)} {_SIZE_UNITS[unit]}"


def _name(plan: Plan | None, what: str, code: object, lang: str) -> str:
    """The name of unit or indicator (`what`) `code` in `plan`; the code itself when there is no plan or the plan
    does not know it."""
    if plan is not None:
        try:
            return getattr(plan, what)(str(code)).name(lang)
        except KeyError:
            pass
    return str(code)


def unit_name(plan: Plan | None, code: object, lang: str = "vi") -> str:
    """The unit's name in `plan`, or its code (see `_name`)."""
    return _name(plan, "unit", code, lang)


def indicator_name(plan: Plan | None, code: object, lang: str = "vi") -> str:
    """The indicator's name in `plan`, or its code (see `_name`)."""
    return _name(plan, "indicator", code, lang)


def _named(problem: Problem, plan: Plan | None, lang: str) -> Problem:
    """`problem` with the unit and indicator codes of its reason replaced by their names (the file's cell, shown in
    the value column, stays as written)."""
    params = dict(problem.params)
    for key, name in (("unit", unit_name), ("indicator", indicator_name)):
        if params.get(key) is not None:
            params[key] = name(plan, params[key], lang)
    value = unit_name(plan, problem.value, lang) if problem.code in _UNIT_VALUE and problem.value else problem.value
    return replace(problem, params=params, value=value)


def problems_table(problems: list[Problem], lang: str = "vi", plan: Plan | None = None) -> pd.DataFrame:
    """Line, column, value and reason of each problem; the reason names the units and indicators `plan` knows."""
    return pd.DataFrame(
        # A whole-file problem or a whole-row one has no column or value: shown blank, never "None".
        [{t("col.line", lang): p.line, t("col.column", lang): p.column or "", t("col.value", lang): p.value or "",
          t("col.reason", lang): _named(p, plan, lang).reason(lang)} for p in problems],
        columns=[t("col.line", lang), t("col.column", lang), t("col.value", lang), t("col.reason", lang)],
    )


def _marked(text: str, estimate: object, lang: str) -> str:
    """`text` with "(ước)" after it when the figure is an estimate (`estimate` true; False or missing: official)."""
    return f"{text} {t('estimate.mark', lang)}" if pd.notna(estimate) and bool(estimate) and text != "—" else text


def changes_table(result: Checked, lang: str = "vi", limit: int | None = None,
                  plan: Plan | None = None) -> pd.DataFrame:
    """The figures an upload would write (new or revised), with the value each replaces; the first `limit`. Units
    and indicators by their names in `plan`, periods as people say them (Quý IV/2024), and the file's codes last. An
    estimate's value carries "(ước)", so an official figure replacing an estimate of the same value shows why it is
    a revision."""
    shown = result.changes_frame()
    if shown.empty:
        return pd.DataFrame()
    if limit is not None:
        shown = shown.head(limit)
    previous = [_marked(format_figure(v, None, lang, 4), e, lang)
                for v, e in zip(shown["previous_value"], shown["previous_estimate"])]
    values = [_marked(format_figure(v, q, lang, 4), e, lang)
              for v, q, e in zip(shown["value"], shown["qualifier"], shown["estimate"])]
    return pd.DataFrame({
        t("col.line", lang): shown["line"],
        t("col.unit", lang): [unit_name(plan, u, lang) for u in shown["unit"]],
        t("col.indicator", lang): [indicator_name(plan, i, lang) for i in shown["indicator"]],
        t("col.period", lang): [period_label(p, lang) for p in shown["period"]],
        t("upload.previous", lang): previous,
        t("col.value", lang): values,
        t("upload.change", lang): [t(f"upload.{c}", lang) for c in shown["change"]],
        # The codes the analyst typed, to find the line in their file.
        t("upload.col.codes", lang): [f"{u} · {i}" for u, i in zip(shown["unit"], shown["indicator"])],
    })


def uploads_table(uploads: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Recent uploads: id, file, who, when (Vietnam time), counts and whether it is in effect or undone."""
    return pd.DataFrame({
        t("col.upload", lang): uploads["id"],
        t("col.file", lang): uploads["file_name"],
        t("col.by", lang): uploads["created_by"],
        t("upload.col.when", lang): [format_time(v) for v in uploads["created_at"]],
        t("upload.new", lang): uploads["n_new"],
        t("upload.revised", lang): uploads["n_revised"],
        t("upload.unchanged", lang): uploads["n_unchanged"],
        t("col.state", lang): [t("state.undone" if pd.notna(u) else "state.loaded", lang)
                               for u in uploads["undone_at"]],
    })


def history_table(revisions: pd.DataFrame, lang: str = "vi", plan: Plan | None = None) -> pd.DataFrame:
    """Every revision of the chosen figures: unit and indicator (names in `plan`), period, value ("(ước)" after an
    estimate), note (blank when none), upload, file, who, when (Vietnam time) and state."""
    return pd.DataFrame({
        t("col.unit", lang): [unit_name(plan, u, lang) for u in revisions["unit"]],
        t("col.indicator", lang): [indicator_name(plan, i, lang) for i in revisions["indicator"]],
        t("col.period", lang): [period_label(p, lang) for p in revisions["period"]],
        t("col.value", lang): [_marked(format_figure(v, q, lang, 4), e, lang)
                               for v, q, e in zip(revisions["value"], revisions["qualifier"], revisions["estimate"])],
        t("col.note", lang): revisions["note"].fillna(""),
        t("col.upload", lang): revisions["upload_id"],
        t("col.file", lang): revisions["file_name"],
        t("col.by", lang): revisions["created_by"],
        t("upload.col.when", lang): [format_time(v) for v in revisions["created_at"]],
        t("col.state", lang): [t(f"state.{s}", lang) for s in revisions["state"]],
    })


def _lock_scope(unit: object, with_children: bool, plan: Plan, lang: str) -> str:
    if unit is None or pd.isna(unit):
        return t("approvals.scope.all", lang)
    name = unit_name(plan, unit, lang)
    return f"{name} ({t('approvals.scope.subtree', lang).lower()})" if with_children else name


def approvals_table(locks: pd.DataFrame, plan: Plan, lang: str = "vi") -> pd.DataFrame:
    """Approvals (`kpi.approval.locks_frame`) for people: number, state (locked or reopened), quarter, scope,
    who approved and when, who reopened, when and why; times in Vietnam time."""
    return pd.DataFrame({
        "#": locks["id"],
        t("col.state", lang): [t("approvals.active" if a else "approvals.reopened_state", lang)
                               for a in locks["active"]],
        t("approvals.period", lang): [period_label(p, lang) for p in locks["period"]],
        t("col.scope", lang): [_lock_scope(u, bool(c), plan, lang)
                               for u, c in zip(locks["unit"], locks["with_children"])],
        t("col.approved_by", lang): locks["approved_by"],
        t("col.approved_at", lang): [format_time(v) for v in locks["approved_at"]],
        t("col.reopened_by", lang): locks["reopened_by"].fillna(""),
        t("col.reopened_at", lang): [format_time(v) if pd.notna(v) else "" for v in locks["reopened_at"]],
        t("col.reason", lang): locks["reopen_reason"].fillna(""),
    })
