"""National-scale data for benchmarks and scale tests: a plan over a whole country (provinces, communes below them,
many indicators) and years of quarterly figures for it, generated deterministically and written straight into a
store as one upload per year.

    python -m kpi.national --db URL --plans DIR [--provinces 63] [--communes 10000] [--indicators 100]
                           [--commune-indicators 25] [--years 10] [--seed 0]

The default scale is the one a ministry would hold: 63 provinces, 10,000 communes, 100 indicators (25 sent by every
commune, 75 by the provinces), 4 quarters, 10 years, about 10,000,000 figures. The last year stops after its third
quarter (the year in progress), and in it about one commune figure in 200 is missing and one in 20 is an estimate,
so that incomplete spans and estimates appear at scale. Tests use a small slice of the same generator.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import rtoml

from kpi.plan import Plan, parse_plan
from kpi.store import Store, uploads

ROOT = "VN"


@dataclass(frozen=True)
class Scale:
    """How much to generate."""

    provinces: int = 63
    communes: int = 10_000
    indicators: int = 100
    commune_indicators: int = 25  # of `indicators`, sent by every commune; the rest by the provinces
    years: int = 10
    last_year: int = 2024

    @property
    def first_year(self) -> int:
        """The first year with figures."""
        return self.last_year - self.years + 1

    def province_of(self, commune: int) -> int:
        """The province (0-based) commune number `commune` (0-based) belongs to: contiguous blocks."""
        return commune * self.provinces // self.communes


def _unit_codes(scale: Scale) -> tuple[list[str], list[str]]:
    return ([f"P{p + 1:02d}" for p in range(scale.provinces)], [f"C{c + 1:05d}" for c in range(scale.communes)])


# Commune indicators rotate through four shapes, province indicators through three (kind, flow, rollup, extra).
_COMMUNE_SHAPES = (
    ("at_least", "flow", "sum", {"applies_to": "scope"}),
    ("at_least", "level", "mean", {"applies_to": "each", "tolerance": 2}),
    ("reduce_vs_baseline", "flow", "sum", {"applies_to": "scope"}),
    ("at_least", "level", "min", {"applies_to": "each"}),
)
_PROVINCE_SHAPES = (
    ("rank_gain", "level", "none", {"applies_to": "each", "integer": True}),
    ("at_least", "flow", "sum", {"applies_to": "each"}),
    ("more_than", "level", "mean", {"applies_to": "each"}),
)


def _indicator(number: int, scale: Scale) -> dict:
    by_communes = number < scale.commune_indicators
    shapes = _COMMUNE_SHAPES if by_communes else _PROVINCE_SHAPES
    kind, flow, rollup, extra = shapes[number % len(shapes)]
    level = flow == "level"
    spec = {"code": f"ind_{number + 1:03d}", "name_vi": f"Chỉ tiêu {number + 1}", "name_en": f"Indicator {number + 1}",
            "measure_vi": "hạng" if kind == "rank_gain" else "%" if level else "đơn vị",
            "measure_en": "rank" if kind == "rank_gain" else "%" if level else "units",
            "kind": kind, "flow": flow, "rollup": rollup, "min": 0, "max": 100 if level else 1_000_000_000,
            "lead_unit": ROOT, "reported_by": ["communes" if by_communes else "provinces"], **extra}
    if kind == "rank_gain":
        spec.update(min=1, max=scale.provinces, target=2, decimals=0)
    elif kind != "reduce_vs_baseline":
        # A flow's scope target: 3% more than a commune's typical year (100 a quarter) times the communes.
        spec["target"] = (round(400 * 1.03 * scale.communes) if by_communes else 420) if not level else 75
    return spec


def plan_dict(scale: Scale) -> dict:
    """The national plan as a dict in the plan file's layout (see README, "Plan file")."""
    provinces, communes = _unit_codes(scale)
    units = [{"code": ROOT, "name_vi": "Cả nước", "name_en": "Whole country", "kind": "other"}]
    units += [{"code": code, "name_vi": f"Tỉnh {n + 1}", "name_en": f"Province {n + 1}", "kind": "province",
               "parent": ROOT} for n, code in enumerate(provinces)]
    units += [{"code": code, "name_vi": f"Xã {n + 1}", "name_en": f"Commune {n + 1}", "kind": "locality",
               "parent": provinces[scale.province_of(n)]} for n, code in enumerate(communes)]
    return {
        "plan": {"year": scale.last_year, "baseline_year": scale.last_year - 1, "scope_unit": ROOT,
                 "title_vi": "Kế hoạch thử nghiệm quy mô toàn quốc", "title_en": "National-scale test plan"},
        "status": {"on_track": 100, "at_risk": 80},
        "units": units,
        "groups": {"provinces": provinces, "communes": communes},
        "indicators": [_indicator(n, scale) for n in range(scale.indicators)],
    }


