"""The batch calculator behind `flopledger estimate`: a CSV of runs in, both estimates out.

Plain functions, no Prefect. Every input cell is read as text and passed through untouched;
the parsed values feed the pipeline's own methods. A bad input gets an `error` saying why in
plain words and blanks the method it feeds only (a bad chip name still leaves the operations
estimate, a bad parameter_count the hardware one); `notes` says how inputs were read (the
domain's utilization class, dataset_tokens x epochs, training_tokens as tokens seen).

Both methods are products of their inputs (DESIGN.md), so estimate_operations and
estimate_hardware run once per distinct pattern of inputs, with unit amounts, and each row
scales the answer by its own amounts; compare_estimates runs on the rows that have both
estimates. Their rules (which formula wins, which peak, which utilization, which estimate is
best) stay in one place, and 100k rows take under a second instead of the ~3.6 s estimate_compute
spends, mostly on per-row JSON provenance the batch does not use. A unit test checks the
result against estimate_compute row by row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from flows.transform.compute.assumptions import AssumptionSet
from flows.transform.compute.batch_inputs import NUMBER_COLUMNS, Problems, clean_inputs, resolve_batch_hardware
from flows.transform.compute.comparison import compare_estimates
from flows.transform.compute.hardware import PRECISION_COLUMNS, estimate_hardware
from flows.transform.compute.operations import FORMULA_ARCHITECTURE, FORMULA_TOKENS, estimate_operations

RESULT_COLUMNS = ["hardware_id", "operations_flop", "hardware_flop", "hardware_flop_low", "hardware_flop_high",
                  "ratio", "is_flagged", "best_flop", "best_method", "notes", "error"]
# Which inputs each operations formula multiplies (operations.py); a new formula must be added here.
FORMULA_INPUTS = {
    FORMULA_ARCHITECTURE: ("forward_flop_per_example", "training_examples", "epochs"),
    FORMULA_TOKENS: ("parameter_count", "training_tokens"),
}
OPERATIONS_INPUTS = [c for inputs in FORMULA_INPUTS.values() for c in inputs]
# What each method needs, as alternatives; used to explain a row neither method can estimate.
NEEDS = {
    "operations": (("parameter_count", "training_tokens"), FORMULA_INPUTS[FORMULA_ARCHITECTURE]),
    "hardware": (("hardware", "chip_count", "training_hours"), ("hardware", "chip_hours")),
}


def _pattern_codes(present: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """(code per row, one row per distinct pattern of present columns)."""
    bits = (present.to_numpy(dtype=np.int64) << np.arange(present.shape[1], dtype=np.int64)).sum(axis=1)
    codes, uniques = pd.factorize(bits)
    bits_set = (uniques[:, None] >> np.arange(present.shape[1])) & 1
    return codes, pd.DataFrame(bits_set.astype(bool), columns=present.columns)


def estimate_operations_rows(values: pd.DataFrame, assumption_set: str) -> pd.Series:
    """estimate_operations per row: asked once per pattern of present inputs, all set to 1,
    which gives the formula's constant and the inputs it used; each row multiplies its own."""
    codes, patterns = _pattern_codes(values[OPERATIONS_INPUTS].notna())
    names = [str(i) for i in range(len(patterns))]
    unit = patterns.astype(float).where(patterns).assign(run_id=names)
    probe = estimate_operations(unit, assumption_set).set_index("run_id").reindex(names)
    assert set(probe["formula"].dropna()) <= set(FORMULA_INPUTS), f"unknown formula in {set(probe['formula'])}"
    constant, formula = probe["flop"].to_numpy()[codes], probe["formula"].to_numpy()[codes]
    flop = pd.Series(np.nan, index=values.index)
    for name, inputs in FORMULA_INPUTS.items():
        uses = formula == name
        flop[uses] = constant[uses] * values.loc[uses, list(inputs)].prod(axis=1, skipna=False)
    return flop


