"""Believable sample figures for the 2024 plan and its 2023 baselines, loaded through the normal ingestion path.

Shaped like Kon Tum's own figures (about 560,000 people, ten localities): tourist arrivals in the hundreds of
thousands a quarter, budget revenue around a thousand billion VND a quarter, accidents in the tens. Some units are
ahead, some behind; Kon Rẫy (KRA) has not reported the third quarter and Đắk Glei (DGL) reported it late; a
last upload revises two figures, so the history has revisions. Uploads carry the dates they would have arrived.
Seeded, so every run gives the same figures.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa

from kpi.access import Actor
from kpi.ingest import Checked, Source, ingest
from kpi.plan import Plan
from kpi.store import Store, uploads

SEED = 2024
LATE_UNIT = "KRA"  # has not sent its third-quarter report
LATE_SENDER = "DGL"  # sent its third-quarter report two weeks after the due date
QUARTERS = (1, 2, 3)  # the sample stands at the nine-month review (9 tháng 2024)

# Share of the province's tourist arrivals, and of its road accidents, by locality.
_TOURISM_SHARE = {"TPKT": .36, "KPL": .27, "NHO": .08, "DHA": .06, "DTO": .05, "DGL": .04, "KRA": .04,
                  "STH": .04, "TMR": .03, "IHD": .03}
_ACCIDENT_SHARE = {"TPKT": .30, "DHA": .11, "NHO": .12, "DTO": .10, "STH": .08, "KRA": .06, "KPL": .07,
                   "DGL": .06, "IHD": .06, "TMR": .04}
_POVERTY_2023 = {"TPKT": 3.12, "DHA": 9.87, "DTO": 15.42, "NHO": 10.35, "DGL": 27.64, "KPL": 31.08,
                 "KRA": 19.76, "STH": 14.93, "TMR": 38.41, "IHD": 12.57}
_SEASON = (0.24, 0.27, 0.22, 0.27)
# How each locality does in 2024 compared with 2023 (tourism growth; accident change).
_TOURISM_GROWTH = {"TPKT": 1.09, "KPL": 1.31, "NHO": 1.05, "DHA": 1.02, "DTO": 0.97, "DGL": 1.0, "KRA": 1.03,
                   "STH": 0.95, "TMR": 1.12, "IHD": 0.98}
_ACCIDENT_CHANGE = {"TPKT": 1.12, "DHA": 0.85, "NHO": 0.92, "DTO": 0.8, "STH": 1.05, "KRA": 0.9, "KPL": 0.95,
                    "DGL": 0.75, "IHD": 1.1, "TMR": 0.7}


def _row(unit: str, indicator: str, year: int, quarter: int, value: float, note: str = "",
         qualifier: str | None = None) -> dict:
    period = f"{year}" if quarter == 0 else f"{year}-Q{quarter}"
    return {"unit": unit, "indicator": indicator, "period": period, "year": year, "quarter": quarter,
            "value": value, "qualifier": qualifier, "note": note}


def sample_figures(plan: Plan, seed: int = SEED) -> pd.DataFrame:
    """The sample's figures (columns unit, indicator, period, year, quarter, value, qualifier, note)."""
    rng = np.random.default_rng(seed)
    year, base = plan.year, plan.baseline_year
    rows: list[dict] = []

    def noisy(value: float, spread: float = 0.04) -> float:
        return float(value * rng.normal(1.0, spread))

    # Province-wide level indicators: quarterly estimates (cumulative), annual for the baseline year.
    province = {"grdp_growth": (8.62, [8.71, 9.06, 9.18], 2), "grdp_per_capita": (57.83, [59.12, 60.57, 61.93], 1),
                "trained_labour_rate": (56.9, [57.2, 57.7, 58.1], 1),
                "vocational_trained_rate": (38.7, [38.9, 39.3, 39.6], 1)}
    for code, (baseline, estimates, digits) in province.items():
        rows.append(_row("KT", code, base, 0, baseline))
        rows += [_row("KT", code, year, q, round(v, digits), "Số ước tính") for q, v in zip(QUARTERS, estimates)]
    budget_2023 = [983.4, 1104.9, 1012.7, 1187.2]
    budget_2024 = [1032.6, 1198.3, 1151.9]
    rows += [_row("KT", "budget_revenue", base, q, v) for q, v in enumerate(budget_2023, 1)]
    rows += [_row("KT", "budget_revenue", year, q, v) for q, v in zip(QUARTERS, budget_2024)]

    # Published indices: the 2023 ranks (PCI only as "below 30th" since 2023); 2024 not yet published.
    rows.append(_row("KT", "pci_rank", base, 0, 30, "VCCI chỉ công bố 30 tỉnh đứng đầu", qualifier=">"))
    rows += [_row("KT", code, base, 0, rank) for code, rank in
             (("papi_rank", 43), ("par_index_rank", 38), ("sipas_rank", 41))]

    # Localities: tourism, new-rural communes, poverty and road safety, quarter by quarter.
    total_2023 = 1_512_300
    for unit, share in _TOURISM_SHARE.items():
        for q in (1, 2, 3, 4):
            rows.append(_row(unit, "tourist_arrivals", base, q, round(noisy(total_2023 * share * _SEASON[q - 1]))))
        for q in QUARTERS:
            arrivals = total_2023 * share * _SEASON[q - 1] * _TOURISM_GROWTH[unit]
            rows.append(_row(unit, "tourist_arrivals", year, q, round(noisy(arrivals))))
    communes = {("DHA", 2): 1, ("NHO", 3): 1, ("STH", 3): 1}
    for unit in _TOURISM_SHARE:
        rows += [_row(unit, "new_rural_communes", base, q, 1 if (unit, q) in {("DHA", 3), ("TPKT", 4)} else 0)
                 for q in (1, 2, 3, 4)]
        rows += [_row(unit, "new_rural_communes", year, q, communes.get((unit, q), 0)) for q in QUARTERS]
    for unit, rate in _POVERTY_2023.items():
        rows.append(_row(unit, "poverty_rate_reduction", base, 0, rate, "Kết quả rà soát cuối năm"))
        fall = rng.uniform(1.8, 4.6) if unit != "TMR" else 4.9
        rows.append(_row(unit, "poverty_rate_reduction", year, 3, round(max(rate - fall, 0.5), 2), "Số ước tính"))
    rows.append(_row("KT", "poverty_rate_reduction", base, 0, 16.84, "Kết quả rà soát cuối năm"))
    rows.append(_row("KT", "poverty_rate_reduction", year, 3, 13.96, "Số ước tính"))
    accidents_2023 = {"traffic_accidents": 31, "traffic_deaths": 23, "traffic_injuries": 28}  # province, a quarter
    for code, per_quarter in accidents_2023.items():
        for unit, share in _ACCIDENT_SHARE.items():
            for q in (1, 2, 3, 4):
                rows.append(_row(unit, code, base, q, int(rng.poisson(per_quarter * share * 1.0))))
            for q in QUARTERS:
                rows.append(_row(unit, code, year, q, int(rng.poisson(per_quarter * share * _ACCIDENT_CHANGE[unit]))))

    # The department's divisions: citizens' satisfaction at the one-stop desk, every quarter.
    for unit, level in {"VP": 97.2, "TTS": 96.1, "KHTC": 95.8, "QLHT": 94.6, "QLVT": 93.8, "QLCL": 96.7,
                        "BQLDA": 95.3, "TTDK": 92.9}.items():
        rows.append(_row(unit, "admin_satisfaction", base, 0, round(level - 1.1, 1)))
        rows += [_row(unit, "admin_satisfaction", year, q, round(min(level + rng.normal(0, 0.6), 100), 1))
                 for q in QUARTERS]

    frame = pd.DataFrame(rows)
    late = (frame["unit"] == LATE_UNIT) & (frame["year"] == year) & (frame["quarter"] == 3)
    return frame[~late].reset_index(drop=True)


