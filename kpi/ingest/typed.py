"""Typing every cell, as DuckDB SQL: `typed_table` turns `_cells` (`line, unit, indicator, period, value, note,
kind, value_column, value_number`) into typed figures with one flag per kind of problem, joined with the plans'
look-up tables (`kpi.ingest.spec`). This is the only place a cell's text becomes a figure.

The string work runs once, into a table (`typed_table`); the decimal mark is decided from that table's evidence
and only then applied (`judged_select`, arithmetic over the table), so no pass over the text runs twice.

Estimates: a figure is an estimate when its kind says so (`ước`, `ước tính`, `ước thực hiện`, `estimate`, `est`;
`chính thức`, `official` or nothing say official; without case or diacritics) or its period does (`Ước cả năm
2024`). Any other kind is a problem.

Numbers: spaces, a leading `>`/`<` (a censored rank) and a trailing `%` are dropped. The decimal mark is decided
per file from the evidence: `63,7` or `1.700.000` say comma, `63.7` or `1,700,000` say dot; `1,700` and `1.700`
say nothing (ambiguous), and a file with only ambiguous numbers must be told (`--decimal`).
"""

from __future__ import annotations

import duckdb

from kpi.ingest.limits import Limits

# Per-row evidence about the decimal mark of `body` (the number without spaces, qualifier or %).
_EVIDENCE = r"""
CASE
  WHEN body = '' THEN 'empty'
  WHEN regexp_full_match(body, '[+-]?[0-9]+') THEN 'plain'
  WHEN NOT regexp_full_match(body, '[+-]?[0-9.,]*[0-9][0-9.,]*') THEN 'nan'
  WHEN contains(body, '.') AND contains(body, ',') THEN
    CASE WHEN strpos(reverse(body), ',') < strpos(reverse(body), '.') THEN 'comma' ELSE 'dot' END
  WHEN contains(body, ',') THEN
    CASE WHEN length(body) - length(replace(body, ',', '')) > 1 THEN 'dot'
         WHEN regexp_full_match(body, '[+-]?[0-9]{1,3},[0-9]{3}') THEN 'ambiguous' ELSE 'comma' END
  ELSE
    CASE WHEN length(body) - length(replace(body, '.', '')) > 1 THEN 'comma'
         WHEN regexp_full_match(body, '[+-]?[0-9]{1,3}\.[0-9]{3}') THEN 'ambiguous' ELSE 'dot' END
END
"""

_PARSE = {
    "comma": r"""CASE WHEN regexp_full_match(body, '[+-]?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)(,[0-9]+)?')
                 THEN TRY_CAST(replace(replace(body, '.', ''), ',', '.') AS DOUBLE) END""",
    "dot": r"""CASE WHEN regexp_full_match(body, '[+-]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?')
               THEN TRY_CAST(replace(body, ',', '') AS DOUBLE) END""",
    "none": "NULL",
}

# Characters a note must not carry: C0/C1 controls (tab and line feed stay; CR LF becomes LF), zero-width and
# bidirectional controls (the Arabic letter mark too), line and paragraph separators, the soft hyphen,
# interlinear annotations and tag characters: anything that can make a note display as something else or hide
# text. They are removed with a warning.
_NOTE_CONTROLS = (r"[\x00-\x08\x0b-\x1f\x7f-\x9f\x{{ad}}\x{{61c}}\x{{200b}}-\x{{200f}}\x{{2028}}-\x{{202e}}"
                  r"\x{{2060}}-\x{{2069}}\x{{feff}}\x{{fff9}}-\x{{fffb}}\x{{e0000}}-\x{{e007f}}]")

# What a code or period loses at its ends: spaces, tabs, no-break and zero-width spaces, a stray byte-order mark.
_EDGES = "' ' || chr(9) || chr(160) || chr(8203) || chr(8239) || chr(65279)"