def estimate_hardware_rows(values: pd.DataFrame, specs: pd.DataFrame, rules: AssumptionSet) -> pd.DataFrame:
    """estimate_hardware per row: FLOP per chip-hour asked once per (chip, precision, domain,
    utilization stated or not), then x the row's chip-hours (x its stated utilization).

    Returns flop, flop_low, flop_high and `rate_known` (the chip has a peak for the row).
    """
    out = pd.DataFrame({"flop": np.nan, "flop_low": np.nan, "flop_high": np.nan, "rate_known": False},
                       index=values.index)
    known = values[values["hardware_id"].notna()]
    if known.empty:
        return out
    keys = pd.DataFrame({"hardware_id": known["hardware_id"], "precision": known["precision"],
                         "domain": known["domain"], "stated": known["utilization"].notna()})
    codes = keys.groupby(list(keys.columns), dropna=False, sort=False).ngroup().to_numpy()
    first = keys.index.get_indexer(keys.drop_duplicates().index)
    combos = keys.iloc[first].assign(run_id=codes[first].astype(str), chip_hours=1.0)
    assert len(combos) == codes.max() + 1, "groupby and drop_duplicates disagree on the hardware combinations"
    combos["utilization"] = np.where(combos.pop("stated"), 1.0, np.nan)
    probe = estimate_hardware(combos, specs, rules).set_index("run_id").reindex(np.arange(len(combos)).astype(str))
    probe.loc[~has_stated_peak(combos, specs), ["flop", "flop_low", "flop_high"]] = np.nan
    # chip_count counts devices as the spec table does, as in training_runs and `extract` output (64 for
    # "16 Cloud TPUs"), so a name's chips_per_unit is not applied again here
    chip_hours = known["chip_hours"].fillna(known["chip_count"] * known["training_hours"])
    scale = (chip_hours * known["utilization"].fillna(1.0)).to_numpy()
    for column in ("flop", "flop_low", "flop_high"):
        out.loc[known.index, column] = probe[column].to_numpy()[codes] * scale
    out.loc[known.index, "rate_known"] = probe["flop"].notna().to_numpy()[codes]
    return out


def has_stated_peak(combos: pd.DataFrame, specs: pd.DataFrame) -> np.ndarray:
    """False where a precision is stated but the chip has no peak for it: choose_peak would
    quietly take the assumption set's order instead (an FP8 run on a V100 gets its FP16 peak)."""
    peaks = specs.drop_duplicates("hardware_id").set_index("hardware_id").reindex(combos["hardware_id"])
    has = np.ones(len(combos), dtype=bool)
    for name, columns in PRECISION_COLUMNS.items():
        stated = (combos["precision"] == name).to_numpy()
        has[stated] = peaks[[f"{c}_flop_per_second" for c in columns]].notna().any(axis=1).to_numpy()[stated]
    return has


