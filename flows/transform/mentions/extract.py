"""Hardware mentions in paper text: chip name, count, wall-clock time, device-time, precision and role.

Plain Python (no Prefect, no network). Chip names, system sizes (DGX-2 = 16 V100) and date
windows come from warehouse/seeds/hardware_aliases.csv; what a board, GCD, core, pod or slice is
worth comes from hardware_units.csv. Unknown values are None, never guessed.

    matcher = build_matcher(read_hardware_aliases())
    extract_mentions("We trained on 8 V100 GPUs for 5 days.", matcher, published_date="2019-05-01")

Each mention is a dict with KEYS: hardware_text, hardware_id, chip_count (spec-row units),
duration_hours (+ _low/_high), chip_hours, role, start/end (the whole span holding the chip name
and every value used), precision, spans (chip, count, duration, chip_hours, precision: [start,
end] or None) and sentence ([start, end]).

A mention may name no chip (hardware_id None, see mentions/generic.py): a count of generic devices
('up to 1024 GPUs': hardware_text 'GPUs') or a training time in a sentence that names no hardware
(hardware_text None); it always carries a count or a time.

Fast path: one compiled alias regex runs over the whole text; everything else looks only at the
sentence around each match (at most 400 characters each way).
"""

from __future__ import annotations

import re

from flows.transform.hardware.aliases import parse_date
from flows.transform.mentions.context import is_hardware, precision, role, sentence_bounds, states_capacity
from flows.transform.mentions.counts import Where, chip_count
from flows.transform.mentions.generic import chipless_mentions
from flows.transform.mentions.matcher import Matcher, alias_key, build_matcher, matcher_for, resolve_name
from flows.transform.mentions.numbers import parse_number, tidy
from flows.transform.mentions.patterns import SLICE_CONTEXT
from flows.transform.mentions.times import device_time, duration

__all__ = ["KEYS", "SPAN_KEYS", "Matcher", "build_matcher", "extract_mentions", "parse_number"]

KEYS = ("hardware_text", "hardware_id", "chip_count", "duration_hours", "duration_hours_low",
        "duration_hours_high", "chip_hours", "role", "start", "end", "precision", "spans", "sentence")
SPAN_KEYS = ("chip", "count", "duration", "chip_hours", "precision")


def _mention(text: str, matcher: Matcher, m: re.Match, bounds: tuple[int, int], when) -> dict | None:
    """One mention dict for one chip-name match, or None when it is not hardware.

    Durations, device-time and precision are looked for between the neighbouring chip names
    (`bounds`) within the sentence, so 'trained 2 days on A100s and evaluated on a T4' gives the
    T4 none."""
    name, meaning, slice_size = resolve_name(matcher, m, when)
    if meaning is None:
        return None
    c0, c1 = m.start(), m.start() + len(name)
    s0, s1 = sentence_bounds(text, c0, c1)
    if slice_size and not SLICE_CONTEXT.search(text, s0, s1):
        return None
    r0, r1 = max(s0, bounds[0]), min(s1, bounds[1])
    hw = meaning.hardware_id
    chip_hours, dev_span = device_time(text, r0, r1, hw, matcher)
    in_devtime = dev_span is not None and dev_span[0] <= c0 < dev_span[1]
    count, count_span = (None, None) if in_devtime else chip_count(text, Where(s0, s1, c0, m.end()), meaning,
                                                                   matcher, slice_size)
    if count is not None and states_capacity(text, s0, s1, c0):
        count, count_span = None, None  # 'a single A100 cannot hold the model': a capacity, not a run
    has_numbers = count is not None or dev_span is not None
    if not is_hardware(text, s0, s1, m.end(), alias_key(name), has_numbers):
        return None
    found = duration(text, r0, r1, c0, c1, dev_span)
    format_, format_span = precision(text, r0, r1)
    spans = {"chip": [c0, c1], "count": list(count_span) if count and count_span else None,
             "duration": [found.start, found.end] if found else None,
             "chip_hours": list(dev_span) if dev_span and chip_hours else None,
             "precision": list(format_span) if format_span else None}
    used = [s for s in spans.values() if s] + ([list(dev_span)] if dev_span else [])
    return {"hardware_text": name, "hardware_id": hw, "chip_count": tidy(count),
            "duration_hours": found.value if found else None, "duration_hours_low": found.low if found else None,
            "duration_hours_high": found.high if found else None, "chip_hours": tidy(chip_hours),
            "role": role(text, s0, s1, c0, c1), "start": min(s[0] for s in used), "end": max(s[1] for s in used),
            "precision": format_, "spans": spans, "sentence": [s0, s1]}


def extract_mentions(text: str, aliases_or_matcher, published_date=None) -> list[dict]:
    """Every hardware mention in `text`, in order; [] for non-text or text without chip names.

    `published_date` (date or 'YYYY-MM-DD') picks the meaning of names that changed over time
    ('Titan X' before/after 2016-08-02, 'DGX-1' before/after 2017-05-10); without it such a name
    takes its first meaning."""
    if not isinstance(text, str) or not text:
        return []
    matcher = matcher_for(aliases_or_matcher)
    when = parse_date(published_date)
    matches = list(matcher.regex.finditer(text))
    out = []
    for i, m in enumerate(matches):
        lo = matches[i - 1].end() if i else 0
        hi = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        mention = _mention(text, matcher, m, (lo, hi), when)
        if mention is not None:
            out.append(mention)
    chipless = chipless_mentions(text, matcher, out)
    return sorted(out + chipless, key=lambda m: m["start"]) if chipless else out
