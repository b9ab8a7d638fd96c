"""Regexes for what a hardware sentence says besides chip and count: wall-clock time, device-time,
per-epoch/per-step time and its multiplier, numeric precision and the role of the hardware."""

from __future__ import annotations

import re

from flows.transform.mentions.patterns import B, NUM, SCALE_WORD

# Hours per time unit (a month is 365 * 24 / 12 = 730 h, a year 8760 h).
UNIT_HOURS = {"h": 1.0, "hr": 1.0, "hour": 1.0, "d": 24.0, "day": 24.0, "week": 168.0, "wk": 168.0,
              "month": 730.0, "year": 8760.0, "minute": 1 / 60, "min": 1 / 60, "second": 1 / 3600,
              "sec": 1 / 3600, "s": 1 / 3600, "ms": 1 / 3_600_000,
              "天": 24.0, "小时": 1.0, "周": 168.0, "月": 730.0, "个月": 730.0, "分钟": 1 / 60}
# 's'/'ms' need a space before or '/'/'per' after ('100s of GPUs' is not 100 seconds).
UNIT = (r"(?P<u>hours?|hrs?|h|days?|(?-i:d)|weeks?|wks?|months?|minutes?|mins?|seconds?|secs?"
        r"|(?<=\s)(?-i:m?s)|(?-i:m?s)(?=\s*(?:/|per\b))|小时|天|周|个月|分钟)(?![A-Za-z0-9])")
SUB_MINUTE = ("s", "ms", "sec", "secs", "second", "seconds")  # only per-step times, never a run's total
_HALF = r"\s+and\s+a\s+half"

RANGE = re.compile(rf"(?:between\s+(?P<lo1>{NUM})\s+and\s+(?P<hi1>{NUM})|{B}(?P<lo2>{NUM})\s*(?:-|–|—|to)\s*"
                   rf"(?P<hi2>{NUM}))[\s-]*{UNIT}", re.I)
BOUND = re.compile(rf"(?P<k>less than|fewer than|under|up to|at most|within|no more than|more than|"
                   rf"at least)\s+(?P<n>{NUM}|an?)[\s-]*{UNIT}", re.I)
UPPER_BOUNDS = ("less than", "fewer than", "under", "up to", "at most", "within", "no more than")
# 'slightly less than 3 days', 'a little over 3.5 days', 'just under a month': about the value, and a bound.
HEDGED = re.compile(rf"(?:slightly|just|a\s+little|a\s+bit|marginally)\s+(?P<k>over|under|less\s+than|more\s+than|"
                    rf"longer\s+than|shorter\s+than|below|above)\s+(?P<n>{NUM}|an?)[\s-]*{UNIT}", re.I)
HEDGED_UPPER = ("under", "less than", "shorter than", "below")
# '27h 40min', '2 days and 4 hours', '1 hour 30 minutes': one duration in two units.
COMPOUND = re.compile(rf"{B}(?P<n1>{NUM})\s*(?P<u1>days?|hours?|hrs?|h)\s*(?:and\s+)?(?P<n2>{NUM})\s*"
                      rf"(?P<u2>hours?|hrs?|h|minutes?|mins?|m)(?![A-Za-z0-9])", re.I)
# 'several weeks' (more than two, not many: 3-9), 'a few days' (2-5): a range with no point value.
VAGUE = re.compile(rf"(?<![A-Za-z])(?P<k>several|a\s+few)\s+{UNIT}", re.I)
VAGUE_RANGE = {"several": (3, 9), "a few": (2, 5)}
# 'cut from 11 days to 5 days': the time the run took is the one it went to.
FROM_TO = re.compile(rf"(?<![A-Za-z])from\s+(?:{B}{NUM})[\s-]*{UNIT}\s+(?:down\s+)?to\s+(?:only\s+|just\s+)?"
                     rf"{B}(?P<n>{NUM})[\s-]*(?P<u2>hours?|hrs?|h|days?|weeks?|months?|minutes?|mins?)(?![A-Za-z0-9])", re.I)
# '24 hours/day', 'eight hours per day': a rate in a calculation, no run's time.
PER_DAY = re.compile(r"\s*(?:/|per\s+|a\s+)(?:day|week|month|year)\b", re.I)
# 'an effective batch size of 2.3 hours of audio': an amount of data, no run's time.
DATA_BEFORE = re.compile(r"batch(?:\s+size)?\s+(?:of\s+)?(?:about\s+|roughly\s+|~)?$", re.I)
_A_AFTER = "".join(f"|(?<={w})" for w in ("for ", "about ", "roughly ", "approximately ", "around ", "nearly ",
                                            "almost ", "took ", "takes ", "required ", "needed ", "in ", "~"))[1:]
