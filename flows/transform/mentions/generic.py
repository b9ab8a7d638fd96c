"""Mentions without a chip name: a count of generic devices ('We use up to 1024 GPUs', '8,192 Ascend
NPUs') and a training time in a sentence that names no hardware ('Pre-training took 42 days').

Such a mention has hardware_id None: the count (or time) is known, the chip is not. A generic count
in the sentence of a chip mention that has no count of its own is given to that chip mention
instead. A time-only mention needs a training word in its sentence ('trained', 'took', 'lasted',
'training time') so that '300 hours of speech' or 'a 3-day workshop' stay out.

Fast path: a generic count is looked for only where a device word follows a number within three
words (checked on a few characters before the word, no regex over the whole text); a time-only
mention only in sentences holding a time-unit word and no chip name.
"""

from __future__ import annotations

import re

from flows.transform.mentions.context import precision, role, sentence_bounds, states_capacity
from flows.transform.mentions.matcher import Matcher
from flows.transform.mentions.numbers import parse_count, tidy
from flows.transform.mentions.patterns import NODE
from flows.transform.mentions.times import device_time, duration

# Words that may stand between a count and a device word: vendors, generations, memory sizes.
MODIFIER = re.compile(r"(?:nvidia|amd|google|cloud|huawei|ascend|intel|habana|modern|tesla|tensor|training|more|"
                      r"identical|additional|gcp|aws|physical|\d{1,3}\s?gi?b?)", re.I)
# What after the device word says it is not a count of devices: device-time, a count per node,
# and after a singular word a group ('8 GPU nodes' counts nodes).
NOT_COUNT_AFTER = re.compile(r"[\s-]*(?:hours?|hrs?|days?|years?|h\b)|\s*(?:per|each|in\s+each|on\s+each|/)\b",
                             re.I)
GROUP_AFTER = re.compile(rf"[\s-]*(?:{NODE}|clusters?|racks?|pods?|based|class|memory|RAM|VRAM)\b", re.I)
TIME_WORD = re.compile(r"(?<![A-Za-z])(?:hours?|hrs?|days?|weeks?|months?|天|小时|周|个月)(?![A-Za-z])", re.I)
# A time-only sentence must say what took the time: training, a model, a run of experiments.
TRAINING_WORD = re.compile(r"(?<![A-Za-z])(?:(?:pre-?|post-?)?train\w*|fine[\s-]?tun\w*|experiments?|models?|epochs?|"
                           r"steps|iterations|updates|converge\w*|wall[\s-]?clock|GPUs?|TPUs?|compute|训练|微调)", re.I)
# A sentence that is nothing but a duration ('~53 days', 'About one week.'): a curator's note of a run's time.
BARE_DURATION = re.compile(r"\s*(?:~|∼|≈|about|approx\.?|approximately|roughly|around|nearly|almost|over|ca\.?)?\s*"
                           r"(?:\d[\d,.]*|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|a\s+few)"
                           r"[\s-]*(?:hours?|hrs?|h|days?|weeks?|months?)\s*[.)]?\s*", re.I)
# Quick test of the word right before a device word (most device words follow 'per', 'the', 'each').
_QUICK = {"nvidia", "amd", "google", "cloud", "huawei", "ascend", "intel", "habana", "modern", "tesla", "tensor",
          "training", "more", "identical", "additional", "gcp", "aws", "physical", "single", "one", "two", "three",
          "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "sixteen", "twenty", "thirty",
          "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand"}
DEVICE_WORD = re.compile(r"(?<![A-Za-z0-9])(?:GPU|TPU|NPU|IPU|accelerator|chip|card|device)(?P<pl>s)?(?![A-Za-z0-9])",
                         re.I)
# The last three letters of a word that may stand right before a counted device word: most device
# words follow 'per', 'the', 'each', 'all' and are dropped on a slice and a set lookup.
_TAILS = {w[-3:] for w in _QUICK} | {"0gb", "6gb", "2gb", "8gb", "0 g", "0g", "6g", "2g", "8g"}
_NOT_BEFORE_COUNT = ("-", ".", "/", "x", "×", "*", "^")


def _count_before(text: str, w0: int, plural: bool) -> tuple[int, int] | None:
    """(count, start) when a count stands right before the device word at w0 (at most two modifiers between);
    a year-like number counts only before a plural ('2048 GPUs', not 'the 2019 GPU shortage')."""
    window = text[max(0, w0 - 48):w0]
    end, modifiers = len(window), 0
    for word in reversed(window.split()[-3:]):
        end = window.rfind(word, 0, end)
        bare = word.strip("(,;:")
        if MODIFIER.fullmatch(bare) and modifiers < 2 and not bare.isdigit():
            modifiers += 1
            continue
        n = 1 if bare.lower() in ("single", "one") else parse_count(bare, allow_year=plural)
        if n is None or bare.lower() in ("a", "an"):
            return None
        at = w0 - len(window) + end + (len(word) - len(word.lstrip("(")))
        if text[max(0, at - 1):at].endswith(_NOT_BEFORE_COUNT) or text[max(0, at - 1):at].isdigit():
            return None
        return n, at
    return None