def _join(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _missing_message(present: pd.Series) -> str:
    """'not enough inputs: the operations method needs X (or Y); the hardware method needs Z' for one
    pattern of present inputs; an alternative that needs everything the first does and more is left out."""
    parts = []
    for method, options in NEEDS.items():
        first, other = sorted(([c for c in option if not present.get(c, False)] for option in options), key=len)
        alternative = f" (or {_join(other)})" if not set(first) <= set(other) else ""
        parts.append(f"the {method} method needs {_join(first)}{alternative}")
    return "not enough inputs: " + "; ".join(parts)


def _no_peak_message(hardware_id: str, precision: object, rules: AssumptionSet) -> str:
    if isinstance(precision, str):
        columns = " or ".join(PRECISION_COLUMNS[precision])
        return f"the spec table has no {columns} peak FLOP/s for {hardware_id} (precision {precision})"
    order = ", ".join(rule.column for rule in rules.peak_order)
    return f"the spec table has no peak FLOP/s for {hardware_id} in the {rules.name} order ({order})"


def explain_unestimated(values: pd.DataFrame, hardware: pd.DataFrame, operations: pd.Series,
                        rules: AssumptionSet, problems: Problems) -> None:
    """Add an error to each row that got no estimate and no other error, and to rows whose
    hardware inputs are complete but whose chip has no peak at the precision asked."""
    present = values[[*NUMBER_COLUMNS, "hardware_id"]].notna().rename(columns={"hardware_id": "hardware"})
    hardware_ready = present["hardware"] & (present["chip_hours"] | (present["chip_count"] & present["training_hours"]))
    no_peak = hardware_ready & ~hardware["rate_known"] & ~problems.blocks("hardware")
    groups = values[no_peak].groupby(["hardware_id", "precision"], dropna=False).groups
    for (hardware_id, precision), rows in groups.items():
        problems.add(pd.Series(True, index=rows), _no_peak_message(hardware_id, precision, rules), "hardware")
    nothing = operations.isna() & hardware["flop"].isna() & ~problems.has_error()
    if nothing.any():
        codes, patterns = _pattern_codes(present[nothing])
        messages = np.array([_missing_message(row) for _, row in patterns.iterrows()], dtype=object)
        problems.add(nothing, pd.Series(messages[codes], index=present.index[nothing]))


def compare_rows(operations: pd.Series, hardware: pd.DataFrame, confidence: pd.Series,
                 rules: AssumptionSet) -> pd.DataFrame:
    """compare_estimates per row. Only a row with both estimates has a ratio to flag, so only those
    rows are compared; a row with one estimate has it as its best, no ratio and no flag."""
    both = operations.notna() & hardware["flop"].notna()
    either = operations.notna() | hardware["flop"].notna()
    out = pd.DataFrame({
        "operations_flop": operations, "hardware_flop": hardware["flop"], "ratio": np.nan,
        "is_flagged": pd.array(np.where(either, False, None), dtype="boolean"),
        "best_flop": operations.fillna(hardware["flop"]),
        "best_method": np.where(either, np.where(operations.notna(), "operations", "hardware"), None),
    })
    if both.any():
        keys = operations.index[both].astype(str)
        estimates = pd.concat([
            pd.DataFrame({"run_id": keys, "method": "operations", "flop": operations[both].to_numpy()}),
            pd.DataFrame({"run_id": keys, "method": "hardware", "flop": hardware.loc[both, "flop"].to_numpy(),
                          "flop_low": hardware.loc[both, "flop_low"].to_numpy(),
                          "flop_high": hardware.loc[both, "flop_high"].to_numpy()}),
        ], ignore_index=True)
        runs = pd.DataFrame({"run_id": keys, "hardware_confidence": confidence[both].to_numpy()})
        compared = compare_estimates(estimates, runs, rules, fingerprint=False)
        columns = ["ratio", "is_flagged", "best_flop", "best_method"]
        out.loc[both, columns] = compared.set_index(operations.index[both])[columns]
    return out


def estimate_batch(frame: pd.DataFrame, specs: pd.DataFrame, aliases: pd.DataFrame,
                   rules: AssumptionSet, domain_classes: pd.DataFrame | None = None) -> pd.DataFrame:
    """The input frame (text, untouched) plus RESULT_COLUMNS, same rows in the same order.

    `domain_classes` (warehouse/seeds/domain_classes.csv) maps any domain string to the
    assumption set's utilization class. A problem blanks the method it concerns; the other
    method's estimate stays (hardware_id still shows what a name resolved to).
    """
    frame = frame.reset_index(drop=True)
    values, problems, notes = clean_inputs(frame, domain_classes, tuple(rules.utilization_by_domain))
    values = values.join(resolve_batch_hardware(frame, values, aliases, problems))
    operations = estimate_operations_rows(values, rules.name)
    hardware = estimate_hardware_rows(values, specs, rules)
    explain_unestimated(values, hardware, operations, rules, problems)
    operations = operations.where(~problems.blocks("operations"))
    hardware_ok = ~problems.blocks("hardware")
    result = compare_rows(operations, hardware.where(hardware_ok), values["hardware_confidence"], rules)
    result["hardware_id"] = values["hardware_id"]
    result["hardware_flop_low"] = hardware["flop_low"].where(hardware_ok)
    result["hardware_flop_high"] = hardware["flop_high"].where(hardware_ok)
    result["notes"] = notes.messages()
    result["error"] = problems.messages()
    passed = frame.drop(columns=[c for c in RESULT_COLUMNS if c in frame.columns])  # a result column is recomputed
    return pd.concat([passed, result[RESULT_COLUMNS]], axis=1)
