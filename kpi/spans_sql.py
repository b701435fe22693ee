"""The precedence rule of `kpi.spans` ("which figure counts"), run inside the database.

`kpi.spans` works it out in pandas over every current figure; this module asks the same question as one SQL query
(SQLAlchemy Core, so the same code runs on DuckDB and PostgreSQL) for the units a page shows and returns one row per
unit × indicator × span. The figures of those units' subtrees are read inside the database (roll-ups need them);
only the answers leave it. Judging the answers against the targets stays in `kpi.evaluate`, which works on those
rows whichever engine chose them, so the status rules are written once. `kpi.spans` is kept as the reference: the
differential test (tests/test_differential.py) runs both on generated cases and requires the same answers.

The query, step by step, for each span asked for (`spans`: an id, a year, the last quarter):
1. `cur`: the current revision of every figure of the spans' years, for the subtrees asked for only.
2. `fig`, `slots`: each figure within each span, pivoted by one GROUP BY into its slot (the last quarter it covers,
   cumulative or not): a unit sends one figure per period, so seven slots hold all of a span's figures, for
   official figures (`o_`) and all figures (`a_`) side by side. No window function: sorting a million rows by
   unit and indicator cost seconds.
3. `anchored`, `after`, `answers`: each unit's own answer from its slots. A flow takes the latest cumulative figure
   (the anchor) plus the quarter figures after it; a level the figure ending last (cumulative first). `gaps` holds
   the quarters the span lacks as bits (Q1 = 1, Q2 = 2, Q3 = 4, Q4 = 8).
4. `best0`: official where it covers the span, else what estimates make of it; `miss0`: the reports its gaps
   stand for.
5. One group of CTEs per depth of the tree that the units asked for need, deepest parents first: each parent's
   roll-up of its children's best answers, chosen where the parent has no own answer, only the roll-up is
   complete, or the own answer is an estimate and the roll-up complete and official (`best<n>`, `miss<n>`).
6. One row per unit × indicator × span of the units asked for, its missing reports as `unit:quarter` text.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from kpi.plan import Plan
from kpi.spans import sent_by_quarter
from kpi.store import (
    current_figures_query,
    indicator_reporters,
    unit_ancestors,
    unit_groups,
)

_KEY = ("sid", "unit", "indicator")
_BEST = ("sid", "unit", "indicator", "value", "qualifier", "estimate", "complete", "as_of", "source")


def _pow2(exponent: sa.ColumnElement) -> sa.ColumnElement:
    """2 ** `exponent` for 0–4, as a CASE (no integer power or shift that every dialect spells alike)."""
    return sa.case({0: 1, 1: 2, 2: 4, 3: 8, 4: 16}, value=exponent, else_=0)


def _spec(plan: Plan, indicators: Sequence[str] | None) -> sa.Values:
    """The plan's indicators (of `indicators` where given) as a VALUES list: code, is_flow (1/0), rollup method,
    quarterly (1/0). Every step joins it, so an indicator left out of it is never read or rolled up."""
    quarterly = sent_by_quarter(plan)
    chosen = [i for i in plan.indicators if indicators is None or i.code in indicators]
    return sa.values(
        sa.column("indicator", sa.String), sa.column("is_flow", sa.Integer), sa.column("method", sa.String),
        sa.column("quarterly", sa.Integer), name="spec",
    ).data([(i.code, int(i.flow == "flow"), i.rollup, int(quarterly[i.code])) for i in chosen])


def _spans(spans: Sequence[tuple[int, int]]) -> sa.Values:
    return sa.values(sa.column("sid", sa.Integer), sa.column("year", sa.Integer), sa.column("through", sa.Integer),
                     name="spans").data([(n, year, through) for n, (year, through) in enumerate(spans)])


def _quarters() -> sa.Values:
    return sa.values(sa.column("q", sa.Integer), name="quarters").data([(1,), (2,), (3,), (4,)])


def subtree(plan: Plan, units: Sequence[str]) -> sa.Select:
    """The codes of `units` and every unit below them in the plan's tree (catalogue table `unit_ancestors`)."""
    return sa.select(unit_ancestors.c.unit_code).where(
        unit_ancestors.c.plan_year == plan.year, unit_ancestors.c.ancestor_code.in_(list(units)))




