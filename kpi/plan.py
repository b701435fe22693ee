"""The plan catalogue: load and check `data/plans/<year>.toml` (indicators, targets, units, clusters).

A plan file with a mistake raises `PlanError` naming the file, the entry and the field, so the app and the CLI fail
at start with a message an administrator can act on.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

import rtoml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from kpi.i18n import JUDGED

Kind = Literal["at_least", "more_than", "rank_gain", "reduce_by", "reduce_vs_baseline"]
#: Kinds where a lower figure is better (ranks, counts to reduce, a rate to bring down).
LOWER_IS_BETTER: frozenset[str] = frozenset({"rank_gain", "reduce_by", "reduce_vs_baseline"})
DEFAULT_PLANS_DIR = Path(__file__).resolve().parent.parent / "data" / "plans"
PLANS_ENV_VAR = "KPI_PLANS_DIR"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


def plans_dir() -> Path:
    """The folder of plan files: $KPI_PLANS_DIR, else data/plans (the app and the CLI's `--plans` default)."""
    return Path(os.environ.get(PLANS_ENV_VAR) or DEFAULT_PLANS_DIR)


class PlanError(ValueError):
    """A plan file that cannot be used; the message names the file, the entry and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Named(_Strict):
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)

    def name(self, lang: str) -> str:
        """The name in `lang` ('vi' or 'en')."""
        return self.name_en if lang == "en" else self.name_vi


class PlanHeader(_Strict):
    year: int = Field(ge=2000, le=2100)
    baseline_year: int
    scope_unit: str
    title_vi: str
    title_en: str
    issued_by: str = ""
    # How the office heads its documents (Nghị định 30/2020/NĐ-CP): the parent body then the office, the place
    # before the date, and the symbol after a report's number. Optional: without them a report shows issued_by.
    masthead: list[str] = Field(default_factory=list, max_length=3)
    place: str = ""
    report_symbol: str = ""
    report_due_days: int = Field(default=15, ge=0, le=120)  # days after a quarter ends that its report is due
    # A unit registry file beside the plan (CSV UTF-8 or .xlsx, kpi.registry) whose units join [[units]].
    registry: str = ""
    # The indicators the meeting room follows quarter by quarter (projector's "quarters" slide).
    headline: list[str] = Field(default_factory=lambda: ["budget_revenue", "tourist_arrivals", "new_rural_communes",
                                                         "traffic_accidents"])

    @model_validator(mode="after")
    def _baseline_before_year(self) -> PlanHeader:
        if self.baseline_year >= self.year:
            raise ValueError("baseline_year must be before year")
        return self


class Thresholds(_Strict):
    """Status thresholds of a flow, in % of the pace needed to meet its target: on track when its projection
    reaches `on_track` % of the target (100: it meets it), at risk from a pace of `at_risk` %. A level is judged
    against its target and `tolerance` instead."""

    on_track: float = Field(gt=0, le=200)
    at_risk: float = Field(gt=0, le=200)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.at_risk >= self.on_track:
            raise ValueError("at_risk must be below on_track")
        return self


class Unit(_Named):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{0,19}$")
    kind: Literal["province", "department", "office", "locality", "other"]
    parent: str | None = None
    valid_from: str | None = Field(default=None, pattern=ISO_DATE)  # the date the unit started to exist
    valid_to: str | None = Field(default=None, pattern=ISO_DATE)  # it stopped (reorganised); its history stays


class Cluster(_Named):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{0,29}$")
    members: list[str] = Field(min_length=1)


Number = float | int
Censorable = float | int | str  # a baseline may be censored, e.g. ">30"


class Indicator(_Named):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    measure_vi: str
    measure_en: str
    kind: Kind
    target: Number | None = None
    stretch: Number | None = None
    reported_as: Literal["level", "change"] = "change"
    flow: Literal["flow", "level"]
    rollup: Literal["sum", "mean", "min", "none"]
    applies_to: Literal["scope", "each"]
    min: Number
    max: Number
    integer: bool = False
    decimals: int = Field(default=1, ge=0, le=4)
    profile: list[float] | None = None
    publication: Literal["quarterly", "annual"] = "quarterly"  # annual: an index others publish after the year
    reporting: Literal["quarterly", "annual"] = "quarterly"  # how often the units send it
    lead_unit: str
    clause: str = ""
    wording_vi: str = ""
    source_vi: str = ""
    reported_by: list[str] = Field(min_length=1)
    thresholds: Thresholds | None = None
    # A level indicator that misses its target by at most this much (in its own measure: percentage points,
    # places) is at risk rather than off track.
    tolerance: Number = Field(default=0, ge=0)
    baselines: dict[str, Censorable] = Field(default_factory=dict)
    unit_targets: dict[str, Number] = Field(default_factory=dict)

    @field_validator("profile")
    @classmethod
    def _profile_shares(cls, value: list[float] | None) -> list[float] | None:
        if value is None:
            return None
        if len(value) != 4 or any(v < 0 for v in value) or not math.isclose(sum(value), 1.0, abs_tol=1e-6):
            raise ValueError("profile must be four non-negative quarter shares that add up to 1")
        return value

    @model_validator(mode="after")
    def _kind_fields(self) -> Indicator:
        if self.min >= self.max:
            raise ValueError("min must be below max")
        if self.kind == "reduce_vs_baseline":
            if self.target is not None:
                raise ValueError("target: reduce_vs_baseline takes its target from the baseline; leave it out")
        elif self.target is None:
            raise ValueError(f"target: required for kind {self.kind}")
        if self.kind == "rank_gain" and (not self.integer or self.target is None or self.target < 0):
            raise ValueError("rank_gain needs integer = true and a target of places ≥ 0")
        if self.stretch is not None:
            if self.kind != "reduce_by":
                raise ValueError("stretch: only reduce_by has a stretch target")
            if self.target is not None and self.stretch < self.target:
                raise ValueError("stretch must not be below target")
        if self.profile is not None and self.flow != "flow":
            raise ValueError("profile: only a flow indicator has a quarter profile")
        return self

    def measure(self, lang: str) -> str:
        """The unit of measure in `lang` (%, tỷ đồng, hạng / 63…)."""
        return self.measure_en if lang == "en" else self.measure_vi

    @property
    def lower_is_better(self) -> bool:
        """True where the submitted figure improves as it falls (ranks, accidents, a poverty rate)."""
        return self.kind in LOWER_IS_BETTER and not (self.kind == "reduce_by" and self.reported_as == "change")

    def cumulative_share(self, through_quarter: int) -> float:
        """The share (0–1) of the annual target expected by the end of `through_quarter` (1–4)."""
        shares = self.profile or [0.25, 0.25, 0.25, 0.25]
        return float(sum(shares[:through_quarter]))


#: How units equal on their share of the maximum score are told apart, in the order the plan lists them.
TieRule = Literal["score", "achieved", "improved", "missing"]


class Title(_Named):
    """A commendation the plan proposes (the council decides): for a unit whose figures are complete, whose score
    is at least `min_share` % of its maximum, ranked within the first `top` of its cluster (None: any rank), in
    `clusters` (empty: every cluster). Titles are listed from the highest; a unit is proposed for the first it
    qualifies for."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    min_share: float = Field(ge=0, le=100)
    top: int | None = Field(default=None, ge=1)
    clusters: list[str] = Field(default_factory=list)


class Emulation(_Strict):
    """The emulation scoring rules (xếp hạng thi đua): points per judged target by status, extra points for a
    target better than last year's figure, a weight per indicator (default 1), the tie-breaks after the share of
    the maximum score, and the titles to propose. Without a section in the plan file: a target achieved or on
    track scores 1, anything else 0; ties go to the higher score, then to fewer targets with reports missing."""

    points: dict[str, float] = Field(default_factory=lambda: {"achieved": 1.0, "on_track": 1.0})
    improved: float = Field(default=0, ge=0)
    weights: dict[str, float] = Field(default_factory=dict)
    ties: list[TieRule] = Field(default_factory=lambda: ["score", "missing"])
    titles: list[Title] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Emulation:
        for status, value in self.points.items():
            if status not in JUDGED:
                raise ValueError(f"points: {status!r} is not a judged status ({', '.join(JUDGED)})")
            if value < 0:
                raise ValueError(f"points.{status}: must not be negative")
        if not self.points or max(self.points.values()) <= 0:
            raise ValueError("points: at least one status must score more than 0")
        for code, weight in self.weights.items():
            if weight <= 0:
                raise ValueError(f"weights.{code}: must be more than 0")
        if len(set(self.ties)) != len(self.ties):
            raise ValueError("ties: a rule is listed twice")
        _unique([t.code for t in self.titles], "emulation.titles", "code")
        return self

    def weight(self, indicator: str) -> float:
        """The indicator's weight in the score (1 unless the plan says otherwise)."""
        return float(self.weights.get(indicator, 1.0))

    @property
    def best(self) -> float:
        """The most points a target can score for its status (the maximum's unit, before weights)."""
        return max(self.points.values())


class Plan(_Strict):
    """One year's plan: header, thresholds, units, groups, clusters and indicators, cross-checked."""

    source: str = ""
    _order: tuple[int, dict[str, int]] | None = PrivateAttr(default=None)
    _reporters: tuple[int, dict[str, frozenset[str]]] | None = PrivateAttr(default=None)
    _digest: tuple[int, str] | None = PrivateAttr(default=None)  # kpi.catalogue.plan_digest
    _children: tuple[int, dict[str, list[str]]] | None = PrivateAttr(default=None)
    _by_code: tuple[int, dict[str, Unit]] | None = PrivateAttr(default=None)
    _indicators_by_code: tuple[int, dict[str, Indicator]] | None = PrivateAttr(default=None)
    plan: PlanHeader
    status: Thresholds
    units: list[Unit] = Field(min_length=1)
    groups: dict[str, list[str]] = Field(default_factory=dict)
    clusters: list[Cluster] = Field(default_factory=list)
    indicators: list[Indicator] = Field(min_length=1)
    emulation: Emulation = Field(default_factory=Emulation)

    @model_validator(mode="after")
    def _references(self) -> Plan:
        unit_codes = [u.code for u in self.units]
        _unique(unit_codes, "units", "code")
        _unique([i.code for i in self.indicators], "indicators", "code")
        _unique([c.code for c in self.clusters], "clusters", "code")
        known = set(unit_codes)
        if self.plan.scope_unit not in known:
            raise ValueError(f"plan.scope_unit: unknown unit {self.plan.scope_unit!r}")
        for unit in self.units:
            if unit.parent is not None and unit.parent not in known:
                raise ValueError(f"units[{unit.code}].parent: unknown unit {unit.parent!r}")
        self._check_acyclic()
        for name, members in self.groups.items():
            if name in known:
                raise ValueError(f"groups.{name}: a group may not share a unit's code")
            for code in members:
                if code not in known:
                    raise ValueError(f"groups.{name}: unknown unit {code!r}")
        seen: dict[str, str] = {}
        for cluster in self.clusters:
            for code in cluster.members:
                if code not in known:
                    raise ValueError(f"clusters[{cluster.code}].members: unknown unit {code!r}")
                if code in seen:
                    raise ValueError(f"clusters[{cluster.code}].members: {code} is already in {seen[code]}")
                seen[code] = cluster.code
        for ind in self.indicators:
            where = f"indicators[{ind.code}]"
            if ind.lead_unit not in known:
                raise ValueError(f"{where}.lead_unit: unknown unit {ind.lead_unit!r}")
            for name in ind.reported_by:
                if name not in known and name not in self.groups:
                    raise ValueError(f"{where}.reported_by: {name!r} is neither a unit nor a group")
            for field, mapping in (("baselines", ind.baselines), ("unit_targets", ind.unit_targets)):
                for code in mapping:
                    if code not in known:
                        raise ValueError(f"{where}.{field}: unknown unit {code!r}")
        self._check_emulation()
        return self

    def _check_emulation(self) -> None:
        indicators = {i.code for i in self.indicators}
        for code in self.emulation.weights:
            if code not in indicators:
                raise ValueError(f"emulation.weights: unknown indicator {code!r}")
        clusters = {c.code for c in self.clusters}
        for title in self.emulation.titles:
            for code in title.clusters:
                if code not in clusters:
                    raise ValueError(f"emulation.titles[{title.code}].clusters: unknown cluster {code!r}")

    def _check_acyclic(self) -> None:
        parents = {u.code: u.parent for u in self.units}
        for code in parents:
            seen = {code}
            node = parents[code]
            while node is not None:
                if node in seen:
                    raise ValueError(f"units[{code}].parent: the tree has a cycle through {node}")
                seen.add(node)
                node = parents[node]

    # ---- look-ups used across the app
    @property
    def year(self) -> int:
        """The plan's year."""
        return self.plan.year

    @property
    def baseline_year(self) -> int:
        """The year the plan compares with (the year before)."""
        return self.plan.baseline_year

    def indicator(self, code: str) -> Indicator:
        """The indicator with `code`; KeyError when the plan has none."""
        return self.cached("_indicators_by_code", lambda: {i.code: i for i in self.indicators})[code]

    def unit(self, code: str) -> Unit:
        """The unit with `code`; KeyError when the registry has none. A dict lookup: pages name thousands of
        rows' units from a registry of tens of thousands."""
        return self.cached("_by_code", lambda: {u.code: u for u in self.units})[code]

    def reporters(self, indicator: Indicator) -> list[str]:
        """Unit codes that usually report `indicator`, groups expanded, in registry order."""
        wanted: set[str] = set()
        for name in indicator.reported_by:
            wanted.update(self.groups.get(name, [name]))
        order = self.unit_positions()
        return sorted(wanted, key=order.__getitem__)

    def cached(self, name: str, build: Callable[[], Any]) -> Any:
        """`build()`, worked out once per plan object and kept in its private attribute `name` (registries can
        hold tens of thousands of communes). model_copy() copies private attributes, so each cache records the
        plan it was built for and a copy builds its own."""
        cache = getattr(self, name)
        if cache is None or cache[0] != id(self):
            cache = (id(self), build())
            object.__setattr__(self, name, cache)
        return cache[1]

    def unit_positions(self) -> dict[str, int]:
        """Each unit's place in the registry (0 first), by code: the order every list of units follows. Worked
        out once per plan; do not change the dict."""
        return self.cached("_order", lambda: {u.code: n for n, u in enumerate(self.units)})

    def children(self, code: str) -> list[str]:
        """The codes of the units directly under `code`, in registry order (empty for a unit without any)."""
        def build() -> dict[str, list[str]]:
            tree: dict[str, list[str]] = {}
            for unit in self.units:
                if unit.parent is not None:
                    tree.setdefault(unit.parent, []).append(unit.code)
            return tree

        return list(self.cached("_children", build).get(code, ()))  # a copy: plans are shared between sessions

    def subtree(self, code: str) -> list[str]:
        """`code` and every unit below it, in registry order (a code the registry lacks: itself alone)."""
        below, todo = {code}, [code]
        while todo:
            children = self.children(todo.pop())
            below.update(children)
            todo.extend(children)
        order = self.unit_positions()
        return sorted(below, key=lambda unit: order.get(unit, -1))

    def with_children(self, code: str) -> list[str]:
        """`code` and the units directly under it: what a page comparing one unit with its own units shows."""
        return [code, *self.children(code)]

    def has_unit(self, code: str) -> bool:
        """True when the registry has a unit `code`."""
        return code in self.unit_positions()

    def reports(self, indicator: Indicator, unit: str) -> bool:
        """True when `unit` usually reports `indicator` (named in its `reported_by`, or in a group named there)."""
        sets = self.cached("_reporters", dict)
        if indicator.code not in sets:
            sets[indicator.code] = frozenset(self.reporters(indicator))
        return unit in sets[indicator.code]

    def cluster_of(self, unit_code: str) -> Cluster | None:
        """The emulation cluster `unit_code` belongs to, or None."""
        return next((c for c in self.clusters if unit_code in c.members), None)

    def thresholds_for(self, indicator: Indicator) -> Thresholds:
        """The indicator's status thresholds, falling back to the plan's."""
        return indicator.thresholds or self.status


def _unique(codes: Iterable[str], section: str, field: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"{section}[{code}].{field}: duplicate code")
        seen.add(code)


def _describe_location(raw: dict[str, Any], loc: tuple[Any, ...]) -> str:
    """Turn pydantic's ('indicators', 6, 'kind') into 'indicators[pci_rank].kind'."""
    parts: list[str] = []
    node: Any = raw
    for item in loc:
        if isinstance(item, int) and isinstance(node, list) and 0 <= item < len(node):
            node = node[item]
            code = node.get("code") if isinstance(node, dict) else None
            parts[-1] = f"{parts[-1]}[{code if code else item + 1}]" if parts else str(item)
        else:
            node = node.get(item) if isinstance(node, dict) else None
            parts.append(str(item))
    return ".".join(parts)


def parse_plan(raw: dict[str, Any], source: str) -> Plan:
    """Check a plan given as a dict (as read from TOML) and return it; raises PlanError naming file, entry, field."""
    try:
        return Plan.model_validate({**raw, "source": source})
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = _describe_location(raw, tuple(err["loc"]))
            message = err["msg"].removeprefix("Value error, ")
            lines.append(f"{source}: {where + ': ' if where else ''}{message}")
        raise PlanError("\n".join(lines)) from None


def load_plan(path: str | Path) -> Plan:
    """Read and check one plan file; raises PlanError naming the file, the entry and the field."""
    path = Path(path)
    try:
        raw = rtoml.loads(path.read_text(encoding="utf-8"))
    except rtoml.TomlParsingError as exc:
        raise PlanError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise PlanError(f"{path}: cannot read: {exc.strerror}") from None
    header = raw.get("plan")
    if isinstance(header, dict) and header.get("registry"):
        from kpi.registry import merged, read_registry

        registry = path.parent / str(header["registry"])
        raw = merged(raw, read_registry(registry), registry)
    plan = parse_plan(raw, str(path))
    if path.stem.isdigit() and int(path.stem) != plan.year:
        raise PlanError(f"{path}: plan.year: {plan.year} does not match the file name")
    return plan


def load_plans(directory: str | Path = DEFAULT_PLANS_DIR) -> dict[int, Plan]:
    """Every plan file `<year>.toml` in `directory`, keyed by year; PlanError if one is wrong or none exist."""
    directory = Path(directory)
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise PlanError(f"{directory}: no plan files (*.toml)")
    plans = {}
    for file in files:
        plan = load_plan(file)
        plans[plan.year] = plan
    return plans


def governing_plans(plans: dict[int, Plan]) -> dict[int, Plan]:
    """Which plan governs figures of each year: its own year, or the baseline year of a plan."""
    governing = {plan.baseline_year: plan for plan in plans.values()}
    governing.update({plan.year: plan for plan in plans.values()})
    return governing
