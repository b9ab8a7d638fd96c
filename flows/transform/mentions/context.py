"""The sentence around a chip name: its bounds, whether the name is hardware at all, the role the
hardware played, and the numeric precision stated for it."""

from __future__ import annotations

from flows.transform.mentions.patterns import CAPACITY, CONTEXT, POST_NOT_CHIP, SENTENCE_END, SHORT_NAME
from flows.transform.mentions.phrases import CLAUSE, NOT_BEFORE, PRECISION, ROLE, ROLE_NAMES

LOW_PRECISION = ("fp8", "bf16", "fp16")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence holding [start, end), looking at most 400 characters each way."""
    lo = max(0, start - 400)
    before = list(SENTENCE_END.finditer(text, lo, start))
    s0 = before[-1].end() if before else lo
    after = SENTENCE_END.search(text, end, min(len(text), end + 400))
    s1 = after.start() if after else min(len(text), end + 400)
    while s0 < s1 and text[s0].isspace():
        s0 += 1
    return s0, s1


def is_hardware(text: str, s0: int, s1: int, c1: int, key: str, has_numbers: bool) -> bool:
    """Reject 'A100 km' style look-alikes; a short code (T4, K80, H100) needs hardware words in
    its sentence, a count or device-time ('The H100 histone variant' is biology)."""
    if POST_NOT_CHIP.match(text, c1, min(len(text), c1 + 20)):
        return False
    if not SHORT_NAME.fullmatch(key):
        return True
    return CONTEXT.search(text, s0, s1) is not None or (has_numbers and len(key) > 3)


def states_capacity(text: str, s0: int, s1: int, at: int) -> bool:
    """True when the clause of the sentence [s0, s1) holding position `at` says hardware is too small
    ('a single GPU cannot hold the 70B model'): a count there is no run's count."""
    if CAPACITY.search(text, s0, s1) is None:
        return False
    cuts = [m.start() for m in CLAUSE.finditer(text, s0, s1)]
    k0 = max([c for c in cuts if c <= at], default=s0)
    k1 = min([c for c in cuts if c > at], default=s1)
    return CAPACITY.search(text, k0, k1) is not None


def role(text: str, s0: int, s1: int, c0: int, c1: int) -> str:
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


def precision(text: str, lo: int, hi: int) -> tuple[str | None, tuple[int, int] | None]:
    """Number format stated in [lo, hi): fp32, tf32, fp16, mixed_fp16, bf16, mixed_bf16, fp8 or None.

    'mixed precision' alone says nothing about the 16-bit format, so it gives None; a format
    after 'instead of', 'than', 'not', 'without' or 'vs' is ignored. fp8 wins over other
    formats named with it (master weights), else the first 16-bit format, else tf32, else fp32."""
    hits = [(m.lastgroup, m.start(), m.end()) for m in PRECISION.finditer(text, lo, hi)
            if not NOT_BEFORE.search(text, max(lo, m.start() - 30), m.start())]
    kinds = [h[0] for h in hits]
    mixed = [h for h in hits if h[0] == "mixed"]
    low = [h for h in hits if h[0] == "fp8"] or [h for h in hits if h[0] in LOW_PRECISION]
    if low:
        kind, start, end = low[0]
        if mixed and kind != "fp8":
            return f"mixed_{kind}", (min(start, mixed[0][1]), max(end, mixed[0][2]))
        return kind, (start, end)
    for kind in ("tf32", "fp32"):
        if kind in kinds and not mixed:
            hit = hits[kinds.index(kind)]
            return kind, (hit[1], hit[2])
    return None, None