SINGLE = re.compile(rf"(?:{B}(?P<n>{NUM})|(?=an?\b)(?:{_A_AFTER})(?P<a>an?)|(?<![A-Za-z])(?P<half>half)\s+an?)"
                    rf"(?P<h1>{_HALF})?[\s-]*{UNIT}(?P<h2>{_HALF})?", re.I)

_KIND = r"(?P<k>epoch|step|iteration|update)"
PER_AFTER = re.compile(rf"\s*(?:per|/|each|an?|for each|for every)\s*(?:training\s+)?{_KIND}\b", re.I)
PER_BEFORE = re.compile(rf"(?:per|each|every|one|an?|single)\s+(?:training\s+)?{_KIND}\s+(?:[\w-]+\s+){{0,6}}$",
                        re.I)
MULTIPLIER = re.compile(rf"{B}(?P<n>{NUM})\s*{SCALE_WORD}?\s+(?:(?:training|gradient|optimi[sz]ation|more)\s+)?"
                        rf"(?P<k>epoch|step|iteration|update)s\b", re.I)

_DEV_TOKEN = (r"(?:GPU|TPU|GCD|superchip|chip|card|board|accelerator|device|\d{1,3}\s?GB"
              r"|[A-Za-z]{1,5}\d{1,4}[A-Za-z]*)s?(?:[\s-]?v\d[a-z]?)?")
DEVTIME = re.compile(
    rf"{B}(?P<n>{NUM})\s*{SCALE_WORD}?\s+(?:{_DEV_TOKEN}[\s-]?){{1,3}}"
    rf"(?P<core>core[\s-]?)?(?P<u>hours?|hrs?|days?|years?)(?![A-Za-z])", re.I)
DEV_UNIT = re.compile(r"(?<![A-Za-z])(?P<u>GCD|superchip|board|card|GPU|chip)s?(?![A-Za-z])", re.I)

PRECISION = re.compile(
    r"(?<![A-Za-z0-9])(?:(?P<mixed>mixed[\s-]*precision|automatic\s+mixed|(?-i:\bAMP\b))"
    r"|(?P<fp8>\bfp8\b|\bfloat8\b|8-bit\s+floating)"
    r"|(?P<bf16>\bbf16\b|\bbfloat[\s-]?16\b)"
    r"|(?P<fp16>\bfp-?16\b|\bfloat16\b|\bhalf[\s-]precision|16-bit\s+floating)"
    r"|(?P<tf32>\btf32\b|\btensor[\s-]?float[\s-]?32\b)"
    r"|(?P<fp32>\bfp-?32\b|\bfloat32\b|\bsingle[\s-]precision|\bfull[\s-]precision|32-bit\s+floating))", re.I)
NOT_BEFORE = re.compile(r"(?:instead\s+of|than|\bnot|without|\bvs\.?|versus|compared\s+(?:to|with)|unlike)\s+"
                        r"(?:(?:the|pure|plain)\s+)?$", re.I)

ROLE = re.compile(
    r"(?<![A-Za-z])(?:(?P<ft>fine[\s-]?tun\w*|finetun\w*|instruction[\s-]tun\w*|\bSFT\b|\bLoRA\b|\bRLHF\b|微调)"
    r"|(?P<dg>self[\s-]play|synthetic data|data generation|generat\w*\s+(?:the\s+)?(?:training\s+)?"
    r"(?:data|games|samples|trajectories|rollouts)|\brollouts?\b)"
    r"|(?P<tr1>(?:pre-?)?train\w*\s+(?:throughput|speed))"
    r"|(?P<inf>inference|latency|throughput|deploy\w*|\bserv(?:e|ed|ing)\b|evaluat\w*|benchmark\w*"
    r"|\bdecod(?:e|ing)\b|tokens per second|推理)"
    r"|(?P<tr>(?:pre-?)?train\w*|训练))", re.I)
ROLE_NAMES = {"ft": "fine-tuning", "dg": "data-generation", "tr1": "training", "inf": "inference", "tr": "training"}
CLAUSE = re.compile(r"[,;:()，；]|\b(?:while|whereas|and|but|then)\b", re.I)