def sample_revisions(figures: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """A second, smaller upload that corrects two figures of the first (so the history shows revisions)."""
    year = plan.year
    picks = [("TPKT", "tourist_arrivals", f"{year}-Q2", 1.015, "Sở VHTTDL điều chỉnh số liệu"),
             ("KT", "budget_revenue", f"{year}-Q3", 1.021, "Số liệu chính thức của Kho bạc")]
    rows = []
    for unit, indicator, period, factor, note in picks:
        match = figures[(figures["unit"] == unit) & (figures["indicator"] == indicator) & (figures["period"] == period)]
        row = match.iloc[0].to_dict()
        value = row["value"] * factor
        row.update(value=round(value, 1) if indicator == "budget_revenue" else round(value), note=note)
        rows.append(row)
    return pd.DataFrame(rows)


def _already_loaded(store: Store, digest: str) -> bool:
    query = sa.select(sa.func.count()).select_from(uploads).where(
        uploads.c.file_sha256 == digest, uploads.c.source == "sample", uploads.c.undone_at.is_(None)
    )
    with store.connect() as conn:
        return bool(conn.execute(query).scalar())


def sample_uploads(plan: Plan) -> list[tuple[str, pd.DataFrame, datetime]]:
    """The sample as the units would have sent it: (file name, figures, when received), oldest first.

    The baseline year in January; each quarter's reports about ten days after the quarter ends (due after 15); Đắk
    Glei's third quarter two weeks late; Kon Rẫy's third quarter not at all; then the corrections.
    """
    figures = sample_figures(plan)
    year, base = plan.year, plan.baseline_year
    late = (figures["unit"] == LATE_SENDER) & (figures["year"] == year) & (figures["quarter"] == 3)
    parts = [(f"du-lieu-mau-{base}.csv", figures[figures["year"] == base], datetime(year, 1, 22, 9, 30))]
    for quarter, received in zip(QUARTERS, (datetime(year, 4, 11, 15, 5), datetime(year, 7, 10, 10, 20),
                                            datetime(year, 10, 9, 14, 45))):
        part = figures[(figures["year"] == year) & (figures["quarter"] == quarter) & ~late]
        parts.append((f"du-lieu-mau-{year}-Q{quarter}.csv", part, received))
    parts.append((f"du-lieu-mau-{year}-Q3-{LATE_SENDER}.csv", figures[late], datetime(year, 10, 29, 8, 10)))
    parts.append((f"du-lieu-mau-{year}-dieu-chinh.csv", sample_revisions(figures, plan), datetime(year, 11, 4, 16, 0)))
    return parts


def figures_to_csv(figures: pd.DataFrame) -> bytes:
    """Canonical long-format CSV (unit,indicator,period,value,note) for `figures`, UTF-8."""
    out = figures[["unit", "indicator", "period"]].copy()
    values = figures["value"].map(lambda v: f"{v:.10g}")
    qualifier = figures["qualifier"].astype(object).fillna("") if "qualifier" in figures else ""
    out["value"] = qualifier + values
    out["note"] = figures["note"].fillna("") if "note" in figures else ""
    return out.to_csv(index=False).encode("utf-8")


def load_sample(store: Store, plans: dict[int, Plan], year: int = 2024, actor: Actor | None = None) -> list[Checked]:
    """Load the sample (uploads with source 'sample', dated as `sample_uploads` says) into `store`, as `actor`
    (default: the local administrator). A sample file already loaded is skipped, so running it again changes
    nothing (re-sending a quarter's file would otherwise undo the corrections)."""
    results = []
    for name, part, received in sample_uploads(plans[year]):
        data = figures_to_csv(part)
        if _already_loaded(store, hashlib.sha256(data).hexdigest()):
            results.append(Checked(Source(name, data)))
            continue
        results.append(ingest(store, plans, Source(name, data), origin="sample", created_by="kpi sample",
                              received_at=received, actor=actor))
    return results
