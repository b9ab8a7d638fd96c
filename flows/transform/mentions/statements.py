"""Hardware statements: where a record gives its hardware as text, extraction fills the gaps.

A run may carry `hardware_statement` (the paper's hardware sentence, in the curator's words or
as a source sent it, e.g. Epoch AI's notes) with `hardware_statement_where`. The first training
mention in it supplies chip, count, time, chip-hours and precision. A value the record states
itself always wins; where the two disagree the conflict is kept in `core__run_extractions`
(and named on the run), so an analyst sees both.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from flows.transform.mentions.patterns import MODEL_SIZE, PER_GROUP_BEFORE
from schemas.frames import frame_rows

# extracted mention key -> training-run column
FIELDS = {"hardware_text": "hardware_text", "chip_count": "chip_count", "duration_hours": "training_hours",
          "duration_hours_low": "training_hours_low", "duration_hours_high": "training_hours_high",
          "chip_hours": "chip_hours", "precision": "precision"}
SPAN_OF = {"hardware_text": "chip", "chip_count": "count", "duration_hours": "duration",
           "duration_hours_low": "duration", "duration_hours_high": "duration", "chip_hours": "chip_hours",
           "precision": "precision"}
EXTRACTION_COLUMNS = ["run_id", "field", "extracted_value", "stated_value", "outcome", "span_start", "span_end",
                      "span_text", "sentence", "where_in_source", "source"]
REL_TOL = 0.01
BOUND_KEYS = ("duration_hours_low", "duration_hours_high")


def _same(stated: object, extracted: object, resolve, published: object) -> bool:
    """Names agree when they resolve to the same spec row (`resolve(name, published)` -> hardware_id);
    numbers within 1%."""
    if isinstance(extracted, str) or isinstance(stated, str):
        a = resolve(stated, published)
        return a is not None and a == resolve(extracted, published)
    try:
        a, b = float(stated), float(extracted)
    except (TypeError, ValueError):
        return False
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b))


def _name_resolver(aliases: pd.DataFrame):
    """(name, published date) -> hardware_id, as resolve_hardware reads one name (no frame per call)."""
    from flows.transform.hardware.aliases import parse_date
    from flows.transform.hardware.resolution import get_resolver

    resolver = get_resolver(aliases)
    return lambda name, published: resolver.resolve_one(name, parse_date(published))["hardware_id"]


def _stated(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and value != value) and value != ""


def pick_mention(mentions: list[dict]) -> dict | None:
    """The mention a statement stands for: among its training mentions (else all), the first naming a
    chip and a count, else the first naming a chip, else the first."""
    pool = [m for m in mentions if m.get("role") == "training"] or list(mentions)
    for ok in (lambda m: m["hardware_id"] and m["chip_count"], lambda m: m["hardware_id"], lambda m: True):
        for m in pool:
            if ok(m):
                return m
    return None


def _size_before(text: str, lo: int, hi: int) -> float | None:
    """The last model size ('30B', '(1.3B)', '350M', '7 billion') written in [lo, hi), in parameters."""
    sizes = [float(m.group("n")) * (1e9 if m.group("s")[0].lower() == "b" else 1e6)
             for m in MODEL_SIZE.finditer(text, lo, hi)]
    return sizes[-1] if sizes else None


def largest_model_first(mentions: list[dict], text: str | None) -> list[dict]:
    """Mentions in order, except that where one sentence gives counts for several model sizes ('the 30B
    models on 64 A100s and the 175B models on 128'), the count written after the largest size moves to
    the place of the first: a run's figure is that of the largest model a sentence sizes. Each count
    takes the size written between the previous count and itself; when any count in the sentence has
    none, the order stays (the first count wins)."""
    if not text:
        return list(mentions)
    out = list(mentions)
    by_sentence: dict[tuple, list[int]] = {}
    for i, m in enumerate(out):
        if m.get("chip_count") is not None and (m.get("spans") or {}).get("count"):
            by_sentence.setdefault(tuple(m["sentence"]), []).append(i)
    for (s0, _), idx in by_sentence.items():
        if len(idx) < 2:
            continue
        starts = [out[i]["spans"]["count"][0] for i in idx]
        bounds = [s0] + [out[i]["spans"]["count"][1] for i in idx[:-1]]
        sizes = [_size_before(text, lo, hi) for lo, hi in zip(bounds, starts)]
        if any(v is None for v in sizes) or len(set(sizes)) < 2:
            continue
        best = idx[sizes.index(max(sizes))]
        moved = out.pop(best)
        out.insert(idx[0], moved)
    return out


def _per_group_total(out: dict, mentions: list[dict], text: str | None) -> dict | None:
    """A chipless training count elsewhere in the statement that is a multiple (2x or more) of the picked
    count, when the picked count is per machine ('DGX-1 machines with 8 V100 GPUs' ... 'on 128 GPUs'):
    the per-machine count describes the hardware, the other states the run's total."""
    span = (out.get("spans") or {}).get("count")
    count = out.get("chip_count")
    if not text or not span or not count or not PER_GROUP_BEFORE.search(text, max(0, span[0] - 60), span[0]):
        return None
    for m in mentions:
        n = m.get("chip_count")
        if m.get("hardware_id") is None and m.get("role") == "training" and n and n >= 2 * count and n % count == 0:
            return m
    return None


def summarize_mentions(mentions: list[dict], text: str | None = None) -> dict:
    """The values a statement gives its run: those of `pick_mention`, gaps filled from the statement's
    other training mentions in order (a count with no chip name, a time in the next sentence), each
    filled key with the span it came from. A chip is taken from a mention that is not training only
    when the statement names that one chip and no other; no field mixes two mentions (a time keeps its
    low/high). With the statement's `text`: counts for several model sizes in one sentence give the
    largest model's (`largest_model_first`), and a per-machine count gives way to a chipless total that
    is a multiple of it (`_per_group_total`)."""
    mentions = largest_model_first(mentions, text)
    primary = pick_mention(mentions)
    if primary is None:
        return {}
    out, spans = dict(primary), dict(primary.get("spans") or {})
    if (total := _per_group_total(out, mentions, text)) is not None:
        out["chip_count"], spans["count"] = total["chip_count"], (total.get("spans") or {}).get("count")
    training = [m for m in mentions if m.get("role") == "training" and m is not primary]
    groups = {"chip_count": ("chip_count",), "chip_hours": ("chip_hours",), "precision": ("precision",),
              "duration_hours": ("duration_hours", "duration_hours_low", "duration_hours_high")}
    span_of = {"chip_count": "count", "chip_hours": "chip_hours", "precision": "precision", "duration_hours": "duration"}
    for key, keys in groups.items():
        if any(out.get(k) is not None for k in keys):
            continue
        donor = next((m for m in training if any(m.get(k) is not None for k in keys)
                      and (m["hardware_id"] in (None, out["hardware_id"]))), None)
        if donor is not None:
            out.update({k: donor.get(k) for k in keys})
            spans[span_of[key]] = (donor.get("spans") or {}).get(span_of[key])
    chips = {m["hardware_id"] for m in mentions if m["hardware_id"]}
    if out["hardware_id"] is None and len(chips) == 1:  # the statement names one chip, in another role
        named = next(m for m in mentions if m["hardware_id"])
        out["hardware_id"], out["hardware_text"], spans["chip"] = named["hardware_id"], named["hardware_text"], \
            (named.get("spans") or {}).get("chip")
    out["spans"] = spans
    if out["hardware_id"] is None:
        out["hardware_text"] = None  # 'GPUs' names no chip; the run's hardware stays unknown
    return out


def training_mention(text: str, matcher, published: object) -> dict | None:
    """The training hardware a statement gives (summarize_mentions), or None when it names nothing."""
    from flows.transform.mentions.extract import extract_mentions

    return summarize_mentions(extract_mentions(text, matcher, published_date=published), text) or None


def _span(text: str, mention: dict, key: str) -> tuple[int | None, int | None]:
    spans = mention.get("spans") or {}
    span = spans.get(SPAN_OF[key]) or (mention.get("start"), mention.get("end"))
    return (span[0], span[1]) if span and span[0] is not None else (None, None)


def fill_from_statements(runs: pd.DataFrame, matcher, aliases: pd.DataFrame, source: str,
                         known: Mapping | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Runs with gaps filled from their hardware statement, and one provenance row per value found.
    `known`: training_mention results already read elsewhere (flows/statement_pool.py), keyed (run id,
    statement, publication date); a run whose statement or date differs from its key is read here."""
    runs = runs.copy()
    for column in (*FIELDS.values(), "hardware_statement", "hardware_statement_where", "paper_published_date"):
        if column not in runs:
            runs[column] = None
    runs["extracted_fields"] = None
    runs["extraction_conflicts"] = None
    rows, resolve = [], _name_resolver(aliases)
    updates: dict[str, tuple[list, list]] = {}  # column -> (row labels, values): set in one go after the loop

    def put(index, column, value):
        labels, values = updates.setdefault(column, ([], []))
        labels.append(index)
        values.append(value)

    has_text = runs["hardware_statement"].map(lambda t: isinstance(t, str) and bool(t.strip())).to_numpy(dtype=bool)
    needed = ["run_id", *FIELDS.values(), "hardware_statement", "hardware_statement_where", "paper_published_date"]
    for index, run in zip(runs.index[has_text], frame_rows(runs.loc[has_text], needed)):  # not iterrows: 10^4 rows
        text = run["hardware_statement"]
        key = (run["run_id"], text, run["paper_published_date"])
        mention = known[key] if known is not None and key in known else \
            training_mention(text, matcher, run["paper_published_date"])
        if mention is None:
            rows.append(_row(run, "hardware_text", None, run["hardware_text"], "nothing found", (None, None), text,
                             None, source))
            continue
        filled, conflicts = [], []
        sentence = mention.get("sentence") or (mention.get("start"), mention.get("end"))
        for key, column in FIELDS.items():
            value = mention.get(key)
            if value is None or (key in BOUND_KEYS and mention.get("duration_hours") is None):
                continue  # a run holds a time's low/high only next to its value (ranges_ordered)
            stated = run[column]
            if not _stated(stated):
                put(index, column, value)
                outcome = "filled"
                filled.append(column)
            elif _same(stated, value, resolve, run["paper_published_date"]):
                outcome = "agrees"
            else:
                outcome = "conflict: stated value kept"
                conflicts.append(f"{column}: stated {stated}, text says {value}")
            rows.append(_row(run, key, value, stated if _stated(stated) else None, outcome,
                             _span(text, mention, key), text, sentence, source))
        put(index, "extracted_fields", ", ".join(filled) or None)
        put(index, "extraction_conflicts", "; ".join(conflicts) or None)
    for column, (labels, values) in updates.items():  # cell by cell (.at) cost ~0.8 s over a 10x Epoch table
        runs.loc[labels, column] = pd.Series(values, index=labels, dtype=object if runs[column].dtype == object else None)
    return runs, pd.DataFrame(rows, columns=EXTRACTION_COLUMNS)


def _row(run, key, value, stated, outcome, span, text, sentence, source) -> dict:
    start, end = span
    s0, s1 = sentence if sentence else (None, None)
    return {"run_id": run["run_id"], "field": FIELDS.get(key, key),
            "extracted_value": None if value is None else str(value),
            "stated_value": None if stated is None else str(stated), "outcome": outcome,
            "span_start": start, "span_end": end, "span_text": text[start:end] if start is not None else None,
            "sentence": text[s0:s1].strip() if s0 is not None else None,
            "where_in_source": run["hardware_statement_where"], "source": source}
