"""Full-text candidate runs onto the warehouse's runs, and full-text facts into the runs' gaps (pure).

Mapping (map_candidate_runs), per paper, against its runs from other sources:
- one candidate and one existing run: the candidate is that run;
- otherwise a candidate with a parameter count goes to the one existing run whose parameter count is
  within 5% of it (each existing run taken once);
- a candidate that matches nothing becomes a run of its own (`<paper>__fulltext__<size>`, source fulltext).
A matched candidate adds no run: its facts land as `core__run_facts` rows of the existing run with
source 'fulltext', next to the facts other sources state for it.

Filling (fill_from_fulltext), repeated by every pipeline run over every run: a full-text fact fills a
column the run leaves empty (or one an earlier full-text fact filled: `extracted_fields` lists those as
`column (fulltext)`); a curated or stated value always wins. Where the full text states a different
value the run keeps its own, `extraction_conflicts` says so, and the conflict is returned for review.
"""

from __future__ import annotations

import json

import pandas as pd

from flows.transform.hardware.resolution import resolve_hardware
from flows.transform.papers.fulltext_runs import RUN_COLUMNS
from schemas.frames import ensure_columns

SOURCE = "fulltext"
SIZE_MATCH = 0.05  # a paper's "6.7B" against a curated 6.74e9: rounded figures in text, not another model
AGREE_WITHIN = 0.05  # same tolerance for any number the full text and a stated value both give
FILLED = " (fulltext)"
CONFLICT_PREFIX = "fulltext states "
CONFLICT_COLUMNS = ["run_id", "fact", "column", "stated_value", "fulltext_value", "stated_source", "where_in_source"]


def _close(a, b, tolerance: float) -> bool:
    a, b = float(a), float(b)
    return abs(a - b) <= tolerance * max(abs(a), abs(b))


def _match(candidate: pd.Series, existing: pd.DataFrame, taken: set[str]) -> str | None:
    free = existing[~existing["run_id"].isin(taken)]
    size = candidate.get("parameter_count")
    if pd.isna(size):
        return None
    hits = [r for r, p in zip(free["run_id"], free["parameter_count"]) if pd.notna(p) and _close(p, size, SIZE_MATCH)]
    return hits[0] if len(hits) == 1 else None


def map_candidate_runs(candidates: pd.DataFrame, facts: pd.DataFrame,
                       existing: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """(candidates that become runs of their own, every fact with its final run_id, candidate -> existing run)."""
    candidates = ensure_columns(candidates, ["run_id", "paper_id", "parameter_count"])
    facts = ensure_columns(facts, ["run_id"])
    existing = ensure_columns(existing, ["run_id", "paper_id", "parameter_count", "source"])
    existing = existing[existing["source"] != SOURCE]
    mapping: dict[str, str] = {}
    for paper_id, mine in candidates.groupby("paper_id", sort=False):
        theirs = existing[existing["paper_id"] == paper_id]
        if len(mine) == 1 and len(theirs) == 1:
            mapping[mine["run_id"].iloc[0]] = theirs["run_id"].iloc[0]
            continue
        for _, candidate in mine.iterrows():
            hit = _match(candidate, theirs, set(mapping.values()))
            if hit:
                mapping[candidate["run_id"]] = hit
    own = candidates[~candidates["run_id"].isin(mapping)].reset_index(drop=True)
    return own, facts.assign(run_id=facts["run_id"].replace(mapping)), mapping


def _value(text):
    try:
        return json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return text


def _differs(column: str, stated, found, stated_id, found_id) -> bool:
    if column == "hardware_text":  # the chips, not their spelling: "A100" and "NVIDIA A100 80GB" may agree
        if isinstance(stated_id, str) and isinstance(found_id, str):
            return stated_id != found_id
        return str(stated).strip().lower() != str(found).strip().lower()
    if isinstance(stated, str) or isinstance(found, str):
        return str(stated) != str(found)
    return not _close(stated, found, AGREE_WITHIN)


def _hardware_ids(texts: list, aliases: pd.DataFrame) -> dict:
    """name -> (hardware_id, confidence); (None, None) for a name nothing resolves."""
    names = pd.Series(sorted({t for t in texts if isinstance(t, str)}), dtype=object)
    if names.empty:
        return {}
    resolved = resolve_hardware(names, aliases)
    return {n: (i if isinstance(i, str) else None, c if isinstance(i, str) else None)
            for n, i, c in zip(names, resolved["hardware_id"], resolved["confidence"])}


def fill_from_fulltext(runs: pd.DataFrame, facts: pd.DataFrame, aliases: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(runs with gaps filled from full-text facts, conflicts as CONFLICT_COLUMNS). Runs of source fulltext
    are left alone (their facts are their own); a run without full-text facts is returned unchanged."""
    facts = facts[(facts["source"] == SOURCE) & facts["fact"].isin(RUN_COLUMNS)] if not facts.empty else facts
    if runs.empty or facts.empty:
        return runs, pd.DataFrame(columns=CONFLICT_COLUMNS)
    runs = ensure_columns(runs.copy(), ["hardware_text", "hardware_id", "hardware_confidence", "extracted_fields",
                                        "extraction_conflicts", "training_hours_low", "training_hours_high"])
    ids = _hardware_ids([_value(v) for v in facts.loc[facts["fact"] == "hardware", "value"]], aliases)
    by_run = {run_id: group for run_id, group in facts.groupby("run_id")}
    conflicts = []
    for index in runs.index[runs["run_id"].isin(by_run) & (runs["source"] != SOURCE)]:
        conflicts += _fill_run(runs, index, by_run[runs.at[index, "run_id"]], ids)
    return runs, pd.DataFrame(conflicts, columns=CONFLICT_COLUMNS)


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _fill_run(runs: pd.DataFrame, index, facts: pd.DataFrame, ids: dict) -> list[dict]:
    listed = [f.strip() for f in _text(runs.at[index, "extracted_fields"]).split(",") if f.strip()]
    ours = {f[:-len(FILLED)] for f in listed if f.endswith(FILLED)}
    others = [f for f in listed if not f.endswith(FILLED)]
    kept = [c for c in _text(runs.at[index, "extraction_conflicts"]).split("; ") if c and not c.startswith(CONFLICT_PREFIX)]
    filled, conflicts = [], []
    for fact in facts.itertuples(index=False):
        column, found = RUN_COLUMNS[fact.fact], _value(fact.value)
        if found is None:
            continue
        stated = runs.at[index, column]
        if column in ours or stated is None or (not isinstance(stated, str) and pd.isna(stated)):
            runs.at[index, column] = found
            if column == "hardware_text":
                runs.at[index, "hardware_id"], runs.at[index, "hardware_confidence"] = ids.get(found, (None, None))
            if column == "training_hours":
                runs.at[index, "training_hours_low"], runs.at[index, "training_hours_high"] = fact.low, fact.high
            filled.append(column + FILLED)
        elif _differs(column, stated, found, runs.at[index, "hardware_id"], ids.get(found, (None,))[0]):
            source = runs.at[index, "source"]
            conflicts.append({"run_id": runs.at[index, "run_id"], "fact": fact.fact, "column": column,
                              "stated_value": str(stated), "fulltext_value": str(found), "stated_source": source,
                              "where_in_source": fact.where_in_source})
            kept.append(f"{CONFLICT_PREFIX}{column} {found} where {source} states {stated} (kept)")
    runs.at[index, "extracted_fields"] = ", ".join(others + filled) or None
    runs.at[index, "extraction_conflicts"] = "; ".join(kept) or None
    return conflicts