# Text cells cleaned and classified. Most cells are already clean (a plain number, a canonical period), and a
# cheap pattern test lets them skip the costlier clean-ups.
_CELLS = r"""
SELECT line, unit, indicator, period_text, value_text, note, note_dirty, qualifier, body, value_column,
       value_number, CASE WHEN value_number IS NOT NULL THEN 'number' ELSE {evidence} END AS evidence, period_key,
       long_column, kind_text,
       CASE WHEN kind_key IN ({estimate_kinds}) THEN true WHEN kind_key IN ({official_kinds}) THEN false
       END AS kind_estimate
FROM (
  SELECT line, value_column, value_number,
         -- Codes and periods pasted from Word or the web carry no-break and zero-width spaces at their ends.
         upper(trim(coalesce(unit, ''), {edges})) AS unit,
         lower(trim(coalesce(indicator, ''), {edges})) AS indicator,
         trim(coalesce(period, ''), {edges}) AS period_text,
         trim(coalesce(value, '')) AS value_text,
         -- NFC: a UTF-8 file typed with decomposed tone marks (Unikey's "Unicode tổ hợp", macOS) must store the
         -- same note as one typed with precomposed letters.
         CASE WHEN note IS NULL OR note = '' THEN NULL
              ELSE nfc_normalize(nullif(trim(regexp_replace(replace(note, chr(13) || chr(10), chr(10)),
                                                            '{controls}', '', 'g'),
                                             ' ' || chr(9) || chr(10) || chr(160)), '')) END AS note,
         note IS NOT NULL AND note <> ''
             AND regexp_matches(replace(note, chr(13) || chr(10), chr(10)), '{controls}') AS note_dirty,
         CASE WHEN length(unit) > {max_cell} THEN 'unit'
              WHEN length(indicator) > {max_cell} THEN 'indicator'
              WHEN length(period) > {max_cell} THEN 'period'
              WHEN length(value) > {max_cell} THEN 'value'
              WHEN length(kind) > {max_cell} THEN 'kind'
              WHEN length(note) > {max_note} THEN 'note' END AS long_column,
         trim(coalesce(kind, '')) AS kind_text,
         CASE WHEN kind IS NULL OR kind = '' THEN ''
              ELSE regexp_replace(strip_accents(replace(lower(kind), 'đ', 'd')), '\s+', '', 'g') END AS kind_key,
         CASE WHEN plain THEN NULL
              ELSE nullif(regexp_extract(regexp_replace(coalesce(value, ''), '\s', '', 'g'), '^([<>]?)', 1), '')
         END AS qualifier,
         CASE WHEN plain THEN value
              ELSE regexp_replace(regexp_replace(coalesce(value, ''), '\s', '', 'g'), '^[<>]|%$', '', 'g')
         END AS body,
         CASE WHEN regexp_full_match(period, '[0-9]{{4}}(-(Q[1-4]|H1|9M))?') THEN lower(period)
              ELSE regexp_replace(strip_accents(replace(lower(coalesce(period, '')), 'đ', 'd')),
                                  '[\s\x{{a0}}\x{{200b}}\x{{202f}}\x{{feff}}]+', '', 'g')
         END AS period_key
  FROM (SELECT *, regexp_full_match(value, '[0-9]+(\.[0-9]+)?') AS plain FROM {source})
)
"""
#: A kind cell's key (lower case, no diacritics or spaces) that says estimate, and one that says official.
ESTIMATE_KINDS = ("uoc", "uoctinh", "uocthuchien", "estimate", "est")
OFFICIAL_KINDS = ("chinhthuc", "official", "")


def clean_select(source: str, limits: Limits) -> str:
    """SQL for the cleaned cells of `source`: trimmed codes, the note cleaned, the value split into qualifier and
    `body`, the `evidence` each value gives about the decimal mark, and `long_column`. Give it to `typed_table`."""
    return _CELLS.format(source=source, evidence=_EVIDENCE, controls=_NOTE_CONTROLS.format(), edges=_EDGES,
                         max_cell=int(limits.max_cell_chars), max_note=int(limits.max_note_chars),
                         estimate_kinds=", ".join(f"'{k}'" for k in ESTIMATE_KINDS),
                         official_kinds=", ".join(f"'{k}'" for k in OFFICIAL_KINDS))


def evidence_counts(con: duckdb.DuckDBPyConnection, typed: str) -> dict[str, int]:
    """How many values of `typed` (the table `typed_table` made) speak for each decimal mark (comma, dot,
    ambiguous, plain, nan, empty, number); their sum is the number of cells."""
    sql = f"SELECT evidence, count(*) FROM {typed} GROUP BY 1"
    return {kind: int(n) for kind, n in con.execute(sql).fetchall()}


def decide_decimal(counts: dict[str, int], forced: str | None = None) -> str:
    """The file's decimal mark: `forced` if given, else the mark most values speak for; 'none' when no value says."""
    if forced:
        return forced
    comma, dot = counts.get("comma", 0), counts.get("dot", 0)
    if comma == dot == 0:
        return "none"
    return "comma" if comma > dot else "dot"