def national_plan(scale: Scale) -> Plan:
    """The national plan, checked like a plan file."""
    return parse_plan(plan_dict(scale), "national")


def write_plan(directory: str | Path, scale: Scale) -> Path:
    """Write the national plan as `<last year>.toml` in `directory`; returns its path."""
    path = Path(directory) / f"{scale.last_year}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(rtoml.dumps(plan_dict(scale)), encoding="utf-8")
    return path


def _values(rng: np.random.Generator, base: np.ndarray, shape: tuple, kind: str, flow: str, growth: float,
            units: int) -> np.ndarray:
    """A year's quarter values (units × 4): flows around `base` a quarter, levels (%) around `base`, ranks a fresh
    permutation each quarter."""
    if kind == "rank_gain":
        return np.stack([rng.permutation(units) + 1 for _ in range(4)], axis=1).astype("float64")
    noise = rng.normal(1.0, 0.08, size=shape)
    if flow == "flow":
        return np.round(base[:, None] * growth * noise)
    return np.clip(np.round(base[:, None] * noise, 1), 0, 100)


def _year_rows(scale: Scale, plan: Plan, year: int, rng: np.random.Generator, bases: dict) -> pa.Table:
    provinces, communes = _unit_codes(scale)
    quarters = 3 if year == scale.last_year else 4
    growth = 1.03 ** (year - scale.first_year)
    parts = []
    for number, ind in enumerate(plan.indicators):
        codes = communes if number < scale.commune_indicators else provinces
        base = bases[ind.code]
        values = _values(rng, base, (len(codes), 4), ind.kind, ind.flow, growth, len(codes))[:, :quarters]
        unit = np.repeat(np.array(codes), quarters)
        quarter = np.tile(np.arange(1, quarters + 1), len(codes))
        keep = np.ones(len(unit), dtype=bool)
        estimate = np.zeros(len(unit), dtype=bool)
        if year == scale.last_year and codes is communes:
            keep = rng.random(len(unit)) >= 0.005
            estimate = rng.random(len(unit)) < 0.05
        parts.append(pa.table({
            "unit": pa.array(unit[keep]), "indicator": pa.array(np.full(keep.sum(), ind.code)),
            "period": pa.array(np.char.add(f"{year}-Q", quarter[keep].astype(str))),
            "year": pa.array(np.full(keep.sum(), year, dtype="int32")),
            "quarter": pa.array(quarter[keep].astype("int16")), "value": pa.array(values.ravel()[keep]),
            "qualifier": pa.nulls(keep.sum(), pa.string()), "note": pa.nulls(keep.sum(), pa.string()),
            "estimate": pa.array(estimate[keep]),
        }))
    return pa.concat_tables(parts)


def write_figures(store: Store, plan: Plan, scale: Scale, seed: int = 0) -> int:
    """Write every year's figures into `store` (one upload per year, source 'sample'); returns how many."""
    from kpi.ingest.commit import insert_submissions

    rng = np.random.default_rng(seed)
    provinces, communes = _unit_codes(scale)
    bases = {}
    for number, ind in enumerate(plan.indicators):
        size = len(communes) if number < scale.commune_indicators else len(provinces)
        bases[ind.code] = rng.uniform(50, 150, size) if ind.flow == "flow" else rng.uniform(55, 95, size)
    written = 0
    for year in range(scale.first_year, scale.last_year + 1):
        rows = _year_rows(scale, plan, year, rng, bases)
        with store.begin() as conn:
            upload_id = conn.execute(uploads.insert().values(
                file_name=f"national-{year}.generated", file_sha256="0" * 64, source="sample",
                created_by="kpi.national", created_at=datetime(year + 1, 1, 1) if year < scale.last_year
                else datetime(year, 10, 15), n_rows=rows.num_rows, n_new=rows.num_rows, n_revised=0, n_unchanged=0,
            ).returning(uploads.c.id)).scalar_one()
            insert_submissions(conn, rows, int(upload_id))
        written += rows.num_rows
    return written


def main(argv: list[str] | None = None) -> int:
    """Write the national plan into `--plans` and its figures into `--db` (initialised first)."""
    from kpi.bootstrap import open_store

    parser = argparse.ArgumentParser(prog="python -m kpi.national", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of the store to fill")
    parser.add_argument("--plans", required=True, help="folder to write the plan file into")
    defaults = Scale()
    for name in ("provinces", "communes", "indicators", "commune_indicators", "years", "last_year"):
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(defaults, name))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    scale = Scale(**{name: getattr(args, name) for name in ("provinces", "communes", "indicators",
                                                             "commune_indicators", "years", "last_year")})
    write_plan(args.plans, scale)
    store, plans = open_store(args.db, args.plans)
    count = write_figures(store, plans[scale.last_year], scale, args.seed)
    store.dispose()
    print(f"{count} figures, {scale.provinces} provinces, {scale.communes} communes, {scale.indicators} indicators, "
          f"{scale.first_year}–{scale.last_year}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
