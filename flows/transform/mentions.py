"""Hardware mentions in paper text: chip name, count, wall-clock time, device-time and role.

Plain Python (no Prefect, no network). Chip names come only from the curated alias table
(warehouse/seeds/hardware_aliases.csv); this module holds only small tables of number words,
time units and TPU geometry. Unknown values are None, never guessed.

    matcher = build_matcher(read_hardware_aliases())
    extract_mentions("We trained on 8 V100 GPUs for 5 days.", matcher)

Each mention is a dict with keys hardware_text, hardware_id, chip_count, duration_hours,
duration_hours_low, duration_hours_high, chip_hours, role, start, end (character offsets of
the whole span that holds the chip name and any count/duration/device-time used).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

KEYS = ("hardware_text", "hardware_id", "chip_count", "duration_hours", "duration_hours_low",
        "duration_hours_high", "chip_hours", "role", "start", "end")

_ONES = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
WORD_NUMBERS = {w: i + 1 for i, w in enumerate(_ONES)}
WORD_NUMBERS.update({w: 20 + 10 * i for i, w in enumerate(_TENS)})
WORD_NUMBERS.update({"hundred": 100, "a hundred": 100, "one hundred": 100, "a dozen": 12, "dozen": 12,
                     "a thousand": 1000, "one thousand": 1000})
UNIT_HOURS = {"h": 1.0, "hr": 1.0, "hour": 1.0, "d": 24.0, "day": 24.0, "week": 168.0, "wk": 168.0,
              "month": 730.0, "year": 8760.0, "minute": 1 / 60, "min": 1 / 60}
SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9}
# TPU geometry (Google's published figures): TensorCores per chip and chips per full pod.
CORES_PER_CHIP = {"google_tpu_v2": 2, "google_tpu_v3": 2, "google_tpu_v4": 2, "google_tpu_v5p": 2}
POD_CHIPS = {"google_tpu_v2": 256, "google_tpu_v3": 1024, "google_tpu_v4": 4096}
CLOUD_TPU_CHIPS = 4  # an unversioned "Cloud TPU" device (2018 era) holds 4 chips

_WORDS = "|".join(sorted((re.escape(w) for w in WORD_NUMBERS), key=len, reverse=True))
_TENS_ONES = rf"(?:{'|'.join(_TENS)})[\s-](?:{'|'.join(_ONES[:9])})"
NUM = rf"(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|{_TENS_ONES}|{_WORDS})"
_B = r"(?<![\w.,\-])"
_UNIT = r"(?P<u>hours?|hrs?|h|days?|(?-i:d)|weeks?|wks?|months?|minutes?|mins?)(?![A-Za-z0-9])"
_VENDOR = r"(?:(?:NVIDIA|Google|AMD|Intel|Habana|Huawei|Tesla|GeForce)\s+)"
_NODE = r"(?:nodes?|machines?|servers?|hosts?)"

PRE_COUNT = re.compile(
    rf"{_B}(?:(?P<a>{NUM})\s*{_NODE}?\s*[x×*]\s*)?(?P<n>{NUM}|a\s+single|single|an?)\s*(?:[x×]\s*|-GPUs?\s+)?"
    rf"{_VENDOR}*(?:GPUs?\s*\(\s*{_VENDOR}*)?$", re.I)
PRE_NODES = re.compile(
    rf"{_B}(?P<m>{NUM})\s+{_NODE}\s*,?\s*(?:each\s+)?(?:with|of|having|containing|equipped\s+with|hosting)"
    rf"\s+(?:each\s+)?$", re.I)
POST_PER_NODE = re.compile(
    rf"^s?\s*(?:GPUs?|cards?|chips?|accelerators?)?\s*(?:per|on each|in each|each|in every|on every)\s+"
    rf"(?:node|machine|server|host)\b[^.;]{{0,40}}?{_B}(?P<m>{NUM})\s+(?:nodes|machines|servers|hosts)\b", re.I)
POST_MULT = re.compile(rf"^s?\s*(?:GPUs?|cards?|chips?)?\s*[x×]\s*(?P<n>\d+)(?![\d.]|\s*GB)", re.I)
POST_CORES = re.compile(r"^s?\s*(?:Tensor\s*)?cores?\b", re.I)
POST_SLICE = re.compile(r"^-(?P<n>\d+)(?![\w.])")
POST_POD = re.compile(r"^s?\s+pods?\b(?!\s+slices?)", re.I)
POST_GROUP = re.compile(r"^s?(?:\s*-?\s*based)?\s+(?:cluster|node|server|machine|system|instance|pod|rack|box)",
                        re.I)
POST_NVL = re.compile(r"^\s+NVL(?P<n>\d+)\b", re.I)
POST_NOT_CHIP = re.compile(
    r"\s*(?:km|kilomet\w*|miles?|mph|kg|m|meters?|metres?|cm|mm|hp|bhp|kw|mpg|tons?|motorway|highway|"
    r"road|bus|route|vertebra\w*|cells?|lymphocytes?)\b", re.I)
CONTEXT = re.compile(r"gpu|nvidia|cuda|accelerator|graphics|\bcards?\b|instance|tesla|device|train|"
                     r"inference|fine[\s-]?tun|latency|throughput", re.I)

RANGE = re.compile(rf"(?:between\s+(?P<lo1>{NUM})\s+and\s+(?P<hi1>{NUM})|{_B}(?P<lo2>{NUM})\s*(?:-|–|—|to)\s*"
                   rf"(?P<hi2>{NUM}))[\s-]*{_UNIT}", re.I)
BOUND = re.compile(rf"(?P<k>less than|fewer than|under|up to|at most|within|no more than|more than|"
                   rf"at least)\s+(?P<n>{NUM}|an?)[\s-]*{_UNIT}", re.I)
_A_AFTER = "".join(f"|(?<={w})" for w in ("for ", "about ", "roughly ", "approximately ", "around ", "nearly ",
                                            "almost ", "took ", "takes ", "required ", "needed ", "~"))[1:]
SINGLE = re.compile(rf"(?:{_B}(?P<n>{NUM})|(?:{_A_AFTER})(?P<a>an?))[\s-]*{_UNIT}(?!\s+and\s+a\s+half)", re.I)
PER_STEP_AFTER = re.compile(r"\s*(?:per|/|each|an?|for each|for every)\s*(?:epoch|step|iteration)", re.I)
PER_STEP_BEFORE = re.compile(r"(?:per|each|every|one|an?)\s+(?:epoch|step|iteration)\s+(?:\w+\s+){0,2}$", re.I)
_DEV_TOKEN = r"(?:GPU|TPU|chip|accelerator|device|[A-Za-z]{1,5}\d{1,4}[A-Za-z]*)s?(?:[\s-]?v\d[a-z]?)?"
DEVTIME = re.compile(
    rf"{_B}(?P<n>{NUM})\s*(?P<s>[KMB]|thousand|million|billion)?\s+(?:{_DEV_TOKEN}[\s-]?){{1,2}}"
    rf"(?P<core>core[\s-]?)?(?P<u>hours?|hrs?|days?|years?)(?![A-Za-z])", re.I)

ROLE = re.compile(
    r"(?P<ft>fine[\s-]?tun\w*|finetun\w*|instruction[\s-]tun\w*|\bSFT\b|\bLoRA\b|\bRLHF\b)"
    r"|(?P<dg>self[\s-]play|synthetic data|data generation|generat\w*\s+(?:the\s+)?(?:training\s+)?"
    r"(?:data|games|samples|trajectories|rollouts)|\brollouts?\b)"
    r"|(?P<tr1>(?:pre-?)?train\w*\s+(?:throughput|speed))"
    r"|(?P<inf>inference|latency|throughput|deploy\w*|\bserv(?:e|ed|ing)\b|evaluat\w*|benchmark\w*"
    r"|\bdecod(?:e|ing)\b|tokens per second)"
    r"|(?P<tr>(?:pre-?)?train\w*)", re.I)
ROLE_NAMES = {"ft": "fine-tuning", "dg": "data-generation", "tr1": "training", "inf": "inference", "tr": "training"}
CLAUSE = re.compile(r"[,;:()]|\b(?:while|whereas|and|but|then)\b", re.I)
SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")


@dataclass(frozen=True)
class Matcher:
    """One compiled alternation (a trie) of every chip alias, plus alias key -> hardware_id."""

    regex: re.Pattern
    ids: dict


def _key(name: str) -> str:
    return re.sub(r"[\s\-]", "", name.lower())


def _units(alias: str) -> list[str]:
    """Alias as regex units; separators (and letter->digit joins after 2+ letters) may be ' ', '-' or ''."""
    sep = r"[\s\-]?"
    out: list[str] = []
    for i, token in enumerate(re.split(r"[\s\-]+", alias.strip().lower())):
        if i:
            out.append(sep)
        run = 0
        for ch in token:
            if ch.isdigit() and run >= 2:
                out.append(sep)
            run = run + 1 if ch.isalpha() else 0
            out.append(re.escape(ch))
    return out


def _trie_regex(node: dict) -> str:
    """Regex for a trie: children first (longest match), empty alternative last when terminal."""
    parts = [unit + _trie_regex(child) for unit, child in node.items() if unit != ""]
    if not parts:
        return ""
    body = "(?:" + "|".join(parts) + ")"
    return body + "?" if "" in node else body


def build_matcher(aliases: pd.DataFrame) -> Matcher:
    """Compile the alias table once (ids with underscores are not text and are skipped)."""
    ids: dict[str, str] = {}
    trie: dict = {}
    for alias, hardware_id in zip(aliases["alias"], aliases["hardware_id"]):
        if not isinstance(alias, str) or not isinstance(hardware_id, str) or "_" in alias or not alias.strip():
            continue
        ids.setdefault(_key(alias), hardware_id)
        node = trie
        for unit in _units(alias):
            node = node.setdefault(unit, {})
        node[""] = {}
    body = _trie_regex(trie)
    pattern = rf"(?:(?<![A-Za-z0-9])|(?<=\dx)|(?<=\dX))(?P<chip>{body})s?(?![A-Za-z0-9])"
    return Matcher(re.compile(pattern, re.I), ids)


_CACHE: dict[int, tuple[pd.DataFrame, Matcher]] = {}


def _matcher(aliases_or_matcher) -> Matcher:
    if isinstance(aliases_or_matcher, Matcher):
        return aliases_or_matcher
    hit = _CACHE.get(id(aliases_or_matcher))
    if hit is None or hit[0] is not aliases_or_matcher:
        hit = (aliases_or_matcher, build_matcher(aliases_or_matcher))
        _CACHE[id(aliases_or_matcher)] = hit
    return hit[1]


def parse_number(raw: str | None) -> float | None:
    """'2,048' -> 2048, 'eight' -> 8, 'twenty-four' -> 24, 'a single' -> 1; None when unreadable."""
    if raw is None:
        return None
    s = re.sub(r"\s+", " ", raw.strip().lower())
    if s in ("a", "an", "single", "a single"):
        return 1.0
    if s in WORD_NUMBERS:
        return float(WORD_NUMBERS[s])
    parts = re.split(r"[\s-]", s)
    if len(parts) == 2 and parts[0] in WORD_NUMBERS and parts[1] in WORD_NUMBERS:
        return float(WORD_NUMBERS[parts[0]] + WORD_NUMBERS[parts[1]])
    try:
        return float(s.replace(",", ""))
    except ValueError:
        return None


def _unit_hours(unit: str) -> float:
    u = unit.lower()
    return UNIT_HOURS.get(u, UNIT_HOURS.get(u.rstrip("s"), 1.0))


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence holding [start, end), looking at most 400 characters each way."""
    lo = max(0, start - 400)
    before = list(SENTENCE_END.finditer(text, lo, start))
    s0 = before[-1].end() if before else lo
    after = SENTENCE_END.search(text, end, min(len(text), end + 400))
    s1 = after.start() if after else min(len(text), end + 400)
    return s0, s1