#: The slots a figure can fill within a year: (last quarter covered, cumulative). Q1 counts from 1 January, so
#: it is cumulative; a quarter figure of Q2-Q4 is not; `2024-H1`, `2024-9M` and the year are.
_SLOTS = ((1, 1), (2, 0), (2, 1), (3, 0), (3, 1), (4, 0), (4, 1))
#: A level's answer is the figure that ends last, a cumulative one before a quarter's: the slots in that order.
_LATEST = ((4, 1), (4, 0), (3, 1), (3, 0), (2, 1), (2, 0), (1, 1))
_SETS = ("o", "a")  # official figures, all figures


def _slot(c: sa.ColumnCollection, kind: str, field: str, end: int, cum: int) -> sa.ColumnElement:
    if field == "e" and kind == "o":
        return sa.literal(0)  # an official figure is no estimate
    return c[f"{kind}_{field}{end}{'c' if cum else 'q'}"]


def _has(c: sa.ColumnCollection, kind: str, end: int, cum: int) -> sa.ColumnElement:
    return _slot(c, kind, "v", end, cum).is_not(None)


def _anchors(c: sa.ColumnCollection) -> list[sa.ColumnElement]:
    """Per set: `anchor` (the last quarter the latest cumulative figure covers, 0 without one; a flow's answer
    builds on it), `latest` (the slot a level's answer comes from, as its end; 0 without any)."""
    columns = []
    for kind in _SETS:
        columns.append(sa.case(*((_has(c, kind, end, 1), end) for end in (4, 3, 2, 1)), else_=0)
                       .label(f"{kind}_anchor"))
        columns.append(sa.case(*((_has(c, kind, end, cum), end) for end, cum in _LATEST), else_=0)
                       .label(f"{kind}_latest"))
    return columns


def _after(c: sa.ColumnCollection) -> list[sa.ColumnElement]:
    """Per set and quarter 2-4: 1 when its quarter figure comes after the anchor (a flow adds it)."""
    return [sa.case((sa.and_(_has(c, kind, end, 0), c[f"{kind}_anchor"] < end), 1), else_=0).label(f"{kind}_after{end}")
            for kind in _SETS for end in (2, 3, 4)]


def _answers(c: sa.ColumnCollection) -> list[sa.ColumnElement]:
    """Per set: value, qualifier, estimate (1/0), as_of, gaps (quarters lacking, as bits: Q1 = 1 … Q4 = 8) and
    present (1 when the set holds any figure), for a flow or a level as the row's indicator is."""
    columns = []
    flow = c.is_flow == 1
    for kind in _SETS:
        anchor, after = c[f"{kind}_anchor"], {end: c[f"{kind}_after{end}"] == 1 for end in (2, 3, 4)}

        def at_anchor(field: str, kind: str = kind) -> sa.ColumnElement:
            return sa.case(*((_has(c, kind, end, 1), _slot(c, kind, field, end, 1)) for end in (4, 3, 2, 1)))

        def latest(field: str, kind: str = kind) -> sa.ColumnElement:
            return sa.case(*((_has(c, kind, end, cum), _slot(c, kind, field, end, cum)) for end, cum in _LATEST))

        quarters = sum((sa.case((after[end], _slot(c, kind, "v", end, 0)), else_=0) for end in (2, 3, 4)),
                       sa.literal(0.0))
        value = sa.case((flow, sa.func.coalesce(at_anchor("v"), 0) + quarters), else_=latest("v"))
        # A censored sum makes no sense: the anchor's sign holds only where nothing is added to it.
        qualifier = sa.case((flow, sa.case((sa.or_(*after.values()), sa.null()), else_=at_anchor("q"))),
                            else_=latest("q"))
        estimate = sa.case((flow, sa.func.greatest(sa.func.coalesce(at_anchor("e"), 0), *(
            sa.case((after[end], _slot(c, kind, "e", end, 0)), else_=0) for end in (2, 3, 4)))), else_=latest("e"))
        as_of = sa.case((flow, sa.func.greatest(anchor, *(sa.case((after[end], end), else_=0) for end in (2, 3, 4)))),
                        else_=c[f"{kind}_latest"])
        bits = sum((sa.case((after[end], 2 ** (end - 1)), else_=0) for end in (2, 3, 4)), sa.literal(0))
        # A level needs only the figure that ends at the span's end (kpi.spans.needed_quarters).
        gaps = sa.case((flow, _pow2(c.through) - _pow2(anchor) - bits),
                       (c[f"{kind}_latest"] < c.through, _pow2(c.through - 1)), else_=0)
        columns += [value.label(f"{kind}_value"), qualifier.label(f"{kind}_qualifier"),
                    estimate.label(f"{kind}_estimate"), as_of.label(f"{kind}_as_of"), gaps.label(f"{kind}_gaps"),
                    sa.case((c[f"{kind}_latest"] > 0, 1), else_=0).label(f"{kind}_present")]
    return columns


