"""The answers of `kpi.spans` for the units a page shows, chosen inside the database (`kpi.spans_sql`): the
queries are built once per shape and kept, run on the caller's connection, and their rows shaped as
`kpi.spans.best_figures` shapes its own, so `kpi.evaluate` cannot tell the engines apart."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kpi.catalogue import plan_digest, stored_digest
from kpi.plan import Plan
from kpi.spans import BEST_COLUMNS, Spans, in_plan_order
from kpi.spans_sql import answers_query
from kpi.store import (
    compile_for_duckdb,
    current_figures,
    current_figures_query,
    read_frame,
    submissions,
    unit_ancestors,
    uploads,
)

#: Built queries, most recently used last: building and compiling one takes longer than DuckDB takes to run it on
#: a department's figures, and a page asks the same few questions again after every upload.
_STATEMENTS: OrderedDict[tuple, tuple[Plan, sa.Select, tuple[str, list | dict] | None]] = OrderedDict()
_STATEMENTS_KEPT = 64
_STATEMENTS_LOCK = threading.Lock()  # the app's sessions run in threads


def _statement(conn: Connection, plan: Plan, spans: Sequence[tuple[int, int]], units: Sequence[str] | None,
               levels: tuple[int, ...], indicators: Sequence[str] | None = None,
               ) -> tuple[sa.Select, tuple[str, list | dict] | None]:
    """The query for these spans, units and indicators and, on DuckDB, its compiled form; cached. The key holds
    the plan's identity and the entry the plan itself, so the identity cannot pass to another plan while the entry
    lives."""
    key = (id(plan), tuple(spans), None if units is None else tuple(units), levels,
           None if indicators is None else tuple(indicators), conn.dialect.name)
    with _STATEMENTS_LOCK:
        if key in _STATEMENTS:
            _STATEMENTS.move_to_end(key)
            return _STATEMENTS[key][1:]
    query = answers_query(plan, spans, units, levels, indicators)
    compiled = compile_for_duckdb(conn, query) if conn.dialect.name == "duckdb" else None
    with _STATEMENTS_LOCK:
        _STATEMENTS[key] = (plan, query, compiled)
        while len(_STATEMENTS) > _STATEMENTS_KEPT:
            _STATEMENTS.popitem(last=False)
    return query, compiled


def roll_up_levels(conn: Connection, plan: Plan, units: Sequence[str] | None) -> tuple[int, ...]:
    """The depths whose parents may need a roll-up for `units` (None: every unit), deepest first: from just above
    the deepest unit of the plan's tree up to the shallowest unit asked for (a commune needs none)."""
    tree = unit_ancestors
    deepest = conn.execute(sa.select(sa.func.max(tree.c.distance)).where(tree.c.plan_year == plan.year)).scalar()
    shallowest = 0
    if units is not None:
        depths = (sa.select(sa.func.max(tree.c.distance).label("depth"))
                  .where(tree.c.plan_year == plan.year, tree.c.unit_code.in_(list(units)))
                  .group_by(tree.c.unit_code).subquery())
        shallowest = conn.execute(sa.select(sa.func.min(depths.c.depth))).scalar()
    if deepest is None or shallowest is None:
        return ()
    return tuple(range(int(deepest) - 1, int(shallowest) - 1, -1))


