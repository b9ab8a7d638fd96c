"""Reconcile the methods: ratios, flags with reasons, and the best estimate with its reason."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd

from flows.transform.compute.assumptions import AssumptionSet
from schemas.frames import ensure_columns
from flows.transform.compute.intervals import threshold_flag
from flows.transform.compute.units import flop_to_pfs_days

METHODS = ("reported", "operations", "hardware")
# Compared pairs: (numerator, denominator); ratio is operations / hardware as DESIGN.md says.
PAIRS = (("operations", "hardware"), ("reported", "operations"), ("reported", "hardware"))
# A hardware estimate is trusted only when its chip name resolved this well (resolution.py tiers:
# exact 1.0, separators 0.95, noise words 0.9).
TRUSTED_HARDWARE_CONFIDENCE = 0.9
# EU AI Act, Art. 51(2): a model trained with more than 1e25 FLOP is presumed to have high-impact
# capabilities; 1e26 FLOP is the US Executive Order 14110 (2023) reporting threshold.
THRESHOLDS = {"threshold_1e25": 1e25, "threshold_1e26": 1e26}
RUN_FACTS = ["run_id", "chip_count", "training_hours", "chip_hours", "training_examples", "epochs", "batch_size",
             "training_tokens", "batch_tokens", "hardware_confidence", "base_run_id"]


def estimate_reported(runs: pd.DataFrame, assumption_set: str) -> pd.DataFrame:
    """A compute figure stated for the run, kept as method `reported` (with its stated range): the
    paper's own, or another source's estimate named as such (Epoch AI, with its confidence)."""
    runs = ensure_columns(runs, ["run_id", "reported_flop", "reported_flop_low", "reported_flop_high",
                                 "reported_flop_source", "reported_flop_confidence", "reported_flop_method"])
    flop = pd.to_numeric(runs["reported_flop"], errors="coerce")
    out = runs.loc[flop.notna() & (flop > 0)]
    value = flop[out.index].astype(float)
    low = pd.to_numeric(out["reported_flop_low"], errors="coerce").fillna(value)
    high = pd.to_numeric(out["reported_flop_high"], errors="coerce").fillna(value)
    # only the columns _who and _reported_by read: itertuples over every column of a 10x Epoch table's runs cost ~0.5 s
    who = list(out[["reported_flop_source", "reported_flop_confidence", "reported_flop_method"]].itertuples(index=False))
    return pd.DataFrame({
        "run_id": out["run_id"].astype(str).to_numpy(), "method": "reported",
        "assumption_set": assumption_set, "flop": value.to_numpy(), "flop_low": low.to_numpy(),
        "flop_high": high.to_numpy(), "formula": [_reported_by(r) for r in who],
        "inputs": [json.dumps({"reported_flop": v} | _who(r)) for v, r in zip(value, who)],
        "uncertainty": [f"reported_flop {a:.3g}-{b:.3g}" if a < b else None for a, b in zip(low, high)],
        "hardware_burden_flop": np.nan,
    })


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def _who(run) -> dict:
    keys = {"source": run.reported_flop_source, "confidence": run.reported_flop_confidence,
            "method": run.reported_flop_method}
    return {f"reported_flop_{k}": _text(v) for k, v in keys.items() if _text(v)}


def _reported_by(run) -> str:
    """'stated by the paper', or 'estimated by Epoch AI (confidence: Likely; method: Hardware)'."""
    source = _text(run.reported_flop_source)
    if source is None:
        return "stated by the paper"
    details = "; ".join(f"{k}: {v}" for k, v in (("confidence", _text(run.reported_flop_confidence)),
                                                 ("method", _text(run.reported_flop_method))) if v)
    return f"estimated by {source}" + (f" ({details})" if details else "")


def add_pfs_days(estimates: pd.DataFrame) -> pd.DataFrame:
    return estimates.assign(pfs_days=flop_to_pfs_days(estimates["flop"]))


def _wide(estimates: pd.DataFrame, run_ids: pd.Index) -> pd.DataFrame:
    """One row per run: <method>_flop, <method>_flop_low, <method>_flop_high, hardware_burden_flop."""
    estimates = ensure_columns(estimates, ["flop_low", "flop_high", "hardware_burden_flop"])
    estimates = estimates.assign(flop_low=estimates["flop_low"].fillna(estimates["flop"]),
                                 flop_high=estimates["flop_high"].fillna(estimates["flop"]))
    frames = []
    for method in METHODS:
        part = estimates[estimates["method"] == method].drop_duplicates("run_id").set_index("run_id")
        frames.append(part[["flop", "flop_low", "flop_high"]].add_prefix(f"{method}_").reindex(run_ids).astype(float))
        if method == "hardware":
            frames.append(part[["hardware_burden_flop"]].reindex(run_ids).astype(float))
    return pd.concat(frames, axis=1)


def _pair_reasons(a: str, b: str, ratio, outside, apart, bounds, k: float) -> list[str]:
    """The reason text for each flagged row of one pair (arrays already cut to those rows)."""
    texts = []
    for r, out, gap, (alo, ahi, blo, bhi) in zip(ratio, outside, apart, bounds):
        text = f"{a}/{b} = {r:.3g}" + (f", outside [1/{k:g}, {k:g}]" if out else "")
        if gap:
            text += f"; intervals do not overlap ({a} {alo:.3g}-{ahi:.3g}, {b} {blo:.3g}-{bhi:.3g})"
        texts.append(text)
    return texts


def _disagreements(wide: pd.DataFrame, k: float) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(is_flagged, reason, largest |log10 ratio| among the flagged pairs) per run."""
    n = len(wide)
    flagged, worst = np.zeros(n, dtype=bool), np.zeros(n)
    reasons: list[list[str]] = [[] for _ in range(n)]
    for a, b in PAIRS:
        ratio = (wide[f"{a}_flop"] / wide[f"{b}_flop"]).to_numpy()
        with np.errstate(invalid="ignore"):
            outside = (ratio > k) | (ratio < 1.0 / k)
        apart = _apart(wide, a, b).to_numpy()
        pair_flag = outside | apart
        rows = np.flatnonzero(pair_flag)
        bounds = wide[[f"{a}_flop_low", f"{a}_flop_high", f"{b}_flop_low", f"{b}_flop_high"]].to_numpy()[rows]
        for i, text in zip(rows, _pair_reasons(a, b, ratio[rows], outside[rows], apart[rows], bounds, k)):
            reasons[i].append(text)
        worst[rows] = np.maximum(worst[rows], np.abs(np.log10(ratio[rows])))
        flagged |= pair_flag
    reason = pd.Series(["; ".join(r) if r else None for r in reasons], index=wide.index, dtype=object)
    return pd.Series(flagged, index=wide.index), reason, pd.Series(worst, index=wide.index)