class _Query:
    """The pieces of one evaluation query; `select()` assembles them."""

    def __init__(self, plan: Plan, spans: Sequence[tuple[int, int]], units: Sequence[str] | None,
                 indicators: Sequence[str] | None) -> None:
        self.plan = plan
        self.units = units
        self.spec = _spec(plan, indicators).cte("spec")
        self.spans = _spans(spans).cte("spans")
        self.quarters = _quarters().cte("quarters")
        years = sorted({year for year, _ in spans})
        within = subtree(plan, units) if units is not None else None
        self.cur = current_figures_query(years, within, indicators).cte("cur").prefix_with("MATERIALIZED")

    # ---- steps 2-4: each unit's own answer, official first
    def figures(self) -> sa.Subquery:
        """Each figure within each span: sid, through, unit, indicator, value, qualifier, est (1/0), end, cum
        (1/0), is_flow (1/0)."""
        cur, spans, spec = self.cur, self.spans, self.spec
        end = sa.case((cur.c.quarter == 0, 4), else_=cur.c.quarter)
        cumulative = sa.case((sa.or_(~cur.c.period.like("%-Q%"), cur.c.quarter == 1), 1), else_=0)
        # A censored figure's sign (`>`, `<`) travels as its code point: the pivot below aggregates an integer far
        # more cheaply than text (the country's roll-up spent most of its time there); `chr` turns it back.
        sign = sa.func.ascii(cur.c.qualifier).label("qualifier")
        return (sa.select(spans.c.sid, spans.c.through, cur.c.unit, cur.c.indicator, cur.c.value, sign,
                          sa.case((cur.c.estimate, 1), else_=0).label("est"), end.label("end"),
                          cumulative.label("cum"), spec.c.is_flow)
                .join(spans, spans.c.year == cur.c.year).join(spec, spec.c.indicator == cur.c.indicator)
                .where(end <= spans.c.through).subquery("fig"))

    def slots(self) -> sa.Subquery:
        """One row per span × unit × indicator with its figures pivoted into slots: a unit sends at most one figure
        per period, so (last quarter covered, cumulative or not) names each one. For each slot and for official
        figures (`o`) and all figures (`a`): the value, qualifier (as a code point) and (all only) estimate flag.
        One GROUP BY, keyed by span, unit and indicator only, over the figures of all kinds: a slot holds one
        figure, so its official value is its value where it is no estimate. DuckDB and PostgreSQL sort nothing
        (window functions over a million rows cost seconds)."""
        fig = self.figures()
        columns = [sa.func.max(fig.c.through).label("through"), sa.func.max(fig.c.is_flow).label("is_flow")]
        for end, cum in _SLOTS:
            at = sa.and_(fig.c.end == end, fig.c.cum == cum)
            name = f"{end}{'c' if cum else 'q'}"
            columns += [sa.func.max(sa.case((at, fig.c.value))).label(f"a_v{name}"),
                        sa.func.max(sa.case((at, fig.c.qualifier))).label(f"a_q{name}"),
                        sa.func.max(sa.case((at, fig.c.est))).label(f"a_e{name}")]
        pivot = (sa.select(fig.c.sid, fig.c.unit, fig.c.indicator, *columns)
                 .group_by(fig.c.sid, fig.c.unit, fig.c.indicator).subquery("pivot"))
        official = []
        for end, cum in _SLOTS:
            name = f"{end}{'c' if cum else 'q'}"
            is_official = pivot.c[f"a_e{name}"] == 0
            official += [sa.case((is_official, pivot.c[f"a_v{name}"])).label(f"o_v{name}"),
                         sa.case((is_official, pivot.c[f"a_q{name}"])).label(f"o_q{name}")]
        return sa.select(pivot, *official).subquery("slots")

    def best_own(self) -> tuple[sa.CTE, sa.CTE]:
        """(best0, miss0): each unit's own answer per span, and the reports its gaps stand for. Worked out in
        stages, each naming what the next reads, for official figures (`o`) and all figures (`a`) side by side."""
        stage = self.slots()
        stage = sa.select(stage, *_anchors(stage.c)).subquery("anchored")
        stage = sa.select(stage, *_after(stage.c)).subquery("after")
        stage = sa.select(stage.c.sid, stage.c.unit, stage.c.indicator, stage.c.through, stage.c.is_flow,
                          *_answers(stage.c)).subquery("answers")
        c = stage.c
        # Official figures where they cover the span; otherwise what all the figures (estimates too) make of it.
        official = sa.and_(c.o_present == 1, c.o_gaps == 0)

        def pick(name: str) -> sa.ColumnElement:
            return sa.case((official, c[f"o_{name}"]), else_=c[f"a_{name}"])

        best = sa.select(
            c.sid, c.unit, c.indicator, pick("value").label("value"),
            sa.func.chr(pick("qualifier"), type_=sa.String).label("qualifier"),
            pick("estimate").label("estimate"), sa.case((pick("gaps") == 0, 1), else_=0).label("complete"),
            pick("as_of").label("as_of"), sa.literal("own").label("source"), pick("gaps").label("gaps"),
        ).cte("own_best").prefix_with("MATERIALIZED")
        spans, spec, q = self.spans, self.spec, self.quarters
        by_quarter = (sa.select(best.c.sid, best.c.unit, best.c.indicator, best.c.unit.label("m_unit"),
                                q.c.q.label("m_quarter"))
                      .join(spec, spec.c.indicator == best.c.indicator).join(q, sa.true())
                      .where(spec.c.quarterly == 1, best.c.gaps.bitwise_and(_pow2(q.c.q - 1)) != 0))
        the_year = (sa.select(best.c.sid, best.c.unit, best.c.indicator, best.c.unit.label("m_unit"),
                              sa.literal(0).label("m_quarter"))
                    .join(spec, spec.c.indicator == best.c.indicator).join(spans, spans.c.sid == best.c.sid)
                    .where(spec.c.quarterly == 0, spans.c.through == 4, best.c.gaps != 0))
        missing = sa.union_all(by_quarter, the_year).cte("miss0").prefix_with("MATERIALIZED")
        plain = sa.select(*(best.c[name] for name in _BEST)).cte("best0").prefix_with("MATERIALIZED")
        return plain, missing

    # ---- step 5: roll-ups, one depth at a time
    def expected(self) -> sa.CTE:
        """(year, parent, indicator, child, level) a roll-up waits for: usual reporters and units with figures that
        year, each with the units above it; level is the parent's depth (0 = the root)."""
        plan, spec, cur, tree = self.plan, self.spec, self.cur, unit_ancestors
        rolled = sa.select(spec.c.indicator).where(spec.c.method != "none")
        years = sa.select(self.spans.c.year).distinct().subquery("years")
        reporters = (
            sa.select(years.c.year, sa.func.coalesce(unit_groups.c.unit_code, indicator_reporters.c.reporter)
                      .label("unit"), indicator_reporters.c.indicator_code.label("indicator"))
            .select_from(indicator_reporters).join(years, sa.true())
            .outerjoin(unit_groups, sa.and_(unit_groups.c.plan_year == indicator_reporters.c.plan_year,
                                            unit_groups.c.group_name == indicator_reporters.c.reporter))
            .where(indicator_reporters.c.plan_year == plan.year, indicator_reporters.c.indicator_code.in_(rolled)))
        if self.units is not None:  # the subtrees asked for only: a province's communes, not the country's
            reporters = reporters.where(sa.func.coalesce(unit_groups.c.unit_code, indicator_reporters.c.reporter)
                                        .in_(subtree(plan, self.units)))
        sent = sa.select(cur.c.year, cur.c.unit, cur.c.indicator).where(cur.c.indicator.in_(rolled))
        pairs = sa.union(reporters, sent).subquery("pairs")
        up = (sa.select(pairs.c.year, tree.c.ancestor_code.label("x"), pairs.c.indicator)
              .join(tree, sa.and_(tree.c.unit_code == pairs.c.unit, tree.c.plan_year == plan.year))
              .distinct().subquery("up"))
        parent = tree.alias("parent")
        depth = (sa.select(tree.c.unit_code, sa.func.max(tree.c.distance).label("depth"))
                 .where(tree.c.plan_year == plan.year).group_by(tree.c.unit_code).subquery("depth"))
        query = (sa.select(up.c.year, parent.c.ancestor_code.label("parent"), up.c.indicator,
                           up.c.x.label("child"), depth.c.depth.label("level"))
                 .join(parent, sa.and_(parent.c.unit_code == up.c.x, parent.c.distance == 1,
                                       parent.c.plan_year == plan.year))
                 .join(depth, depth.c.unit_code == parent.c.ancestor_code))
        if self.units is not None:
            query = query.where(parent.c.ancestor_code.in_(subtree(plan, self.units)))
        return query.cte("expected").prefix_with("MATERIALIZED")

    def roll_up(self, level: int, expected: sa.CTE, best: sa.CTE, missing: sa.CTE) -> tuple[sa.CTE, sa.CTE]:
        """(best, missing) after the parents at depth `level` take their roll-ups where the rule chooses them."""
        spans, spec = self.spans, self.spec
        waits = (sa.select(spans.c.sid, spans.c.through, expected.c.parent, expected.c.indicator, expected.c.child)
                 .join(spans, spans.c.year == expected.c.year).where(expected.c.level == level)
                 .cte(f"waits{level}").prefix_with("MATERIALIZED"))
        child = best.alias(f"child{level}")
        joined = sa.and_(child.c.sid == waits.c.sid, child.c.unit == waits.c.child,
                         child.c.indicator == waits.c.indicator)
        value = sa.case((spec.c.method == "sum", sa.func.sum(child.c.value)),
                        (spec.c.method == "mean", sa.func.avg(child.c.value)), else_=sa.func.min(child.c.value))
        grouped = (
            sa.select(waits.c.sid, waits.c.parent.label("unit"), waits.c.indicator, value.label("value"),
                      sa.func.count(child.c.value).label("n_present"), sa.func.count().label("n"),
                      sa.func.min(sa.func.coalesce(child.c.complete, 0)).label("all_complete"),
                      sa.func.max(sa.func.coalesce(child.c.estimate, 0)).label("estimate"),
                      sa.func.max(child.c.as_of).label("as_of"))
            .select_from(waits).outerjoin(child, joined).join(spec, spec.c.indicator == waits.c.indicator)
            .group_by(waits.c.sid, waits.c.parent, waits.c.indicator, spec.c.method)
            .having(sa.func.count(child.c.value) > 0).subquery(f"rolled{level}"))
        complete = sa.case((sa.and_(grouped.c.all_complete == 1, grouped.c.n_present == grouped.c.n), 1), else_=0)
        mine = best.alias(f"mine{level}")
        chosen = (
            sa.select(grouped.c.sid, grouped.c.unit, grouped.c.indicator, grouped.c.value,
                      sa.cast(sa.null(), sa.String).label("qualifier"), grouped.c.estimate, complete.label("complete"),
                      grouped.c.as_of, sa.literal("rollup").label("source"))
            .outerjoin(mine, sa.and_(mine.c.sid == grouped.c.sid, mine.c.unit == grouped.c.unit,
                                     mine.c.indicator == grouped.c.indicator))
            # The parent's own answer first; the roll-up where it has none, where only the roll-up is complete, or
            # where the own answer is an estimate and the roll-up complete and official (official before estimate).
            .where(sa.or_(mine.c.unit.is_(None), sa.and_(mine.c.complete == 0, complete == 1),
                          sa.and_(mine.c.estimate == 1, complete == 1, grouped.c.estimate == 0)))
            .cte(f"chosen{level}").prefix_with("MATERIALIZED"))
        kept = self._not_chosen(best, chosen)
        new_best = sa.union_all(sa.select(*(best.c[n] for n in _BEST)).where(kept),
                                sa.select(*(chosen.c[n] for n in _BEST))).cte(f"best{level + 1}")
        return new_best.prefix_with("MATERIALIZED"), self._roll_missing(level, waits, best, missing, chosen)

    @staticmethod
    def _not_chosen(table: sa.CTE, chosen: sa.CTE) -> sa.ColumnElement:
        return ~sa.exists().where(chosen.c.sid == table.c.sid, chosen.c.unit == table.c.unit,
                                  chosen.c.indicator == table.c.indicator)

    def _roll_missing(self, level: int, waits: sa.CTE, best: sa.CTE, missing: sa.CTE, chosen: sa.CTE) -> sa.CTE:
        """The reports each chosen roll-up lacks: what its present children lack, and every report of the span
        from a child with nothing for it."""
        spec, q = self.spec, self.quarters
        for_chosen = (sa.select(waits).join(chosen, sa.and_(chosen.c.sid == waits.c.sid,
                                                            chosen.c.unit == waits.c.parent,
                                                            chosen.c.indicator == waits.c.indicator))
                      .subquery(f"for_chosen{level}"))
        present = best.alias(f"present{level}")
        is_present = sa.exists().where(present.c.sid == for_chosen.c.sid, present.c.unit == for_chosen.c.child,
                                       present.c.indicator == for_chosen.c.indicator)
        inherited = (sa.select(for_chosen.c.sid, for_chosen.c.parent, for_chosen.c.indicator, missing.c.m_unit,
                               missing.c.m_quarter)
                     .join(missing, sa.and_(missing.c.sid == for_chosen.c.sid, missing.c.unit == for_chosen.c.child,
                                            missing.c.indicator == for_chosen.c.indicator)))
        absent = for_chosen.join(spec, spec.c.indicator == for_chosen.c.indicator)
        # Every quarter of a flow, the last of a level (kpi.spans.needed_quarters).
        needed = sa.or_(q.c.q == for_chosen.c.through, sa.and_(spec.c.is_flow == 1, q.c.q < for_chosen.c.through))
        every_quarter = (sa.select(for_chosen.c.sid, for_chosen.c.parent, for_chosen.c.indicator, for_chosen.c.child,
                                   q.c.q)
                         .select_from(absent).join(q, needed)
                         .where(~is_present, spec.c.quarterly == 1))
        the_year = (sa.select(for_chosen.c.sid, for_chosen.c.parent, for_chosen.c.indicator, for_chosen.c.child,
                              sa.literal(0).label("q"))
                    .select_from(absent).where(~is_present, spec.c.quarterly == 0, for_chosen.c.through == 4))
        kept = sa.select(missing.c.sid, missing.c.unit, missing.c.indicator, missing.c.m_unit,
                         missing.c.m_quarter).where(self._not_chosen(missing, chosen))
        return sa.union_all(kept, inherited, every_quarter, the_year).cte(f"miss{level + 1}").prefix_with(
            "MATERIALIZED")

    def select(self, levels: Sequence[int]) -> sa.Select:
        """The whole query: one row per unit × indicator × span with its missing reports as `unit:quarter` text;
        roll-ups for the parents at `levels` (depths, deepest first)."""
        best, missing = self.best_own()
        expected = self.expected()
        for level in levels:
            best, missing = self.roll_up(level, expected, best, missing)
        listed = (sa.select(missing.c.sid, missing.c.unit, missing.c.indicator,
                            sa.func.string_agg(missing.c.m_unit + ":" + sa.cast(missing.c.m_quarter, sa.String), ",")
                            .label("missing"))
                  .group_by(missing.c.sid, missing.c.unit, missing.c.indicator).subquery("listed"))
        query = (sa.select(*(best.c[n] for n in _BEST), listed.c.missing)
                 .outerjoin(listed, sa.and_(listed.c.sid == best.c.sid, listed.c.unit == best.c.unit,
                                            listed.c.indicator == best.c.indicator)))
        if self.units is not None:
            query = query.where(best.c.unit.in_(list(self.units)))
        return query


def answers_query(plan: Plan, spans: Sequence[tuple[int, int]], units: Sequence[str] | None,
                  levels: Sequence[int], indicators: Sequence[str] | None = None) -> sa.Select:
    """The query: one row per unit × indicator × span (`spans`: (year, last quarter) pairs, numbered by position
    in `sid`) for `units` (None: every unit) and `indicators` (None: every indicator of the plan; an indicator's
    answers never depend on another's), rolling up the parents at depths `levels` (deepest first). Columns:
    sid, unit, indicator, value, qualifier, estimate (1/0), complete (1/0), as_of, source, missing (text:
    `unit:quarter` items separated by commas, quarter 0 for the year)."""
    return _Query(plan, spans, units, indicators).select(levels)
