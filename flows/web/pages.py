"""What the desk's pages show, as plain dicts: a run's estimates side by side with every input, its
range and where it came from; the evidence with each extracted value marked by its span; why a
method is missing; decisions, and what changed under a stale one. Text stays text: the templates
escape everything, highlights are (before, marked, after) pieces cut by span offsets."""

from __future__ import annotations

import json
import math

from flows.transform.compute.missing import explain_missing

METHODS = ("operations", "hardware")
DERIVED = {"parameters": "active_parameter_count when given, else parameter_count"}


def plain(value):
    """None for NaN/NaT/pandas NA, Python scalars for numpy ones, ISO text for timestamps."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is not None and type(value).__name__ in ("NaTType", "NAType"):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ", timespec="seconds") if hasattr(value, "hour") else value.isoformat()
    return value


def fact_value(text):
    """A fact's stored JSON text as a number when it is one, else the plain text."""
    try:
        value = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return text
    return value


def records(frame) -> list[dict]:
    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def fmt_number(value) -> str:
    """3.15e+23 -> '3.15e23'; small counts as they are; '-' for nothing."""
    value = plain(value)
    if value is None or value == "":
        return "-"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
        mantissa, exponent = f"{value:.3g}".split("e") if "e" in f"{value:.3g}" else (f"{value:.3g}", None)
        return f"{mantissa}e{int(exponent)}" if exponent else mantissa
    return f"{value:,.4g}" if isinstance(value, float) else f"{value:,}"


def highlight(sentence: str | None, statement: str | None, start, end, span_text: str | None) -> dict | None:
    """The sentence cut into before / marked / after at the span. Offsets count in the hardware
    statement the sentence came from; a span that does not land on its own text is searched
    for in the sentence instead, and an unplaceable one is left unmarked."""
    if not sentence:
        return None
    start, end = plain(start), plain(end)
    cut = None
    if start is not None and end is not None:
        base = (statement or "").find(sentence) if statement else 0
        a, b = int(start) - max(base, 0), int(end) - max(base, 0)
        if 0 <= a < b <= len(sentence) and (not span_text or sentence[a:b] == span_text):
            cut = (a, b)
    if cut is None and span_text and span_text in sentence:
        a = sentence.index(span_text)
        cut = (a, a + len(span_text))
    if cut is None:
        return {"before": sentence, "marked": "", "after": ""}
    return {"before": sentence[:cut[0]], "marked": sentence[cut[0]:cut[1]], "after": sentence[cut[1]:]}


SOURCE_KEYS = {"peak_flop_per_second": "peak_source"}  # inputs whose provenance sits under another key


def _provenance(name: str, inputs: dict, facts: dict, extractions: dict, run: dict | None, spec: dict | None) -> str:
    source_key = SOURCE_KEYS.get(name, f"{name}_source")
    if source_key in inputs:
        text = str(inputs[source_key])
        if name == "peak_flop_per_second" and spec:
            text += f"; spec row {spec.get('name') or spec.get('hardware_id')}"
        return text
    if name in facts:
        fact = facts[name]
        where = f"stated in {fact['where_in_source']}" if fact.get("where_in_source") else "stated by the source"
        return where + (f" ({fact['note']})" if fact.get("note") else "")
    if name in extractions:
        e = extractions[name]
        return f"read from the text: \u201c{e['span_text']}\u201d" + (f" ({e['where_in_source']})" if e.get("where_in_source") else "")
    if name in DERIVED:
        return DERIVED[name]
    if run and run.get("source"):
        return f"{run['source']} record" + (f" {run['source_record']}" if run.get("source_record") else "")
    return ""


def input_rows(inputs_json: str | None, facts: dict, extractions: dict, run: dict | None, spec: dict | None) -> list[dict]:
    """One row per input: name, value, low, high (when a range is known), where it came from."""
    if not inputs_json:
        return []
    try:
        inputs = json.loads(inputs_json)
    except ValueError:
        return [{"name": "inputs", "value": inputs_json, "low": None, "high": None, "provenance": ""}]
    names = [k for k in inputs if not k.endswith(("_low", "_high", "_source"))]
    return [{"name": n, "value": inputs[n], "low": inputs.get(f"{n}_low"), "high": inputs.get(f"{n}_high"),
             "provenance": _provenance(n, inputs, facts, extractions, run, spec)} for n in names]


def stale_changes(decision: dict, comparison: dict | None) -> list[dict]:
    """For a stale decision: each figure it saw that is different now (or gone, or new)."""
    if comparison is None:
        return []
    changes = []
    for method in ("operations", "hardware", "reported"):
        seen, now = decision.get(f"{method}_flop"), comparison.get(f"{method}_flop")
        if seen is None and now is None:
            continue
        if seen is None or now is None or not math.isclose(seen, now, rel_tol=1e-9):
            changes.append({"method": method, "seen": seen, "now": now})
    return changes


def build_run_page(details: dict, paper: dict | None, set_name: str, rules) -> dict:
    """Everything the run page shows for one assumption set, from review_queries.run_details."""
    run, spec = details["run"], details["hardware"]
    run = {k: plain(v) for k, v in run.items()} if run else None
    spec = {k: plain(v) for k, v in spec.items()} if spec else None
    facts = {f["fact"]: f | {"value": fact_value(f["value"])} for f in records(details["facts"])}
    extraction_rows = records(details["extractions"])
    by_field = {e["field"]: e for e in extraction_rows if e.get("span_text")}
    estimates = {e["method"]: e for e in records(details["estimates"]) if e["assumption_set"] == set_name}
    comparison = next((c for c in records(details["comparison"]) if c["assumption_set"] == set_name), None)
    sides = {}
    for method in (*METHODS, "reported"):
        e = estimates.get(method)
        sides[method] = {
            "estimate": e,
            "inputs": input_rows(e["inputs"], facts, by_field, run, spec) if e else [],
            "missing": None if e else (explain_missing(method, run, spec, rules) if rules else None)
            or f"no {method} estimate under {set_name}",
        }
    statement = run.get("hardware_statement") if run else None
    evidence = [{**e, "pieces": highlight(e["sentence"], statement, e["span_start"], e["span_end"], e["span_text"])}
                for e in extraction_rows]
    decisions = []
    for d in records(details["decisions"]):
        d["changes"] = stale_changes(d, comparison) if d["status"] == "stale" and d["assumption_set"] == set_name else []
        decisions.append(d)
    peak = next((r for r in sides["hardware"]["inputs"] if r["name"] == "peak_flop_per_second"), None)
    return {"run": run, "spec": spec, "paper": paper, "comparison": comparison, "sides": sides, "evidence": evidence,
            "facts": list(facts.values()), "decisions": decisions, "peak": peak,
            "assumption_set": (details["assumption_sets"] or {}).get(set_name)}


def api_run(details: dict, paper: dict | None, page: dict, sets: list[str]) -> dict:
    """The JSON for GET /api/runs/{run_id}: every set's comparison and estimates, plus the page's views."""
    estimates = records(details["estimates"])
    for e in estimates:
        e["inputs"] = json.loads(e["inputs"]) if e["inputs"] else None
    return {"run": page["run"], "paper": paper, "hardware": page["spec"], "assumption_sets": sets,
            "comparison": records(details["comparison"]), "estimates": estimates, "facts": page["facts"],
            "evidence": [{k: v for k, v in e.items()} for e in page["evidence"]],
            "missing": {m: s["missing"] for m, s in page["sides"].items() if s["estimate"] is None},
            "decisions": page["decisions"]}