class StoreSpans:
    """The answers `kpi.spans.Spans` gives, worked out inside the database for `units` (None: every unit).

    `best(year, through)` returns `BEST_COLUMNS` rows for those units only (and of `indicators` only, where
    given); spans named in `prefetch` are fetched together in one query. `sent_quarters` and `reported_pairs`
    answer the two other questions the evaluation asks of the figures."""

    def __init__(self, conn: Connection, plan: Plan, units: Sequence[str] | None = None,
                 spans: Iterable[tuple[int, int]] = (), indicators: Sequence[str] | None = None) -> None:
        self.conn = conn
        self.plan = plan
        self.units = list(dict.fromkeys(units)) if units is not None else None
        self.indicators = ([i.code for i in plan.indicators if i.code in set(indicators)]
                           if indicators is not None else None)
        self._best: dict[tuple[int, int], pd.DataFrame] = {}
        self._levels: tuple[int, ...] | None = None
        # The query reads the tree and the reporters from the catalogue. When it holds another version of this
        # plan (a server started before new plan files were synced, or one started with older files), the pandas
        # reference answers instead, from this plan alone: slower, but a roll-up never mixes two plans.
        self._reference: Spans | None = None
        if stored_digest(conn, plan.year) != plan_digest(plan):
            self._reference = Spans(plan, current_figures(conn, [plan.baseline_year, plan.year]))
        self.prefetch(spans)

    @property
    def in_database(self) -> bool:
        """True when the answers come from the database's query; False when the pandas reference stands in."""
        return self._reference is None

    def _mine(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.units is not None:
            frame = frame[frame["unit"].isin(self.units)]
        if self.indicators is not None:
            frame = frame[frame["indicator"].isin(self.indicators)]
        return frame.reset_index(drop=True)

    def prefetch(self, spans: Iterable[tuple[int, int]]) -> None:
        """Fetch every span of `spans` not fetched yet, in one query."""
        wanted = [span for span in dict.fromkeys(spans) if span not in self._best]
        if not wanted:
            return
        if self._reference is not None:
            self._best.update({span: self._mine(self._reference.best(*span)) for span in wanted})
            return
        if self.indicators == []:  # none of the plan's: nothing to ask (and no empty VALUES list to send)
            self._best.update({span: pd.DataFrame(columns=BEST_COLUMNS) for span in wanted})
            return
        if self._levels is None:
            self._levels = roll_up_levels(self.conn, self.plan, self.units)
        query, compiled = _statement(self.conn, self.plan, wanted, self.units, self._levels, self.indicators)
        if self.conn.dialect.name == "postgresql":
            # For this transaction only: PostgreSQL's row estimates for CTEs joined on three keys fall to 1 and it
            # would nest loops over them (minutes for 20,000 units), and its JIT would compile a query of a few
            # hundred operators for seconds. Hash joins and no JIT suit an analytic query.
            self.conn.execute(sa.text("SET LOCAL enable_nestloop = off"))
            self.conn.execute(sa.text("SET LOCAL jit = off"))
        frame = read_frame(self.conn, query, compiled)
        for sid, (year, through) in enumerate(wanted):
            self._best[(year, through)] = self._shaped(frame[frame["sid"] == sid], year)

    def _shaped(self, rows: pd.DataFrame, year: int) -> pd.DataFrame:
        def reports(text: object) -> list[tuple[str, str]]:
            if not isinstance(text, str) or not text:
                return []
            pairs = (item.split(":") for item in text.split(","))
            return in_plan_order(((unit, f"{year}-Q{q}" if q != "0" else f"{year}") for unit, q in pairs), self.plan)

        shaped = rows.assign(missing=[reports(text) for text in rows["missing"]])
        shaped = shaped.assign(estimate=shaped["estimate"].astype(bool), complete=shaped["complete"].astype(bool),
                               value=shaped["value"].astype("float64"), as_of=shaped["as_of"].astype("int64"))
        shaped["qualifier"] = shaped["qualifier"].astype(object).where(shaped["qualifier"].notna(), None)
        return shaped[BEST_COLUMNS].reset_index(drop=True)

    def best(self, year: int, through: int) -> pd.DataFrame:
        """The answer per unit × indicator for the span (see `kpi.spans.best_figures`), for `units` only."""
        self.prefetch([(year, through)])
        return self._best[(year, through)]

    def _live(self, year: int) -> sa.Select:
        query = (sa.select(submissions.c.unit_code.label("unit"), submissions.c.indicator_code.label("indicator"))
                 .join(uploads, uploads.c.id == submissions.c.upload_id)
                 .where(uploads.c.undone_at.is_(None), submissions.c.year == year))
        if self.units is not None:
            query = query.where(submissions.c.unit_code.in_(self.units))
        if self.indicators is not None:
            query = query.where(submissions.c.indicator_code.in_(self.indicators))
        return query

    def reported_pairs(self, year: int) -> pd.DataFrame:
        """unit × indicator pairs of `units` with a current figure in `year`."""
        if self._reference is not None:
            return self._mine(self._reference.reported_pairs(year))
        return read_frame(self.conn, self._live(year).distinct())

    def sent_quarters(self, year: int, quarter: int) -> pd.DataFrame:
        """unit, indicator, value: the current figure sent for `quarter` of `year` on its own (not cumulative)."""
        if self._reference is not None:
            return self._mine(self._reference.sent_quarters(year, quarter))
        query = current_figures_query([year], self.units, self.indicators)
        sub = query.subquery()
        frame = read_frame(self.conn, sa.select(sub.c.unit, sub.c.indicator, sub.c.value)
                           .where(sub.c.period == f"{year}-Q{quarter}"))
        return frame.astype({"value": "float64"})
