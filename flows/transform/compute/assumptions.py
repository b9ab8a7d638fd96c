"""Assumption sets for the hardware method, read from curated YAML (no constants here)."""

from __future__ import annotations

from dataclasses import dataclass, field
DEFAULT_ASSUMPTION_SET = "epoch-2022"


class UnknownAssumptionSet(ValueError):
    """The requested assumption set is not defined in the assumptions file."""


class InvalidAssumptionSet(ValueError):
    """An assumption set in the file breaks a rule; the message says which and where."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidAssumptionSet(message)


@dataclass(frozen=True)
class PeakRule:
    """One step of a peak-precision order: a spec column, optionally only for some chip kinds."""

    column: str
    kinds: tuple[str, ...] = ()

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


@dataclass(frozen=True)
class AssumptionSet:
    name: str
    description: str
    source_url: str
    utilization_by_kind: dict[str, float]
    utilization_by_domain: dict[str, float]
    peak_order: tuple[PeakRule, ...]
    flag_ratio: float
    utilization_range: dict[str, tuple[float, float]] = field(default_factory=dict)
    trust_spread: float = 3.0

    def utilization_bounds(self, kind: str | None) -> tuple[float, float] | None:
        """[low, high] around the default utilization for this chip kind, None when the set gives none."""
        return self.utilization_range.get(kind or "gpu", self.utilization_range.get("gpu"))

    def default_utilization(self, kind: str | None, domain: str | None) -> float:
        """Domain rule first (Epoch's 0.30 for language), then the chip kind's figure."""
        if domain in self.utilization_by_domain and kind != "cpu":
            return self.utilization_by_domain[domain]
        return self.utilization_by_kind.get(kind or "gpu", self.utilization_by_kind["gpu"])


def _parse_rule(item) -> PeakRule:
    if isinstance(item, str):
        return PeakRule(item)
    return PeakRule(item["column"], tuple(item.get("kinds", ())))


def _parse_ranges(name: str, raw: dict) -> dict[str, tuple[float, float]]:
    ranges = {}
    for kind, pair in raw.items():
        low, high = (float(v) for v in pair)
        _require(0 < low <= high <= 1, f"utilization_range for {kind} in {name} must be 0 < low <= high <= 1")
        ranges[kind] = (low, high)
    return ranges


def _check_defaults_in_range(rules: AssumptionSet) -> None:
    """Every default the set can pick must lie inside the range used for its interval."""
    for kind, default in rules.utilization_by_kind.items():
        bounds = rules.utilization_bounds(kind)
        _require(bounds is None or bounds[0] <= default <= bounds[1],
                 f"{rules.name}: default utilization {default} for {kind} lies outside its range {bounds}")
        for domain_default in rules.utilization_by_domain.values():
            _require(bounds is None or kind == "cpu" or bounds[0] <= domain_default <= bounds[1],
                     f"{rules.name}: domain utilization {domain_default} lies outside the {kind} range {bounds}")


def parse_assumption_sets(raw, origin: str = "assumption sets") -> dict[str, AssumptionSet]:
    """Every assumption set in the parsed YAML (`origin` names the file in errors), each checked complete."""
    sets = {}
    _require(isinstance(raw, dict), f"{origin}: expected named assumption sets")
    for name, body in raw.items():
        missing = [key for key in ("utilization", "peak_order") if not isinstance(body, dict) or key not in body]
        _require(not missing, f"assumption set {name} lacks {', '.join(missing)}")
        utilization = {k: float(v) for k, v in body["utilization"].items()}
        _require("gpu" in utilization, f"assumption set {name} lacks a GPU utilization")
        _require(all(0 < v <= 1 for v in utilization.values()), f"utilization out of (0, 1] in {name}")
        sets[name] = AssumptionSet(
            name=name,
            description=body.get("description", ""),
            source_url=body.get("source_url", ""),
            utilization_by_kind=utilization,
            utilization_by_domain={k: float(v) for k, v in (body.get("utilization_by_domain") or {}).items()},
            peak_order=tuple(_parse_rule(i) for i in body["peak_order"]),
            flag_ratio=float(body.get("flag_ratio", 3.0)),
            utilization_range=_parse_ranges(name, body.get("utilization_range") or {}),
            trust_spread=float(body.get("trust_spread", 3.0)),
        )
        _check_defaults_in_range(sets[name])
    return sets


def pick_assumption_set(sets: dict[str, AssumptionSet], name: str) -> AssumptionSet:
    if name not in sets:
        raise UnknownAssumptionSet(f"unknown assumption set {name!r}; known: {', '.join(sorted(sets))}")
    return sets[name]
