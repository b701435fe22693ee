"""Warnings that do not block a file, computed in DuckDB over the incoming figures (`incoming`) and the stored ones
(`before`), where `kpi.ingest.spec.load_spec` has run (a stored figure the file sends again counts as the file's):

- `outlier`: a quarter's value far from the unit's earlier quarters;
- `unusual_reporter`: a unit sending an indicator it does not usually report (never the plan's scope unit);
- `cumulative_mismatch`: a cumulative figure (6 or 9 months, the year) that disagrees with the same unit's quarters
  beyond the indicator's rounding;
- `looks_cumulative`: quarter figures of a flow that grow like running totals ("lũy kế" sent as quarters);
- `estimate_over_official`: an estimate sent for a figure whose stored revision is official.
"""

from __future__ import annotations

import duckdb

from kpi.problems import Problem
from kpi.values import plain_number

#: A quarter's value more than this many times above or below the mean of the unit's last four earlier quarters.
OUTLIER_FACTOR = 3.0
#: Small counts jump by factors all the time (1 accident, then 4): below this on both sides, no warning.
OUTLIER_FLOOR = 10.0
#: Quarter j looks like a running total when Q_j / Q_{j-1} lies within these multiples of j / (j − 1), the ratio of
#: running totals of equal quarters (2 for Q2 over Q1, 1.5 for Q3 over Q2, 1.33 for Q4 over Q3).
RUNNING_TOTAL_RATIO = (0.75, 1.5)
#: Quarters below this are small counts that grow by any factor; they never look cumulative.
RUNNING_TOTAL_FLOOR = 10.0
MAX_WARNINGS = 200

_OUTLIERS = f"""
WITH merged AS (
  SELECT unit, indicator, year, quarter, value, line, value_column, true AS incoming FROM incoming
  WHERE NOT is_cumulative(period)
  UNION ALL
  SELECT b.unit, b.indicator, b.year, b.quarter, b.value, NULL, NULL, false FROM _kept b
  WHERE NOT is_cumulative(b.period)
),
earlier AS (
  SELECT *, avg(value) OVER series AS mean, count(*) OVER series AS n
  FROM merged
  WINDOW series AS (PARTITION BY unit, indicator ORDER BY year, quarter
                    ROWS BETWEEN 4 PRECEDING AND 1 PRECEDING)
)
SELECT line, value_column, value, mean FROM earlier
WHERE incoming AND n > 0 AND mean > 0 AND greatest(value, mean) >= {OUTLIER_FLOOR}
  AND (value > {OUTLIER_FACTOR} * mean OR value * {OUTLIER_FACTOR} < mean)
ORDER BY line LIMIT {MAX_WARNINGS}
"""

_UNUSUAL = f"""
SELECT min(i.line) AS line, i.unit, i.indicator, count(*) AS n FROM incoming i
WHERE NOT EXISTS (SELECT 1 FROM _k_reporters r WHERE r.year = i.year AND r.unit = i.unit
                  AND r.indicator = i.indicator)
GROUP BY i.unit, i.indicator ORDER BY 1 LIMIT {MAX_WARNINGS}
"""

# The units × indicators × years whose figures include a cumulative one (6 or 9 months, the year), in the file or
# stored beside the file's figures: the only ones a cumulative figure can disagree in (in a file of quarters, none).
_CUMULATIVE_GROUPS = """
CREATE OR REPLACE TEMP TABLE _cumulative_groups AS
SELECT DISTINCT unit, indicator, year FROM incoming WHERE is_cumulative(period)
UNION
SELECT DISTINCT b.unit, b.indicator, b.year FROM before b SEMI JOIN incoming i USING (unit, indicator, year)
WHERE is_cumulative(b.period)
"""

# Their figures, the file's own replacing the stored ones of the same period, with what the plan says of the
# indicator: a flow, its decimals. Censored values (a rank `>30`) are intervals, never compared.
_MERGED = """
CREATE OR REPLACE TEMP TABLE _merged AS
WITH figures AS (
  SELECT unit, indicator, period, year, quarter, value, qualifier, estimate, line, value_column, true AS incoming
  FROM incoming SEMI JOIN _cumulative_groups USING (unit, indicator, year)
  UNION ALL
  SELECT b.unit, b.indicator, b.period, b.year, b.quarter, b.value, b.qualifier, b.estimate, NULL, NULL, false
  FROM _kept b SEMI JOIN _cumulative_groups USING (unit, indicator, year)
)
SELECT f.*, span_end(f.quarter) AS span_end, is_cumulative(f.period) AS cumulative, k.flow, k.decimals
FROM figures f JOIN _k_years y ON y.year = f.year JOIN _k_indicators k ON k.plan_year = y.plan_year
     AND k.code = f.indicator
WHERE f.qualifier IS NULL
"""

