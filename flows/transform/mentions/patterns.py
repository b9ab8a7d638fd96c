"""Regexes and small word tables for hardware mentions: numbers, counts, unit words, context.

Only language lives here (how papers write numbers, counts and hardware words); which chip a
name means and what one board, core, pod or slice is worth are data (hardware_aliases.csv,
hardware_units.csv). Durations, device-time, precision and role are in mention_phrases.
"""

from __future__ import annotations

import re

_ONES = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
WORD_NUMBERS = {w: i + 1 for i, w in enumerate(_ONES)}
WORD_NUMBERS.update({w: 20 + 10 * i for i, w in enumerate(_TENS)})
WORD_NUMBERS.update({"hundred": 100, "a hundred": 100, "one hundred": 100, "a dozen": 12, "dozen": 12,
                     "a thousand": 1000, "one thousand": 1000})
SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9}

_WORDS = "|".join(sorted((re.escape(w) for w in WORD_NUMBERS), key=len, reverse=True))
_TENS_ONES = rf"(?:{'|'.join(_TENS)})[\s-](?:{'|'.join(_ONES[:9])})"
_FIRST = "".join(sorted({w[0] for w in WORD_NUMBERS}))  # a cheap first-character guard keeps scans fast
NUM = rf"(?=[\d{_FIRST}])(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|{_TENS_ONES}|{_WORDS})"
# Left edge of a number: not inside a word, decimal or dashed name (ASCII only, so '在2048块' still reads).
B = r"(?<![A-Za-z0-9_.,\-])"
SCALE_WORD = r"(?P<s>[KMB]|thousand|million|billion)"

_VENDOR = r"(?:(?:NVIDIA|Google|AMD|Intel|Habana|Huawei|Tesla|GeForce|Cloud|GCP|AWS)(?:\s+|-))"
# A memory size written between a count and the chip name ('64 NVIDIA 80G A100 GPUs', '8 80GB A100s').
_MEMORY = r"(?:\d{1,3}\s?Gi?B?\s+)"
NODE = r"(?:nodes?|machines?|servers?|hosts?|systems?|boxes|box|workstations?|instances?)"
# Unit words a count can be given in; their worth per chip is in hardware_units.csv.
UNIT_WORD = r"(?:Tensor\s*)?(?P<u>GPU|GCD|superchip|chip|card|board|module|core|pod|instance)(?P<pl>s)?(?![A-Za-z])"
_UNITS = r"GPU|GCD|superchip|chip|card|board|module|core"
_MEASURE = r"\s*[块张个颗片台枚]\s*"  # Chinese measure words between a count and a chip name

PRE_COUNT = re.compile(
    rf"{B}(?:(?P<a>{NUM})\s*{NODE}?\s*[x×*]\s*)?(?P<n>{NUM}|a\s+single|single|an?)"
    rf"(?:\s*[x×]\s*|-(?P<pu>{_UNITS})s?\s+|{_MEASURE}|(?P<dash>-)|\s*(?:full\s+)?)"
    rf"{_VENDOR}*{_MEMORY}?{_VENDOR}*(?:(?P<pu2>(?:{_UNITS})s?)\s*(?:\(|of\s+(?:the\s+)?)\s*{_VENDOR}*)?$", re.I)
# 'N chips across two <chip> pods', 'N GPUs on 16 <chip> nodes': the count of chips is stated outright.
PRE_ACROSS = re.compile(
    rf"{B}(?P<n>{NUM})\s+(?:(?P<u>GPU|chip|card|accelerator|device|NPU)s)\s+(?:across|over|spanning|on|in|from)\s+"
    rf"(?:[\w-]+\s+){{0,2}}?{_VENDOR}*$", re.I)
# 'an 8x16x32 configuration of TPUv4': a TPU topology counts chips.
PRE_TOPOLOGY = re.compile(
    r"(?<![\w.])(?P<a>\d{1,3})\s*[x×]\s*(?P<b>\d{1,3})(?:\s*[x×]\s*(?P<c>\d{1,3}))?\s+"
    rf"(?:configuration|topology|torus|mesh)\s+(?:of\s+)?(?:the\s+)?{_VENDOR}*$", re.I)
# how a node is said to hold its chips: 'nodes with 8', 'machines each hosting 4', 'servers comprising 16'
_HOLDING = r"with|of|having|containing|equipped\s+with|hosting"
_MADE_OF = r"comprising|consisting\s+of|featuring|holding"
PRE_NODES = re.compile(
    rf"{B}(?P<m>{NUM})\s+{NODE}\s*,?\s*(?:each\s+)?(?:{_HOLDING}|{_MADE_OF})\s+(?:each\s+)?$", re.I)
POST_UNITS = re.compile(rf"s?(?:[\s-]*{UNIT_WORD})+", re.I)
POST_SLICE = re.compile(r"-(?P<n>\d+)(?![\w.])")
POD_SLICE = re.compile(r"\s*slices?\b", re.I)
POST_PER_NODE = re.compile(
    rf"s?\s*(?:GPUs?|cards?|chips?|accelerators?)?\s*(?:per|on each|in each|each|in every|on every)\s+"
    rf"(?:node|machine|server|host|system)\b[^.;]{{0,40}}?{B}(?P<m>{NUM})\s+{NODE}", re.I)
POST_EACH = re.compile(
    rf"s?\s*(?:GPU\s+)?{NODE}\s*,?\s*(?:each\s+)?(?:{_HOLDING})\s+"
    rf"(?P<m>{NUM})\s+(?:(?P<u>GPU|card|chip|core|accelerator|device)s?)\s+(?:each|per\s+{NODE})", re.I)