def typed_table(clean: str) -> str:
    """SQL for every cell of the cleaned cells `clean` (see `clean_select`) typed as far as it can be before the
    file's decimal mark is known: the one pass that does the string work. Materialise it once; `evidence_counts`
    decides the mark from it and `judged_select` finishes each row.

    Columns: line, unit, indicator, period_text, value_text, note, note_dirty, qualifier, evidence, value_column,
    long_column, kind_text, kind_estimate (NULL for a kind that is neither); `number_plain` (a number the mark does
    not matter for), `number_comma` and `number_dot` (the value read with each mark, NULL when it cannot be);
    period, year, quarter (the last quarter the period covers, 0 for a year), estimate, kind_conflict, year_ok,
    unit_known, unit_ok, indicator_known, indicator_ok, min, max, integer, censorable, percent (the value ends
    with `%`), and `ok_cells`, true when
    every check that does not depend on the number passes.
    """
    # Built only from this module's constants and a relation name chosen by the caller's code; cell values
    # never enter the SQL text.
    return rf"""
WITH typed AS (
  SELECT c.* EXCLUDE (body, period_key, value_number),
         CASE WHEN c.evidence = 'number' THEN c.value_number
              WHEN c.evidence = 'plain' THEN TRY_CAST(c.body AS DOUBLE) END AS number_plain,
         CASE WHEN c.evidence IN ('comma', 'dot', 'ambiguous') THEN {_PARSE["comma"]} END AS number_comma,
         CASE WHEN c.evidence IN ('comma', 'dot', 'ambiguous') THEN {_PARSE["dot"]} END AS number_dot,
         p.period, p.year, p.quarter, coalesce(p.estimate, false) OR coalesce(c.kind_estimate, false) AS estimate,
         -- "Ước cả năm" in the period beside "chính thức" written in the kind column: the file contradicts itself.
         coalesce(p.estimate, false) AND c.kind_text <> '' AND c.kind_estimate = false AS kind_conflict,
         y.year IS NOT NULL AS year_ok,
         u.code IS NOT NULL AS unit_known, coalesce(list_contains(u.plan_years, y.plan_year), false) AS unit_ok,
         ai.code IS NOT NULL AS indicator_known, i.code IS NOT NULL AS indicator_ok,
         i.min, i.max, coalesce(i.integer, false) AS integer, coalesce(i.censorable, false) AS censorable,
         ends_with(c.value_text, '%') AS percent
  FROM {clean} c
  LEFT JOIN _k_periods p ON p.key = c.period_key
  LEFT JOIN _k_years y ON y.year = p.year
  LEFT JOIN _k_unit_index u ON u.code = c.unit
  LEFT JOIN (SELECT DISTINCT code FROM _k_indicators) ai ON ai.code = c.indicator
  LEFT JOIN _k_indicators i ON i.plan_year = y.plan_year AND i.code = c.indicator
)
SELECT *, coalesce(period IS NOT NULL AND year_ok AND unit_ok AND indicator_ok AND kind_estimate IS NOT NULL
                   AND NOT kind_conflict AND long_column IS NULL, false) AS ok_cells
FROM typed
"""


def number_sql(decimal: str) -> str:
    """SQL for a cell's number over `typed_table`'s columns, read with the file's decimal mark `decimal`
    (comma/dot/none): NULL when the value contradicts the mark, or is ambiguous without one."""
    if decimal not in _PARSE:
        raise ValueError(f"decimal must be one of {', '.join(_PARSE)}")
    # + 0.0 turns -0 into 0: a figure of "-0" is zero, and shown as "-0" it looks like a mistake.
    return f"(coalesce(number_plain, {'NULL::DOUBLE' if decimal == 'none' else f'number_{decimal}'}) + 0.0)"


def judged_select(typed: str, decimal: str) -> str:
    """SQL for the typed figures of `typed` (the table `typed_table` made) with the file's decimal mark `decimal`
    (comma/dot/none): its columns plus `number` (see `number_sql`) and `bad`, true when any check fails. A censored
    value is only `>N` on a rank, with N below the rank's maximum (`>63` of 63 says nothing true). Arithmetic
    only: cheap to read again and again."""
    return rf"""
SELECT *, NOT coalesce(ok_cells AND number IS NOT NULL
                       AND (qualifier IS NULL OR (qualifier = '>' AND censorable AND number < max))
                       AND number >= min AND number <= max
                       AND (NOT integer OR number = floor(number))
                       -- A count or a rank is no percentage: "185000%" or "45%" is a slip, not a figure.
                       AND NOT (integer AND percent), false) AS bad
FROM (SELECT * EXCLUDE (number_plain, number_comma, number_dot), {number_sql(decimal)} AS number FROM {typed})
"""