# Each cumulative figure C (through quarter e) against what the same unit sent for the same span:
# - a flow: the quarters Q1..Qe, or else an earlier cumulative figure through s plus the quarters s+1..e (9M against
#   H1 + Q3), whichever is complete, preferring the quarters alone (a wrong H1 must not make the year look wrong);
# - a level: the quarter Qe (the state at the same date).
# A difference beyond rounding warns: half a unit of the indicator's last decimal for each figure added up (a level:
# half a unit). Figures of different kinds are not compared: an estimate is expected to differ from the official
# figure. At least one of the figures must come from the file; the warning is on the cumulative figure's line if it
# does, else on the first of the others.
_MISMATCH = f"""
WITH cum AS (SELECT * FROM _merged WHERE cumulative),
bases AS (
  SELECT c.*, 0 AS s, 0.0 AS base_value, NULL::VARCHAR AS base_period, NULL::BOOLEAN AS base_estimate,
         false AS base_incoming, NULL::BIGINT AS base_line, NULL::VARCHAR AS base_column
  FROM cum c WHERE c.flow
  UNION ALL
  SELECT c.*, b.span_end, b.value, b.period, b.estimate, b.incoming, b.line, b.value_column
  FROM cum c JOIN cum b ON b.unit = c.unit AND b.indicator = c.indicator AND b.year = c.year
       AND b.span_end < c.span_end
  WHERE c.flow
  UNION ALL
  SELECT c.*, c.span_end - 1, 0.0, NULL, NULL, false, NULL, NULL FROM cum c WHERE NOT c.flow
),
compared AS (
  SELECT x.unit, x.indicator, x.period, x.value, x.incoming, x.line, x.value_column, x.decimals, x.base_incoming,
         x.base_line, x.base_column, x.base_value + sum(q.value) AS other,
         count(q.value) + (x.base_period IS NOT NULL)::INTEGER AS parts,
         list_concat(CASE WHEN x.base_period IS NULL THEN []::VARCHAR[] ELSE [x.base_period] END,
                     list(q.period ORDER BY q.quarter)) AS periods,
         bool_and(q.estimate = x.estimate) AND coalesce(x.base_estimate = x.estimate, true) AS same_kind,
         min(q.line) FILTER (q.incoming) AS quarter_line,
         arg_min(q.value_column, q.line) FILTER (q.incoming) AS quarter_column
  FROM bases x JOIN _merged q ON q.unit = x.unit AND q.indicator = x.indicator AND q.year = x.year
       AND NOT q.cumulative AND q.quarter > x.s AND q.quarter <= x.span_end
  GROUP BY x.unit, x.indicator, x.year, x.period, x.value, x.estimate, x.incoming, x.line, x.value_column,
           x.decimals, x.span_end, x.s, x.base_value, x.base_period, x.base_estimate, x.base_incoming, x.base_line,
           x.base_column
  HAVING count(q.value) = x.span_end - x.s
  QUALIFY row_number() OVER (PARTITION BY x.unit, x.indicator, x.period ORDER BY x.s) = 1
)
SELECT CASE WHEN incoming THEN line WHEN base_incoming AND coalesce(base_line < quarter_line, true) THEN base_line
            ELSE quarter_line END AS line,
       CASE WHEN incoming THEN value_column
            WHEN base_incoming AND coalesce(base_line < quarter_line, true) THEN base_column
            ELSE quarter_column END AS value_column,
       unit, indicator, period, value, other, periods
FROM compared
WHERE same_kind AND (incoming OR base_incoming OR quarter_line IS NOT NULL)
  -- a relative allowance on top for the binary fractions of sums such as 1032.6 + 1198.3
  AND abs(value - other) > 0.5 * pow(10, -decimals) * parts + 1e-9 * greatest(abs(value), abs(other))
ORDER BY 1 LIMIT {MAX_WARNINGS}
"""

