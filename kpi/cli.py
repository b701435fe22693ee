"""The `kpi` command: init, sample, ingest, scorecard, history, uploads, undo, report; and (kpi.cli_access) users,
approve, reopen, approvals, audit, settings. Every command takes `--as USER` (or $KPI_USER) and then applies that
user's rights; without it a command acts as the local administrator.

Exit codes: 0 done; 1 a file was rejected (problems listed) or an undo refused; 2 usage or configuration
(argparse's own usage errors, a wrong plan file, an unknown period or unit); 75 the database was busy (try again);
70 an internal error (with its traceback); 141 the output pipe closed early (`kpi history | head`), quietly.

Each command imports what it uses when it runs, so `kpi ingest` starts without pandas or Plotly.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING

from kpi.bootstrap import open_store
from kpi.cli_access import COMMANDS as ACCESS_COMMANDS
from kpi.cli_access import ActorError, add_actor_option, add_parsers, command_actor
from kpi.i18n import LANGS, t
from kpi.plan import PlanError, plans_dir
from kpi.store import DatabaseBusy, resolve_url
from kpi.values import DECIMALS

if TYPE_CHECKING:
    import pandas as pd

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_CRASH, EXIT_BUSY, EXIT_PIPE = 0, 1, 2, 70, 75, 141


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: $KPI_DATABASE_URL, else "
                        "duckdb:///data/kpi.duckdb)")
    common.add_argument("--plans", metavar="DIR", default=str(plans_dir()),
                        help="folder of plan files (default: $KPI_PLANS_DIR, else data/plans)")
    env_lang = os.environ.get("KPI_LANG", "").lower()
    common.add_argument("--lang", choices=LANGS, default=env_lang if env_lang in LANGS else "vi",
                        help="language of messages (default vi)")
    add_actor_option(common)
    parser = argparse.ArgumentParser(prog="kpi", description="Theo dõi chỉ tiêu thi đua — target tracker")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", parents=[common], help="create the schema and load the plan files")
    sample = sub.add_parser("sample", parents=[common], help="load the sample data (runs init first)")
    sample.add_argument("--year", type=int, default=2024)
    ingest = sub.add_parser("ingest", parents=[common], help="load figure files (long-format CSV)")
    ingest.add_argument("files", nargs="+", metavar="FILE")
    ingest.add_argument("--dry-run", action="store_true", help="check and show what would change; write nothing")
    ingest.add_argument("--decimal", choices=DECIMALS, help="the files' decimal mark when their numbers leave it "
                        "open (1,700): comma or dot (default: decided from each file)")
    hist = sub.add_parser("history", parents=[common], help="every revision of the matching figures")
    hist.add_argument("--unit")
    hist.add_argument("--indicator")
    hist.add_argument("--period")
    hist.add_argument("--format", choices=("table", "csv", "json"), default="table")
    uploads_cmd = sub.add_parser("uploads", parents=[common], help="the latest uploads")
    uploads_cmd.add_argument("--limit", type=_positive, default=20)
    undo = sub.add_parser("undo", parents=[common], help="undo an upload, restoring the figures it replaced")
    undo.add_argument("upload_id", type=int, metavar="UPLOAD_ID")
    score = sub.add_parser("scorecard", parents=[common], help="evaluate the targets")
    score.add_argument("--period", help="2024, 2024-Q2, 2024-H1 or 2024-9M (default: latest with data)")
    score.add_argument("--unit", default=None, help="unit code, or 'all' (default: the plan's scope unit, KT)")
    score.add_argument("--format", choices=("table", "csv", "json"), default="table")
    report = sub.add_parser("report", parents=[common], help="the review report of a period (sơ kết, tổng kết)")
    report.add_argument("--period", required=True, help="2024-Q2, 2024-H1, 2024-9M or 2024")
    report.add_argument("--unit", default=None, help="unit code (default: the plan's scope unit, KT); the units "
                        "below it get a sheet each")
    report.add_argument("--format", choices=("xlsx", "docx", "pdf"), default="xlsx",
                        help="xlsx: the workbook; docx and pdf: the printable report (charts need Chromium)")
    report.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    add_parsers(sub, common)
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _json_value(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _cmd_init(args: argparse.Namespace) -> int:
    store, plans = open_store(resolve_url(args.db), args.plans)
    years = ", ".join(str(y) for y in sorted(plans))
    print(f"{store.url}: schema ready; plans {years} loaded")
    return EXIT_OK


def _cmd_sample(args: argparse.Namespace) -> int:
    from kpi.sample import load_sample

    store, plans = open_store(resolve_url(args.db), args.plans)
    if args.year not in plans:
        print(f"kpi sample: no plan for {args.year}", file=sys.stderr)
        return EXIT_USAGE
    actor = command_actor(args, store)
    if not actor.is_admin:  # the sample writes figures for every unit
        print(t("cli.not_allowed", args.lang, user=actor.name), file=sys.stderr)
        return EXIT_REJECTED
    for result in load_sample(store, plans, args.year, actor=actor):
        print(result.summary(args.lang))
    return EXIT_OK


def _cmd_ingest(args: argparse.Namespace) -> int:
    from kpi.ingest import Limits, Source, SourceTooLarge, ingest

    store, plans = open_store(resolve_url(args.db), args.plans)
    actor = command_actor(args, store)
    limits = Limits.from_env()
    status = EXIT_OK
    for name in args.files:
        try:
            source = Source.from_path(name, limits)  # the literal name: `bao-cao[12].csv` is that file only
        except SourceTooLarge as exc:
            print(f"{name}: {t('cli.too_large', args.lang, n=exc.size, limit=exc.limit)}", file=sys.stderr)
            status = EXIT_REJECTED
            continue
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            print(f"{name}: {t('cli.no_file', args.lang)}", file=sys.stderr)
            status = EXIT_REJECTED
            continue
        except OSError as exc:
            print(f"{name}: {t('cli.cannot_read', args.lang, detail=exc.strerror)}", file=sys.stderr)
            status = EXIT_REJECTED
            continue
        result = ingest(store, plans, source, origin="cli", dry_run=args.dry_run, decimal=args.decimal,
                        limits=limits, actor=actor)
        stream = sys.stdout if result.ok else sys.stderr
        print(result.summary(args.lang), file=stream)
        for problem in result.problems:
            print(f"  {source.name}: {problem.describe(args.lang)}", file=stream)
        if not result.ok:
            status = EXIT_REJECTED
    return status


def print_frame(frame: pd.DataFrame, fmt: str) -> None:
    """Print `frame` as a table, CSV (formula-safe) or JSON on standard output."""
    import pandas as pd

    from kpi.export import safe_frame

    if fmt == "json":
        records = [{k: _json_value(v) for k, v in row.items()} for row in frame.to_dict("records")]
        json.dump(records, sys.stdout, ensure_ascii=False, indent=1, default=str)
        print()
    elif fmt == "csv":
        safe_frame(frame).to_csv(sys.stdout, index=False)  # notes and file names come from users' files
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 250,
                               "display.max_colwidth", 48):
            print(frame.to_string(index=False) if len(frame) else "—")


def _cmd_history(args: argparse.Namespace) -> int:
    from kpi.periods import parse_period
    from kpi.revisions import history

    try:
        period = str(parse_period(args.period)) if args.period else None
    except ValueError as exc:  # a usage error, like the scorecard's
        print(f"kpi history: {exc}", file=sys.stderr)
        return EXIT_USAGE
    store, _ = open_store(resolve_url(args.db), args.plans)
    with store.connect() as conn:
        frame = history(conn, args.unit.upper() if args.unit else None,
                        args.indicator.lower() if args.indicator else None, period)
    print_frame(frame.drop(columns=["undone_at"]), args.format)
    return EXIT_OK


def _cmd_uploads(args: argparse.Namespace) -> int:
    from kpi.revisions import recent_uploads

    store, _ = open_store(resolve_url(args.db), args.plans)
    with store.connect() as conn:
        print_frame(recent_uploads(conn, args.limit), "table")
    return EXIT_OK


def _cmd_undo(args: argparse.Namespace) -> int:
    from kpi.revisions import UndoError, undo_upload

    store, plans = open_store(resolve_url(args.db), args.plans)
    try:
        done = undo_upload(store, args.upload_id, command_actor(args, store), plans)
    except UndoError as exc:
        print(t(f"undo.{exc.code}", args.lang, upload=exc.upload_id, **exc.params), file=sys.stderr)
        return EXIT_REJECTED
    print(t("undo.done", args.lang, upload=done.upload_id, withdrawn=done.withdrawn, restored=done.restored))
    return EXIT_OK


def _cmd_scorecard(args: argparse.Namespace) -> int:
    from kpi.periods import parse_period
    from kpi.scorecard import default_period, display_table, load_scorecard, machine_table, plan_for_period

    store, plans = open_store(resolve_url(args.db), args.plans)
    try:
        period = str(parse_period(args.period)) if args.period else None
        if period:
            plan_for_period(plans, period)
    except (ValueError, KeyError) as exc:
        print(f"kpi scorecard: {exc}", file=sys.stderr)
        return EXIT_USAGE
    period = period or default_period(store, plans)
    plan = plan_for_period(plans, period)
    unit = (args.unit or plan.plan.scope_unit).upper()
    if unit != "ALL" and unit not in {u.code for u in plan.units}:
        print(f"kpi scorecard: unknown unit {unit!r}", file=sys.stderr)
        return EXIT_USAGE
    # Only the unit asked for is evaluated: the database reads its subtree, not the whole country.
    period, result = load_scorecard(store, plans, period, None if unit == "ALL" else [unit])
    unit = "all" if unit == "ALL" else unit
    if args.format == "table":
        print(f"{period} · {unit}")
        print_frame(display_table(result, plan, args.lang), "table")
    else:
        print_frame(machine_table(result, args.format), args.format)
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kpi.periods import parse_period
    from kpi.report.content import build_review
    from kpi.report.sentences import report_period
    from kpi.report.workbook import review_workbook, sheet_count

    try:
        period = str(parse_period(args.period))
    except ValueError:
        print(f"kpi report: {t('review.bad_period', args.lang, period=args.period)}", file=sys.stderr)
        return EXIT_USAGE
    store, plans = open_store(resolve_url(args.db), args.plans)
    try:
        review = build_review(store, plans, period, args.unit and args.unit.upper(),
                              args.lang)
    except ValueError as exc:  # an unknown period, a year without a plan, a unit the plan does not know
        print(f"kpi report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "xlsx":
        Path(args.out).write_bytes(review_workbook(review))
        said = t("review.written", args.lang, path=args.out, sheets=sheet_count(review))
    else:
        from kpi.report.document import review_docx, review_pdf

        Path(args.out).write_bytes((review_docx if args.format == "docx" else review_pdf)(review))
        said = t("review.written_doc", args.lang, path=args.out)
    if not review.has_data:  # the file says so too; the command still succeeds
        print(t("review.no_data", args.lang, period=report_period(review.period, args.lang)), file=sys.stderr)
    print(said)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `kpi` command line; returns the exit code."""
    args = _parser().parse_args(argv)
    handlers = {"init": _cmd_init, "sample": _cmd_sample, "ingest": _cmd_ingest, "scorecard": _cmd_scorecard,
                "history": _cmd_history, "uploads": _cmd_uploads, "undo": _cmd_undo, "report": _cmd_report}
    try:
        if args.command in ACCESS_COMMANDS:
            from kpi.cli_access import run

            status = run(args, lambda: open_store(resolve_url(args.db), args.plans))
        else:
            status = handlers[args.command](args)
        sys.stdout.flush()
        return status
    except PlanError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except DatabaseBusy:
        print(f"kpi: {t('busy', args.lang)}", file=sys.stderr)
        return EXIT_BUSY
    except ActorError as exc:
        print(f"kpi: {t('cli.unknown_actor', args.lang, user=str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader left (`| head`): say nothing, and keep Python from complaining about stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE
    except Exception:  # noqa: BLE001 - a crash must not exit 1, the code for "file rejected"
        print(f"kpi: {t('cli.crash', args.lang)}", file=sys.stderr)
        traceback.print_exc()
        return EXIT_CRASH


if __name__ == "__main__":
    sys.exit(main())