def generic_counts(text: str, lo: int = 0, hi: int | None = None):
    """Yield (count, count_start, word_start, word_end) for '1024 GPUs'-style counts in [lo, hi)."""
    hi = len(text) if hi is None else hi
    for m in DEVICE_WORD.finditer(text, lo, hi):
        w0 = m.start()
        if not (text[w0 - 2:w0 - 1].isdigit() or text[w0 - 1:w0].isdigit() or text[w0 - 4:w0 - 1].lower() in _TAILS
                or text[w0 - 3:w0 - 1].lower() in _TAILS):
            continue
        ahead = min(len(text), m.end() + 16)
        if NOT_COUNT_AFTER.match(text, m.end(), ahead) or (not m.group("pl") and GROUP_AFTER.match(text, m.end(), ahead)):
            continue
        found = _count_before(text, m.start(), bool(m.group("pl")))
        if found is not None:
            yield found[0], found[1], m.start(), m.end()


def _mention(text, matcher, s0, s1, count, span, word, anchor) -> dict | None:
    """One chipless mention: count and/or duration in the sentence [s0, s1)."""
    c0, c1 = anchor
    chip_hours, dev_span = device_time(text, s0, s1, "", matcher)
    found = duration(text, s0, s1, c0, c1, dev_span)
    if count is None and found is None:
        return None
    format_, format_span = precision(text, s0, s1)
    spans = {"chip": [c0, c1] if word else None, "count": list(span) if count else None,
             "duration": [found.start, found.end] if found else None,
             "chip_hours": list(dev_span) if dev_span and chip_hours else None,
             "precision": list(format_span) if format_span else None}
    used = [s for s in spans.values() if s]
    return {"hardware_text": word, "hardware_id": None, "chip_count": tidy(count),
            "duration_hours": found.value if found else None, "duration_hours_low": found.low if found else None,
            "duration_hours_high": found.high if found else None, "chip_hours": tidy(chip_hours) if dev_span else None,
            "role": role(text, s0, s1, c0, c1), "start": min(s[0] for s in used), "end": max(s[1] for s in used),
            "precision": format_, "spans": spans, "sentence": [s0, s1]}


def chipless_mentions(text: str, matcher: Matcher, chip_mentions: list[dict]) -> list[dict]:
    """Generic-count and time-only mentions; gives a generic count to a countless chip mention of its sentence.

    Mutates `chip_mentions` (count, its span and the mention's start/end) where a count is handed over."""
    by_sentence = {tuple(m["sentence"]): m for m in chip_mentions}
    taken = [(m["start"], m["end"]) for m in chip_mentions]
    out, seen = [], set()
    for count, start, w0, w1 in generic_counts(text):
        if any(a <= start < b or a < w1 <= b for a, b in taken):
            continue
        s0, s1 = sentence_bounds(text, w0, w1)
        if states_capacity(text, s0, s1, w0):
            continue  # 'A single GPU cannot hold the 70B model': a capacity, not a run
        owner = _countless_owner(chip_mentions, s0, s1)
        if owner is not None:
            owner["chip_count"], owner["spans"]["count"] = count, [start, w1]
            owner["start"], owner["end"] = min(owner["start"], start), max(owner["end"], w1)
            taken.append((start, w1))
            continue
        if (s0, s1) in by_sentence:
            continue
        mention = _mention(text, matcher, s0, s1, count, (start, w1), text[w0:w1], (w0, w1))
        if mention is not None:
            seen.add((s0, s1))
            out.append(mention)
    out.extend(_time_only(text, matcher, by_sentence, seen))
    return sorted(out, key=lambda m: m["start"])


def _countless_owner(chip_mentions: list[dict], s0: int, s1: int) -> dict | None:
    inside = [m for m in chip_mentions if m["sentence"] == [s0, s1]]
    return inside[0] if len(inside) == 1 and inside[0]["chip_count"] is None and inside[0]["chip_hours"] is None \
        else None


def _time_only(text: str, matcher: Matcher, by_sentence: dict, seen: set) -> list[dict]:
    out = []
    for m in TIME_WORD.finditer(text):
        s0, s1 = sentence_bounds(text, m.start(), m.end())
        if (s0, s1) in seen or (s0, s1) in by_sentence:
            continue
        seen.add((s0, s1))
        cue = TRAINING_WORD.search(text, s0, s1)
        if cue is None and s1 - s0 <= 40 and BARE_DURATION.fullmatch(text, s0, s1):
            cue = m
        if cue is None:
            continue
        mention = _mention(text, matcher, s0, s1, None, None, None, (cue.start(), cue.end()))
        if mention is not None and mention["role"] in ("training", "fine-tuning"):
            out.append(mention)
    return out