# Quarters of a flow that can only grow (min ≥ 0), consecutive within a year, at least two, at least one from the
# file, each at least the floor and each about the running total of the ones before plus a quarter's worth:
# Q_j / Q_{j-1} within RUNNING_TOTAL_RATIO times j / (j − 1). One pass that puts each year's quarters side by side
# (q1…q4; a file of a million figures has no time for a window over them). The warning is on the latest of the
# file's quarters.
_PAIR = "(q{b} IS NULL OR q{a} IS NULL OR q{b} / q{a} BETWEEN {low} AND {high})"
_RUNNING = f"""
WITH quarters AS (
  SELECT unit, indicator, year, quarter, value, line, value_column, true AS incoming FROM incoming
  WHERE NOT is_cumulative(period) AND qualifier IS NULL
  UNION ALL
  SELECT b.unit, b.indicator, b.year, b.quarter, b.value, NULL, NULL, false FROM _kept b
  WHERE NOT is_cumulative(b.period) AND b.qualifier IS NULL
),
flows AS (
  SELECT k.code AS indicator, y.year FROM _k_indicators k JOIN _k_years y ON y.plan_year = k.plan_year
  WHERE k.flow AND k.min >= 0
)
SELECT arg_max(line, quarter) FILTER (incoming) AS line, arg_max(value_column, quarter) FILTER (incoming) AS cell,
       unit, indicator, year, min(quarter) AS first_quarter, max(quarter) AS last_quarter,
       max(value) FILTER (quarter = 1) AS q1, max(value) FILTER (quarter = 2) AS q2,
       max(value) FILTER (quarter = 3) AS q3, max(value) FILTER (quarter = 4) AS q4
FROM quarters SEMI JOIN flows USING (indicator, year)
GROUP BY unit, indicator, year
HAVING count(*) >= 2 AND max(quarter) - min(quarter) + 1 = count(*) AND bool_or(incoming)
   AND min(value) >= {RUNNING_TOTAL_FLOOR}
   AND {" AND ".join(_PAIR.format(a=j - 1, b=j, low=RUNNING_TOTAL_RATIO[0] * j / (j - 1),
                                  high=RUNNING_TOTAL_RATIO[1] * j / (j - 1)) for j in (2, 3, 4))}
ORDER BY 1 LIMIT {MAX_WARNINGS}
"""

_OVER_OFFICIAL = f"""
SELECT i.line, i.value_column, i.value, b.value, i.period FROM incoming i
JOIN before b ON b.unit = i.unit AND b.indicator = i.indicator AND b.period = i.period
WHERE i.estimate AND NOT b.estimate
ORDER BY 1 LIMIT {MAX_WARNINGS}
"""


def plausibility_warnings(con: duckdb.DuckDBPyConnection, headers: dict[str, str]) -> list[Problem]:
    """Warnings for the relation `incoming` (unit, indicator, period, year, quarter, value, qualifier, estimate,
    line, value_column) against `before` (the stored figures, same columns without line) in `con`, where
    `kpi.ingest.spec.load_spec` has run; in file order."""
    value_header, unit_header = headers.get("value", "value"), headers.get("unit", "unit")
    _keep_stored(con)
    found = [
        Problem("outlier", int(line), column or value_header, plain_number(value),
                {"number": float(value), "mean": float(mean), "factor": plain_number(OUTLIER_FACTOR)}, blocking=False)
        for line, column, value, mean in con.execute(_OUTLIERS).fetchall()
    ]
    found += [
        Problem("unusual_reporter", int(line), unit_header, unit, {"indicator": indicator, "n": int(n)},
                blocking=False)
        for line, unit, indicator, n in con.execute(_UNUSUAL).fetchall()
    ]
    found += _cumulative_warnings(con, value_header)
    found += [
        Problem("estimate_over_official", int(line), column or value_header, plain_number(value),
                {"figure": float(value), "previous": float(previous), "period": period}, blocking=False)
        for line, column, value, previous, period in con.execute(_OVER_OFFICIAL).fetchall()
    ]
    con.execute("DROP TABLE _kept")
    return sorted(found, key=lambda p: (p.line or 0, p.code))


def _keep_stored(con: duckdb.DuckDBPyConnection) -> None:
    """`_kept`: the stored figures the file does not replace, which the warnings read beside the file's own.
    Worked out once for all of them; with nothing stored (a first upload) there is nothing to compare with, and a
    million incoming keys are not hashed for it."""
    con.execute("CREATE OR REPLACE TEMP TABLE _kept AS SELECT * FROM before LIMIT 0")
    if con.execute("SELECT EXISTS (SELECT 1 FROM before)").fetchone()[0]:
        con.execute("INSERT INTO _kept SELECT * FROM before b ANTI JOIN incoming i USING (unit, indicator, period)")


def _cumulative_warnings(con: duckdb.DuckDBPyConnection, value_header: str) -> list[Problem]:
    """`cumulative_mismatch` and `looks_cumulative` over the file's figures merged with the stored ones."""
    found = []
    if con.execute(_CUMULATIVE_GROUPS).fetchone()[0]:
        con.execute(_MERGED)
        found += [
            Problem("cumulative_mismatch", int(line), column or value_header, plain_number(value),
                    {"unit": unit, "indicator": indicator, "period": period, "figure": float(value),
                     "other": float(other), "parts": tuple(periods)}, blocking=False)
            for line, column, unit, indicator, period, value, other, periods in con.execute(_MISMATCH).fetchall()
        ]
        con.execute("DROP TABLE _merged")
    con.execute("DROP TABLE _cumulative_groups")
    for line, column, unit, indicator, year, first, last, *by_quarter in con.execute(_RUNNING).fetchall():
        quarters = tuple((f"{year}-Q{q}", float(by_quarter[q - 1])) for q in range(first, last + 1))
        found.append(Problem("looks_cumulative", int(line), column or value_header, plain_number(quarters[-1][1]),
                             {"unit": unit, "indicator": indicator, "year": int(year), "quarters": quarters},
                             blocking=False))
    return found