def _apart(wide: pd.DataFrame, a: str, b: str) -> pd.Series:
    """The two intervals do not overlap and at least one is wider than a point (two exact values
    that differ are judged by their ratio alone)."""
    lo_a, hi_a, lo_b, hi_b = (wide[f"{m}_flop_{end}"] for m in (a, b) for end in ("low", "high"))
    disjoint = (hi_a < lo_b) | (hi_b < lo_a)
    return (disjoint & ((lo_a < hi_a) | (lo_b < hi_b))).fillna(False)


def _severity(flagged: pd.Series, worst: pd.Series, k: float) -> np.ndarray:
    """high: a factor of 10 or more; medium: beyond the flag ratio; low: only the intervals part."""
    level = np.select([worst >= 1.0, worst > np.log10(k)], ["high", "medium"], "low").astype(object)
    level[~flagged.to_numpy()] = None
    return level


def _best(wide: pd.DataFrame, ops_hw_agree: pd.Series, trusted: pd.Series) -> pd.DataFrame:
    """Epoch AI's order (reported > operations > hardware), except that two trusted methods
    that agree give their geometric mean."""
    best = pd.DataFrame({"best_flop": np.nan, "best_flop_low": np.nan, "best_flop_high": np.nan,
                         "best_method": None, "best_reason": None}, index=wide.index)
    geo = {end: np.sqrt(wide[f"operations_flop{end}"] * wide[f"hardware_flop{end}"]) for end in ("", "_low", "_high")}
    choices = [
        ("reported", wide["reported_flop"].notna(), "the paper states its own figure", None),
        ("geometric_mean", ops_hw_agree & trusted, "operations and hardware agree and both are tight (high/low <= "
         "trust_spread, chip resolved at confidence >= 0.9): their geometric mean", geo),
        ("operations", wide["operations_flop"].notna(), "operations counted from architecture and data", None),
        ("hardware", wide["hardware_flop"].notna(), "only hardware and time are known", None),
    ]
    for method, available, reason, values in choices:
        take = best["best_flop"].isna() & available.fillna(False)
        for end in ("", "_low", "_high"):
            source = values[end] if values else wide[f"{method}_flop{end}"]
            best.loc[take, f"best_flop{end}"] = source[take]
        best.loc[take, "best_method"], best.loc[take, "best_reason"] = method, reason
    return best


