"""Warnings that do not block a file: a value far from the unit's earlier quarters, or a unit sending an indicator
it does not usually report. Computed in DuckDB over the incoming figures (`incoming`) and the stored ones
(`before`).
"""

from __future__ import annotations

import duckdb

from kpi.problems import Problem
from kpi.values import plain_number

#: A quarter's value more than this many times above or below the mean of the unit's last four earlier quarters.
OUTLIER_FACTOR = 3.0
#: Small counts jump by factors all the time (1 accident, then 4): below this on both sides, no warning.
OUTLIER_FLOOR = 10.0
MAX_WARNINGS = 200

_OUTLIERS = f"""
WITH merged AS (
  SELECT unit, indicator, year, quarter, value, line, value_column, true AS incoming FROM incoming WHERE quarter > 0
  UNION ALL
  SELECT b.unit, b.indicator, b.year, b.quarter, b.value, NULL, NULL, false FROM before b
  WHERE b.quarter > 0 AND NOT EXISTS (SELECT 1 FROM incoming i WHERE i.unit = b.unit
        AND i.indicator = b.indicator AND i.year = b.year AND i.quarter = b.quarter)
),
earlier AS (
  SELECT *, avg(value) OVER (PARTITION BY unit, indicator ORDER BY year, quarter
                             ROWS BETWEEN 4 PRECEDING AND 1 PRECEDING) AS mean,
            count(*) OVER (PARTITION BY unit, indicator ORDER BY year, quarter
                           ROWS BETWEEN 4 PRECEDING AND 1 PRECEDING) AS n
  FROM merged
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


def plausibility_warnings(con: duckdb.DuckDBPyConnection, headers: dict[str, str]) -> list[Problem]:
    """Warnings for the relation `incoming` (unit, indicator, year, quarter, value, line, value_column) against
    `before` (the stored figures) in `con`, where `kpi.ingest.spec.load_spec` has run."""
    value_header, unit_header = headers.get("value", "value"), headers.get("unit", "unit")
    found = [
        Problem("outlier", int(line), column or value_header, plain_number(value),
                {"mean": float(mean), "factor": plain_number(OUTLIER_FACTOR)}, blocking=False)
        for line, column, value, mean in con.execute(_OUTLIERS).fetchall()
    ]
    found += [
        Problem("unusual_reporter", int(line), unit_header, unit, {"indicator": indicator, "n": int(n)},
                blocking=False)
        for line, unit, indicator, n in con.execute(_UNUSUAL).fetchall()
    ]
    return sorted(found, key=lambda p: (p.line or 0, p.code))