POST_MULT = re.compile(r"s?(?:\s*(?P<u>GPU|card|chip)s?)?\s*\(?\s*[x×]\s*(?P<n>\d+)(?![\d.]|\s*GB)", re.I)
POST_TOTAL = re.compile(
    rf"\s*(?:,|\()\s*(?P<n>{NUM})\s+(?:(?:{UNIT_WORD}|accelerators?|devices?)\s+)?(?:in\s+total|total|in\s+all)\b",
    re.I)
POST_WITH = re.compile(
    rf"s?(?:\s*(?:-?\s*based\s+)?(?:hardware|{NODE}|cluster|setup|platform|slice))?\s*,?\s+"
    rf"(?:with|having|containing|comprising|featuring)\s+(?P<n>{NUM})\s+(?:{UNIT_WORD}|accelerators?|devices?)",
    re.I)
POST_GROUP = re.compile(r"s?(?:\s*-?\s*based)?\s+(?:GPU\s+)?(?P<g>cluster|node|server|machine|system|instance|"
                        r"pod|rack|box|workstation)", re.I)
POST_GROUP_TOTAL = re.compile(
    rf"s?\s+(?:GPU\s+)?{NODE}\s*\(\s*(?P<n>{NUM})\s+(?:{UNIT_WORD}|accelerators?)\s*(?:in\s+total|total)?\s*\)", re.I)
# ', totaling 4096 chips', ' nodes, a total of 512 A800 GPUs': a stated total wins over any product.
POST_TOTALING = re.compile(
    rf"s?(?:\s+(?:GPU\s+)?{NODE})?\s*,?\s*(?:totall?ing|for\s+a\s+total\s+of|(?:with\s+|in\s+)?a\s+total\s+of|"
    rf"total\s+of)\s+(?P<n>{NUM})\s+(?:[\w-]+\s+){{0,3}}?(?:{UNIT_WORD}|accelerators?|devices?)", re.I)
# '96 DGX-A100 GPU (8x40G) servers': a system name, singular 'GPU', then a group word counts systems.
POST_SYSTEMS = re.compile(rf"\s*(?:\([^()]{{0,24}}\)\s*)?{NODE}", re.I)
POST_NVL = re.compile(r"\s+NVL(?P<n>\d+)\b", re.I)
POST_NOT_CHIP = re.compile(
    r"\s*(?:km|kilomet\w*|miles?|mph|kg|m|meters?|metres?|cm|mm|hp|bhp|kw|mpg|tons?|motorway|highway|"
    r"road|bus|route|vertebra\w*|cells?|lymphocytes?|histones?|genes?|proteins?|mutations?|receptors?)\b", re.I)
# A model size as papers write it ('30B', '(1.3B)', '350M parameters', '7 billion'), for picking the largest model's
# count; a scale letter must be a capital or follow a digit directly ('1.6M instances' is caught by the caller's rule).
MODEL_SIZE = re.compile(r"(?<![\w.])(?P<n>\d{1,4}(?:\.\d+)?)[\s-]?(?P<s>B|M|billion|million)(?![A-Za-z])"
                        r"(?!\s+(?:tokens|images|examples|samples|pairs|steps|updates|instances|words|hours))")
# What stands right before a per-machine count: 'DGX-1 machines with 8', 'each node comprised of 4 x'.
PER_GROUP_BEFORE = re.compile(
    rf"{NODE}\s*,?\s*(?:each\s+)?(?:{_HOLDING}|comprised\s+of|{_MADE_OF})\s+(?:each\s+)?$", re.I)
# A clause saying hardware is too small for something ('a single GPU cannot hold the 70B model', 'does not fit
# on one A100') states a capacity, not a run: its counts are no run's chip count.
CAPACITY = re.compile(
    r"(?<![A-Za-z])(?:(?:cannot|can't|can not|could\s+not|couldn't|does\s+not|doesn't|do\s+not|don't|did\s+not|"
    r"didn't|will\s+not|won't|would\s+not|wouldn't|unable\s+to|too\s+(?:large|big)\s+to|impossible\s+to)\s+"
    r"(?:\w+\s+)?(?:hold|fit|store|accommodate|load|house)\b|too\s+(?:large|big)\s+(?:for|to\s+fit)\b|"
    r"exceeds?\s+the\s+(?:\w+\s+)?memory|out\s+of\s+memory|\bOOM\b)", re.I)
CONTEXT = re.compile(r"gpu|tpu|nvidia|cuda|accelerat|graphics|\bcards?\b|instance|tesla|device|train|"
                     r"inference|fine[\s-]?tun|latency|throughput|hardware|compute|cluster|flop|"
                     r"训练|推理|微调", re.I)
SLICE_CONTEXT = re.compile(r"tpu|pods?\b|slices?", re.I)
# A full stop after a common abbreviation ('approx. 7 days', 'et al.', 'e.g.') ends no sentence.
_ABBREVIATIONS = "".join(rf"(?<!\b{a})" for a in ("approx", "ca", "e.g", "i.e", "vs", "al", "Fig", "Sec", "Eq", "resp",
                                                   "cf", "etc", "No", "est"))
SENTENCE_END = re.compile(rf"{_ABBREVIATIONS}[.!?](?=\s|$)|[。！？]|\n")
# A short product code ('T4', 'K80', 'H100', 'A10G'): such names need hardware words nearby.
SHORT_NAME = re.compile(r"[a-z]{1,2}\d{1,4}[a-z]?")