def fingerprint_inputs(estimates: pd.DataFrame, run_ids: pd.Index, assumption_set: str) -> list[str]:
    """A hash of every method's formula, inputs and value per run: a review decision holds while it matches."""
    estimates = ensure_columns(estimates, ["formula", "inputs"])
    parts: dict[str, list] = {r: [] for r in run_ids}
    for row in estimates.sort_values(["run_id", "method"])[["run_id", "method", "formula", "inputs", "flop"]] \
            .itertuples(index=False):
        if row.run_id in parts:
            parts[row.run_id].append([row.method, row.formula, row.inputs, f"{row.flop:.6e}"])
    return [hashlib.sha256(json.dumps([assumption_set, parts[r]]).encode()).hexdigest()[:16] for r in run_ids]


def _run_facts(runs: pd.DataFrame, run_ids: pd.Index) -> pd.DataFrame:
    facts = ensure_columns(runs, RUN_FACTS).drop_duplicates("run_id").assign(run_id=lambda f: f["run_id"].astype(str))
    facts = facts.set_index("run_id")[RUN_FACTS[1:]].reindex(run_ids)
    number = {c: pd.to_numeric(facts[c], errors="coerce") for c in RUN_FACTS[1:-1]}
    chip_hours = number["chip_hours"].fillna(number["chip_count"] * number["training_hours"])
    steps = (number["training_examples"] * number["epochs"] / number["batch_size"]).fillna(
        number["training_tokens"] / number["batch_tokens"])
    return pd.DataFrame({"chip_hours": chip_hours, "serial_steps": steps,
                         "hardware_confidence": number["hardware_confidence"], "base_run_id": facts["base_run_id"]})


def compare_estimates(estimates: pd.DataFrame, runs: pd.DataFrame, rules: AssumptionSet,
                      fingerprint: bool = True) -> pd.DataFrame:
    """One comparison row per run in `runs`: the methods side by side, flags, best figure, derived columns."""
    run_ids = pd.Index(runs["run_id"].astype(str).unique(), name="run_id")
    wide, facts, k = _wide(estimates, run_ids), _run_facts(runs, run_ids), rules.flag_ratio
    flagged, reason, worst = _disagreements(wide, k)
    ratio = wide["operations_flop"] / wide["hardware_flop"]
    ops_hw_agree = ratio.between(1.0 / k, k) & ~_apart(wide, "operations", "hardware")
    confident = facts["hardware_confidence"].isna() | (facts["hardware_confidence"] >= TRUSTED_HARDWARE_CONFIDENCE)
    trusted = (wide["operations_flop_high"] / wide["operations_flop_low"] <= rules.trust_spread) & (
        wide["hardware_flop_high"] / wide["hardware_flop_low"] <= rules.trust_spread) & confident
    best = _best(wide, ops_hw_agree, trusted)
    source = ensure_columns(runs, ["reported_flop_source"]).drop_duplicates("run_id").assign(
        run_id=lambda f: f["run_id"].astype(str)).set_index("run_id")["reported_flop_source"].reindex(run_ids)
    by_other = (best["best_method"] == "reported") & source.map(lambda v: isinstance(v, str) and bool(v))
    best.loc[by_other, "best_reason"] = [f"{s} estimates it (not stated by the paper)" for s in source[by_other]]
    out = pd.concat([wide, best], axis=1)
    out.insert(0, "assumption_set", rules.name)
    out = out.assign(
        ratio=ratio, log10_ratio=np.log10(ratio),
        reported_operations_ratio=wide["reported_flop"] / wide["operations_flop"],
        reported_hardware_ratio=wide["reported_flop"] / wide["hardware_flop"],
        is_flagged=flagged.to_numpy(dtype=bool), flag_reason=reason, severity=_severity(flagged, worst, k),
        review_status=np.where(flagged, "open", "not_flagged"), best_pfs_days=flop_to_pfs_days(best["best_flop"]),
        chip_hours=facts["chip_hours"], serial_steps=facts["serial_steps"], base_run_id=facts["base_run_id"],
        **{name: threshold_flag(best["best_flop_low"], best["best_flop_high"], t) for name, t in THRESHOLDS.items()},
    )
    base_best = out["best_flop"].reindex(out["base_run_id"].astype(object)).to_numpy()
    out["with_base_flop"] = np.where(out["base_run_id"].notna(), out["best_flop"].to_numpy() + base_best, np.nan)
    out["inputs_fingerprint"] = fingerprint_inputs(estimates, run_ids, rules.name) if fingerprint else ""
    return out.reset_index()