def _as_count(raw: str | None) -> int | None:
    value = parse_number(raw)
    if value is None or value <= 0 or value != int(value):
        return None
    if 1950 <= value <= 2039 and raw.isdigit():  # a year, not a count
        return None
    return int(value)


def _pre_count(text: str, s0: int, c0: int) -> tuple[int | None, int]:
    """Count written before the chip name ('8x', 'eight', '4 x 8', '32 nodes with 8'); and its start."""
    m = PRE_COUNT.search(text, max(s0, c0 - 80), c0)
    if not m:
        return None, c0
    count, start = _as_count(m.group("n")), m.start()
    if count is None:
        return None, c0
    if m.group("a"):
        outer = _as_count(m.group("a"))
        count = count * outer if outer else count
    nodes = PRE_NODES.search(text, max(s0, m.start() - 60), m.start())
    if nodes and _as_count(nodes.group("m")):
        count, start = count * _as_count(nodes.group("m")), nodes.start()
    return count, start


def _count(text: str, s0: int, s1: int, c0: int, c1: int, hardware_id: str, name: str):
    """chip_count and the span end it used, from text before and after the chip name."""
    after = text[c1:min(s1, c1 + 80)]
    count, start = _pre_count(text, s0, c0)
    end = c1
    bare = count == 1 and re.match(r"(?:an?|one|single)\b", text[start:c0], re.I) is not None
    if (m := POST_SLICE.match(after)) and hardware_id.startswith("google_tpu"):
        cores = int(m.group("n"))
        per = cores // CORES_PER_CHIP.get(hardware_id, 1) or None
        return ((count or 1) * per if per else None), start, c1 + m.end()
    if (m := POST_POD.match(after)) and hardware_id in POD_CHIPS:
        return (count or 1) * POD_CHIPS[hardware_id], start, c1 + m.end()
    if (m := POST_CORES.match(after)) and count:
        return max(1, count // CORES_PER_CHIP.get(hardware_id, 1)), start, c1 + m.end()
    if (count is None or bare) and (m := POST_MULT.match(after)):
        return _as_count(m.group("n")), c0, c1 + m.end()
    if count and (m := POST_PER_NODE.match(after)) and _as_count(m.group("m")):
        return count * _as_count(m.group("m")), start, c1 + m.end()
    if (m := POST_NVL.match(after)) and (count is None or bare):
        return _as_count(m.group("n")), start if count else c0, c1 + m.end()
    multiplied = re.search(r"(?:\d|\s)[x×](?:\s|$)|×|-GPU", text[start:c0]) is not None
    if count and not multiplied and POST_GROUP.match(after):
        return None, c0, end
    if count and _key(name) == "cloudtpu":
        count *= CLOUD_TPU_CHIPS
    return count, (start if count else c0), end


def _devtime(text: str, s0: int, s1: int, hardware_id: str):
    """Device-time already multiplied out ('1.7M GPU hours', '500 TPU-days') -> (chip_hours, span)."""
    for m in DEVTIME.finditer(text, s0, s1):
        value = parse_number(m.group("n"))
        if not value:
            continue
        value *= SCALE.get((m.group("s") or "").lower(), 1.0) * _unit_hours(m.group("u"))
        if m.group("core"):
            value /= CORES_PER_CHIP.get(hardware_id, 1)
        return value, (m.start(), m.end())
    return None, None


def _duration_candidates(text: str, s0: int, s1: int):
    """(start, end, value, low, high) for every wall-clock duration in the sentence."""
    for m in RANGE.finditer(text, s0, s1):
        lo, hi = parse_number(m.group("lo1") or m.group("lo2")), parse_number(m.group("hi1") or m.group("hi2"))
        if lo and hi and hi > lo:
            f = _unit_hours(m.group("u"))
            yield m.start(), m.end(), (lo + hi) / 2 * f, lo * f, hi * f
    for m in BOUND.finditer(text, s0, s1):
        n = parse_number(m.group("n"))
        if n:
            value = n * _unit_hours(m.group("u"))
            upper = m.group("k").lower() in ("less than", "fewer than", "under", "up to", "at most", "within",
                                             "no more than")
            yield m.start(), m.end(), None, (None if upper else value), (value if upper else None)
    for m in SINGLE.finditer(text, s0, s1):
        n = parse_number(m.group("n") or m.group("a"))
        if n:
            value = n * _unit_hours(m.group("u"))
            yield m.start(), m.end(), value, None, None


def _duration(text: str, s0: int, s1: int, c1: int, blocked: tuple | None):
    """Wall-clock duration not inside device-time nor per-epoch/step: the first one after the chip
    name, else the first one before it (earliest start, longest on ties)."""
    kept = []
    for cand in _duration_candidates(text, s0, s1):
        start, end = cand[0], cand[1]
        if blocked and start < blocked[1] and end > blocked[0]:
            continue
        if PER_STEP_AFTER.match(text, end, min(s1, end + 30)):
            continue
        if PER_STEP_BEFORE.search(text, max(s0, start - 40), start):
            continue
        kept.append(cand)
    if not kept:
        return None
    after = [c for c in kept if c[0] >= c1]
    return min(after or kept, key=lambda c: (c[0], -c[1]))


def _role(text: str, s0: int, s1: int, c0: int, c1: int) -> str:
    """Role keyword nearest the chip in its clause (preceding preferred), else in the sentence."""
    cuts = [m.start() for m in CLAUSE.finditer(text, s0, s1)]
    k0 = max([c for c in cuts if c < c0], default=s0)
    k1 = min([c for c in cuts if c >= c1], default=s1)
    for lo, hi in ((k0, k1), (s0, s1)):
        hits = [(m.start(), m.lastgroup) for m in ROLE.finditer(text, lo, hi)]
        before = [h for h in hits if h[0] < c0]
        if before:
            return ROLE_NAMES[before[-1][1]]
        if hits:
            return ROLE_NAMES[hits[0][1]]
    return "training"


def _resolve(matcher: Matcher, raw: str) -> tuple[str, str | None]:
    """Matched text -> (hardware_text, hardware_id); a lower-case trailing 's' is a plural."""
    if raw.endswith("s") and _key(raw[:-1]) in matcher.ids:
        return raw[:-1], matcher.ids[_key(raw[:-1])]
    key = _key(raw)
    if key in matcher.ids:
        return raw, matcher.ids[key]
    return raw[:-1], matcher.ids.get(_key(raw[:-1]))


def _accept(text: str, s0: int, s1: int, c1: int, name: str) -> bool:
    """Reject 'A100 km' style look-alikes; short names (T4, L4, K80) need hardware words nearby."""
    if POST_NOT_CHIP.match(text, c1, min(len(text), c1 + 20)):
        return False
    return len(_key(name)) > 3 or CONTEXT.search(text, s0, s1) is not None


def _mention(text: str, matcher: Matcher, m: re.Match, bounds: tuple[int, int]) -> dict | None:
    """One mention dict for one chip-name match, or None when it is not hardware.

    Durations and device-time are looked for between the neighbouring chip names (`bounds`)
    within the sentence, so 'trained 2 days on A100s and evaluated on a T4' gives the T4 none."""
    c0 = m.start("chip")
    raw = text[c0:m.end()]
    name, hardware_id = _resolve(matcher, raw)
    c1 = c0 + len(name)
    s0, s1 = _sentence(text, c0, c1)
    if hardware_id is None or not _accept(text, s0, s1, m.end(), name):
        return None
    r0, r1 = max(s0, bounds[0]), min(s1, bounds[1])
    chip_hours, dev_span = _devtime(text, r0, r1, hardware_id)
    in_devtime = dev_span is not None and dev_span[0] <= c0 < dev_span[1]
    count, start, end = (None, c0, c1) if in_devtime else _count(text, s0, s1, c0, m.end(), hardware_id, name)
    end = max(end, c1)
    duration = _duration(text, r0, r1, c1, dev_span)
    spans = [(start, end)] + ([dev_span] if dev_span else []) + ([duration[:2]] if duration else [])
    value, low, high = duration[2:] if duration else (None, None, None)
    return {"hardware_text": name, "hardware_id": hardware_id, "chip_count": count if count and count > 0 else None,
            "duration_hours": value, "duration_hours_low": low, "duration_hours_high": high,
            "chip_hours": chip_hours if chip_hours and chip_hours > 0 else None,
            "role": _role(text, s0, s1, c0, c1),
            "start": min(s[0] for s in spans), "end": max(s[1] for s in spans)}


def extract_mentions(text: str, aliases_or_matcher) -> list[dict]:
    """Every hardware mention in `text`, in order; [] for non-text or text without chip names."""
    if not isinstance(text, str) or not text:
        return []
    matcher = _matcher(aliases_or_matcher)
    matches = list(matcher.regex.finditer(text))
    out = []
    for i, m in enumerate(matches):
        lo = matches[i - 1].end() if i else 0
        hi = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        mention = _mention(text, matcher, m, (lo, hi))
        if mention is not None:
            out.append(mention)
    return out
