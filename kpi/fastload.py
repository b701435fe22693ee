"""The fast path for large, clean files: a UTF-8 long-format CSV loaded into a DuckDB store in one SQL statement.

DuckDB reads the file, the same checks as the careful path (`kpi.checks.typed_select`) type every cell, and the
rows go straight into `submissions`; the first bad row raises inside the statement and the transaction rolls back.
Any doubt (another encoding or layout, a problem, a duplicate, a non-DuckDB store) returns None, and the caller
takes the careful path, which lists every problem with its line. Both paths store the same figures.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import duckdb
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kpi.checks import decide_decimal, evidence_counts, load_spec, typed_select
from kpi.plan import Plan, governing_plans
from kpi.plausibility import any_warning, plausibility_warnings
from kpi.readers import REQUIRED, detect_separator, header_map
from kpi.store import Store, bump_data_version, current_figures_query, uploads

SNIFF_BYTES = 1 << 16  # the decimal mark is guessed from the first 64 KiB; a wrong guess only costs the fallback
SAMPLE_ROWS = 5000


class _Fallback(Exception):
    """The fast path cannot take this file; the careful path will."""


def _layout(path: Path) -> tuple[str, dict[str, int], list[str]] | None:
    """(separator, canonical column -> position, header cells) for a UTF-8 long-format CSV, or None."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        return None
    try:
        text = head.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="strict" if len(head) < SNIFF_BYTES
                                                          else "ignore")
    except UnicodeDecodeError:
        return None  # Windows-1258 and other encodings: the careful path reads them
    first = text.splitlines()[0] if text else ""
    separator = detect_separator(first)
    header = next(csv.reader(io.StringIO(first), delimiter=separator), [])
    positions = header_map(header)
    if any(name not in positions for name in REQUIRED):
        return None
    return separator, positions, header


def _source_sql(separator: str, positions: dict[str, int], width: int) -> str:
    """A relation of text cells from `$path` (bound at execution), columns named by position, never by file text."""
    names = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    columns = ", ".join(f"c{positions[name]} AS {name}" if name in positions else f"NULL AS {name}"
                        for name in ("unit", "indicator", "period", "value", "note"))
    delim = {",": ",", ";": ";", "\t": "\\t"}[separator]
    return (f"(SELECT NULL::BIGINT AS line, NULL::VARCHAR AS value_column, NULL::DOUBLE AS value_number, "
            f"{columns} FROM read_csv($path, header = false, skip = 1, "
            f"columns = {{{names}}}, delim = '{delim}', quote = '\"', escape = '\"', "
            f"auto_detect = false, null_padding = true))")


def _raw(conn: Connection) -> duckdb.DuckDBPyConnection:
    return conn.connection.dbapi_connection  # duckdb_engine's wrapper passes DuckDB's own API through


def try_fast_load(store: Store, plans: dict[int, Plan], path: Path, *, upload_values: dict,
                  decimal: str | None = None) -> dict | None:
    """Load `path` in one statement; returns {'upload_id', 'counts' (new/revised/unchanged), 'warnings',
    'decimal'} or None to fall back to the careful path.

    `upload_values` are the columns of the upload row (file name, digest, source, who, when).
    """
    if store.dialect != "duckdb":
        return None
    layout = _layout(path)
    if layout is None:
        return None
    separator, positions, header = layout
    headers = {name: header[i].strip() for name, i in positions.items()}
    width = max(positions.values()) + 1
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        width = max(width, len(next(csv.reader(handle, delimiter=separator), [])))
    source = _source_sql(separator, positions, width)
    try:
        with store.begin() as conn:
            return _load(conn, plans, source, path, headers, upload_values, decimal)
    except (_Fallback, duckdb.Error, sa.exc.DBAPIError):
        return None


def _lines_are_exact(path: Path, rows: int) -> bool:
    """True when the file has one line per record after the header (no blank line, no note spanning lines), so a
    record's position gives its file line."""
    with path.open("rb") as handle:
        newlines = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
        handle.seek(-1, 2)
        ends_with_newline = handle.read(1) == b"\n"
    return newlines + (0 if ends_with_newline else 1) == rows + 1


