"""Tables for people about uploads and approvals: problems, warnings, changes, history, recent uploads,
approvals — labelled in vi or en."""

from __future__ import annotations

import pandas as pd

from kpi.fmt import format_figure, format_time
from kpi.i18n import t
from kpi.ingest import Checked
from kpi.periods import period_label
from kpi.plan import Plan
from kpi.problems import Problem


def problems_table(problems: list[Problem], lang: str = "vi") -> pd.DataFrame:
    """Line, column, value and reason of each problem."""
    return pd.DataFrame(
        # A whole-file problem or a whole-row one has no column or value: shown blank, never "None".
        [{t("col.line", lang): p.line, t("col.column", lang): p.column or "", t("col.value", lang): p.value or "",
          t("col.reason", lang): p.reason(lang)} for p in problems],
        columns=[t("col.line", lang), t("col.column", lang), t("col.value", lang), t("col.reason", lang)],
    )


def _marked(text: str, estimate: object, lang: str) -> str:
    """`text` with "(ước)" after it when the figure is an estimate (`estimate` true; False or missing: official)."""
    return f"{text} {t('estimate.mark', lang)}" if pd.notna(estimate) and bool(estimate) and text != "—" else text


def changes_table(result: Checked, lang: str = "vi", limit: int | None = None) -> pd.DataFrame:
    """The figures an upload would write (new or revised), with the value each replaces; the first `limit`. An
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
        t("col.unit", lang): shown["unit"],
        t("col.indicator", lang): shown["indicator"],
        t("col.period", lang): shown["period"],
        t("upload.previous", lang): previous,
        t("col.value", lang): values,
        t("upload.change", lang): [t(f"upload.{c}", lang) for c in shown["change"]],
    })


def uploads_table(uploads: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Recent uploads: id, file, who, when, counts and whether it is in effect or undone."""
    return pd.DataFrame({
        t("col.upload", lang): uploads["id"],
        t("col.file", lang): uploads["file_name"],
        t("col.by", lang): uploads["created_by"],
        t("col.when", lang): uploads["created_at"].dt.strftime("%d/%m/%Y %H:%M"),
        t("upload.new", lang): uploads["n_new"],
        t("upload.revised", lang): uploads["n_revised"],
        t("upload.unchanged", lang): uploads["n_unchanged"],
        t("col.state", lang): [t("state.undone" if pd.notna(u) else "state.loaded", lang)
                               for u in uploads["undone_at"]],
    })


def history_table(revisions: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Every revision of the chosen figures: period, value ("(ước)" after an estimate), note, upload, file, who,
    when and state."""
    return pd.DataFrame({
        t("col.unit", lang): revisions["unit"],
        t("col.indicator", lang): revisions["indicator"],
        t("col.period", lang): revisions["period"],
        t("col.value", lang): [_marked(format_figure(v, q, lang, 4), e, lang)
                               for v, q, e in zip(revisions["value"], revisions["qualifier"], revisions["estimate"])],
        t("col.note", lang): revisions["note"],
        t("col.upload", lang): revisions["upload_id"],
        t("col.file", lang): revisions["file_name"],
        t("col.by", lang): revisions["created_by"],
        t("col.when", lang): revisions["created_at"].dt.strftime("%d/%m/%Y %H:%M"),
        t("col.state", lang): [t(f"state.{s}", lang) for s in revisions["state"]],
    })


def _lock_scope(unit: object, with_children: bool, plan: Plan, lang: str) -> str:
    if unit is None or pd.isna(unit):
        return t("approvals.scope.all", lang)
    try:
        name = plan.unit(str(unit)).name(lang)
    except KeyError:
        name = str(unit)
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
