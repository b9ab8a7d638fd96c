"""Training facts in a paper's full text, each with its role, the reason for that role and its evidence.

Per paragraph piece (fulltext_text.Piece): the mention extractor (hardware, chip count, time,
device-time, precision) plus fulltext_patterns' regexes (parameters, tokens, examples, epochs, batch
size, sequence length, steps, precision, MFU). A fact's role comes from its sentence, then its
section title: fine-tuning, inference, baseline (another group's model, cited work), else training
of the paper's own model. Offsets are into the paper's document text (fulltext_text.document_text).
"""

from __future__ import annotations

import re

import pandas as pd

from flows.transform.mentions.extract import extract_mentions
from flows.transform.papers.fulltext_patterns import (DATASET_BEFORE, FACT_PATTERNS, PRECISION_NAMES, ROLE_CUES,
                                                      SCALES, SENTENCE_END, TRAINING_CUE, WORD_NUMBERS)

FACT_COLUMNS = ["paper_id", "fact", "value", "value_text", "low", "high", "hardware_id", "role", "role_reason",
                "section", "file", "page", "start", "end", "sentence", "sentence_start", "sentence_end"]
# order matters: spans taken by batch size and sequence length are not read again as tokens or examples
PATTERN_ORDER = ["batch_size", "sequence_length", "parameter_count", "training_tokens", "training_examples",
                 "epochs", "training_steps", "utilization", "precision"]
# cheap test before any regex runs: most paragraphs of a paper state no training fact at all
QUICK = re.compile(r"param|token|epoch|batch|length|step|iteration|update|MFU|utili|precision|bf16|fp16|float|"
                   r"GPU|TPU|chip|hours|days|weeks|images|examples|samples|\bdays?\b", re.I)


def scaled(num: str | None, scale: str | None) -> float | None:
    if num is None:
        return None
    text = num.replace(",", "").lower()
    value = float(WORD_NUMBERS[text]) if text in WORD_NUMBERS else float(text)
    return value * SCALES.get((scale or "").lower(), 1.0)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in SENTENCE_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
        while start < len(text) and text[start].isspace():
            start += 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def decide_role(section: str, sentence: str) -> tuple[str, str]:
    """(role, reason): the sentence's cue first, then the section title's; training by default."""
    for where, text in (("sentence", sentence), ("section", section)):
        for name, cue, why in ROLE_CUES:
            hit = cue.search(text or "")
            if hit and not (name == "baseline" and where == "sentence" and re.search(r"\bwe\b|\bour\b", text, re.I)
                            and hit.group(0).lower() in ("<cit.>", "they", "their")):
                return name, f"{where} {why} ({hit.group(0)!r})"
    hit = TRAINING_CUE.search(sentence)
    if hit:
        return "training", f"sentence describes training ({hit.group(0)!r}) with no fine-tuning, inference or baseline cue"
    return "training", "no fine-tuning, inference or baseline cue in sentence or section"


def _value(fact: str, m: re.Match) -> tuple[str, float | str | None]:
    """(fact name as landed, value) for one pattern match."""
    groups = m.groupdict()
    if fact == "precision":
        name = PRECISION_NAMES[re.sub(r"\s+", " ", groups["fmt"].lower())]
        return fact, (f"mixed_{name}" if groups.get("mixed") and name in ("fp16", "bf16") else name)
    if fact == "sequence_length":
        return fact, scaled(groups.get("num") or groups.get("num2"), None)
    if fact == "utilization":
        value = float(groups.get("num") or groups.get("num2"))
        return fact, (value / 100 if groups.get("num") or groups.get("pct") or value > 1 else value)
    value = scaled(groups.get("num"), groups.get("scale"))
    if fact == "batch_size" and (groups.get("unit") or "").lower() == "tokens":
        return "batch_tokens", value
    if fact == "training_tokens" and DATASET_BEFORE.search(m.string, max(0, m.start() - 60), m.start()):
        return "dataset_tokens", value
    return fact, value


def _row(piece, fact, value, text, span, sentence, role, **extra) -> dict:
    s0, s1 = sentence
    return {"paper_id": piece.paper_id, "fact": fact, "value": value, "value_text": text[span[0]:span[1]],
            "low": extra.get("low"), "high": extra.get("high"), "hardware_id": extra.get("hardware_id"),
            "role": role[0], "role_reason": role[1], "section": piece.section, "file": piece.file, "page": piece.page,
            "start": piece.start + span[0], "end": piece.start + span[1], "sentence": text[s0:s1],
            "sentence_start": piece.start + s0, "sentence_end": piece.start + s1}


def _pattern_facts(piece, sentences: list[tuple[int, int]]) -> list[dict]:
    text, rows, taken = piece.text, [], []
    for name in PATTERN_ORDER:
        for m in FACT_PATTERNS[name].finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            fact, value = _value(name, m)
            if value is None or (isinstance(value, float) and value <= 0):
                continue
            taken.append(m.span())
            sentence = next((s for s in sentences if s[0] <= m.start() < s[1]), (0, len(text)))
            role = decide_role(piece.section, text[sentence[0]:sentence[1]])
            rows.append(_row(piece, fact, value, text, m.span(), sentence, role))
    return rows


def _hardware_facts(piece, sentences, matcher, published_date) -> list[dict]:
    rows = []
    for mention in extract_mentions(piece.text, matcher, published_date):
        sentence = tuple(mention["sentence"])
        role = decide_role(piece.section, piece.text[sentence[0]:sentence[1]])
        if role[0] == "training" and mention["role"] not in (None, "training"):
            role = (mention["role"], f"the mention extractor's clause role ({mention['role']})")
        spans = mention["spans"]
        found = [("hardware", mention["hardware_text"], spans["chip"], {"hardware_id": mention["hardware_id"]}),
                 ("chip_count", mention["chip_count"], spans["count"], {}),
                 ("training_hours", mention["duration_hours"], spans["duration"],
                  {"low": mention["duration_hours_low"], "high": mention["duration_hours_high"]}),
                 ("chip_hours", mention["chip_hours"], spans["chip_hours"], {})]
        for fact, value, span, extra in found:
            if value is not None and span:
                rows.append(_row(piece, fact, value, piece.text, span, sentence, role, **extra))
    return rows


def extract_facts(pieces: list, matcher, published_date=None) -> pd.DataFrame:
    """Every training-related fact of a paper's pieces, in document order, with role and evidence."""
    rows: list[dict] = []
    for piece in pieces:
        if not QUICK.search(piece.text):
            continue
        sentences = sentence_spans(piece.text)
        rows += _pattern_facts(piece, sentences)
        rows += _hardware_facts(piece, sentences, matcher, published_date)
    facts = pd.DataFrame(rows, columns=FACT_COLUMNS)
    return facts.sort_values(["start", "fact"], kind="stable").reset_index(drop=True) if rows else facts