def _load(conn: Connection, plans: dict[int, Plan], source: str, path: Path, headers: dict[str, str],
          upload_values: dict, decimal: str | None) -> dict:
    raw = _raw(conn)
    load_spec(raw, plans)
    # Reading into a temporary table first and checking from there is about twice as fast as one fused query.
    # A record's position is its file line (header = 1) unless the file has blank or multi-line records; that is
    # checked only when a line is needed, for a warning.
    raw.execute(f"CREATE OR REPLACE TEMP TABLE _cells AS SELECT * REPLACE (row_number() OVER () + 1 AS line) "
                f"FROM {source}", {"path": str(path)})
    mark = decide_decimal(evidence_counts(raw, f"(SELECT * FROM _cells LIMIT {SAMPLE_ROWS})"), decimal)
    years = sorted(governing_plans(plans))
    before_sql = current_figures_query(years).compile(conn, compile_kwargs={"literal_binds": True})
    raw.execute(f"CREATE OR REPLACE TEMP TABLE _before AS {before_sql}")
    has_before = raw.execute("SELECT count(*) > 0 FROM _before").fetchone()[0]

    upload_id = conn.execute(uploads.insert().values(**upload_values, n_rows=0, n_new=0, n_revised=0,
                                                     n_unchanged=0).returning(uploads.c.id)).scalar_one()
    insert = f"""
        INSERT INTO submissions (upload_id, unit_code, indicator_code, period, year, quarter, value, qualifier, note)
        SELECT $upload, unit, indicator, period, year, quarter,
               CASE WHEN bad THEN error('kpi: a row needs the careful path') ELSE number END, qualifier, note
        FROM ({typed_select("_cells", mark)})"""
    rows = raw.execute(insert, {"upload": upload_id}).fetchone()[0]
    if rows == 0:
        raise _Fallback("empty")
    duplicated = raw.execute("""SELECT count(*) FROM (SELECT 1 FROM submissions WHERE upload_id = $u
                                 GROUP BY unit_code, indicator_code, period HAVING count(*) > 1)""",
                             {"u": upload_id}).fetchone()[0]
    if duplicated:
        raise _Fallback("duplicates")
    raw.execute(f"""CREATE OR REPLACE TEMP VIEW incoming AS SELECT unit_code AS unit, indicator_code AS indicator,
                    year, quarter, value, NULL::BIGINT AS line, NULL::VARCHAR AS value_column
                    FROM submissions WHERE upload_id = {int(upload_id)}""")
    raw.execute("CREATE OR REPLACE TEMP VIEW before AS SELECT * FROM _before")
    warnings = []
    if any_warning(raw):
        if not _lines_are_exact(path, rows):
            raise _Fallback("warnings")  # the careful path lists them with their lines
        raw.execute(f"""CREATE OR REPLACE TEMP VIEW incoming AS SELECT line, unit, indicator, year, quarter,
                        number AS value, value_column FROM ({typed_select("_cells", mark)})""")
        warnings = plausibility_warnings(raw, headers)
    unchanged = revised = 0
    if has_before:
        matched = """FROM submissions s JOIN _before b ON b.unit = s.unit_code AND b.indicator = s.indicator_code
                     AND b.period = s.period WHERE s.upload_id = $u"""
        same = """b.value = s.value AND coalesce(b.qualifier, '') = coalesce(s.qualifier, '')
                  AND coalesce(b.note, '') = coalesce(s.note, '')"""
        revised, unchanged = raw.execute(f"SELECT count(*) FILTER (NOT ({same})), count(*) FILTER ({same}) {matched}",
                                         {"u": upload_id}).fetchone()
        if unchanged:
            # Rows equal to the stored figures are not revisions: take them out before anything commits.
            raw.execute(f"""DELETE FROM submissions WHERE upload_id = $u AND (unit_code, indicator_code, period) IN
                            (SELECT s.unit_code, s.indicator_code, s.period {matched} AND {same})""", {"u": upload_id})
    if rows == unchanged:
        raise _Fallback("nothing changed")  # the careful path says so without writing an upload
    counts = {"new": rows - revised - unchanged, "revised": int(revised), "unchanged": int(unchanged)}
    conn.execute(uploads.update().where(uploads.c.id == upload_id).values(
        n_rows=rows, n_new=counts["new"], n_revised=counts["revised"], n_unchanged=counts["unchanged"]))
    bump_data_version(conn)
    return {"upload_id": int(upload_id), "counts": counts, "warnings": warnings, "decimal": mark}
