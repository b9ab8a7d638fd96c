"""Keys a hardware name is looked up by: normalized, compact, without noise words, its shape."""

from __future__ import annotations

import re

_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[\s_\-/.·()\[\],]+")
# Words that never tell two chips apart: vendors, product lines, what kind of device it is,
# memory technology. Chinese vendor prefixes have no word boundary and are stripped as text.
_NOISE_WORDS = (
    r"nvidia|nvida|nvdia|amd|google|intel|huawei|habana|cerebras|graphcore|amazon|aws|alibaba|baidu|biren|"
    r"cambricon|groq|hygon|iluvatar|corex|meta|metax|microsoft|moore\s+threads|nudt|pezy|sunway|"
    r"tesla|geforce|quadro|radeon|instinct|cloud|data\s*center|datacenter|tensor\s+cores?|"
    r"gpus?|cpus?|npus?|hpus?|ipus?|graphics\s+cards?|cards?|accelerators?|chips?|processors?|devices?|systems?|"
    r"hbm\d?e?|gddr\d\w?x?|ai|with|the")
_NOISE = re.compile(rf"\b(?:{_NOISE_WORDS})\b|[®™]|英伟达|华为|寒武纪|阿里巴巴|平头哥|百度|壁仞|摩尔线程|海光", re.I)
_PARENS = re.compile(r"\([^)]*\)")
_FORM_FACTOR = re.compile(r"\b(?:pcie|sxm\d?|oam|nvl|mezzanine)\b", re.I)
_MEMORY = re.compile(r"(?:^|(?<=[\s\-_(]))\d+(?:\.\d+)?\s*(?:gb|gib|g)\b", re.I)
_RUNS = re.compile(r"[a-z]+|\d+|[^a-z\d]+")


def normalize_hardware_name(name: object) -> str:
    """Lower case, trimmed, inner white space folded to one space."""
    if not isinstance(name, str):
        return ""
    return _SPACES.sub(" ", name.strip().lower())


def compact(name: str) -> str:
    """Separators and brackets removed: 'A100-80GB' ~ 'a10080gb', 'V100 (32GB)' ~ 'v10032gb'."""
    return _SEPARATORS.sub("", name.lower())


def strip_noise(name: str) -> str:
    """Vendor, product-line and device-kind words dropped: 'NVIDIA Tesla V100 GPU' -> 'v100'."""
    return _SPACES.sub(" ", _NOISE.sub(" ", name)).strip(" -_")


def strip_parentheses(name: str) -> str:
    return _SPACES.sub(" ", _PARENS.sub(" ", name)).strip()


def strip_form_factor(name: str) -> str:
    return _SPACES.sub(" ", _FORM_FACTOR.sub(" ", name)).strip(" -_")


def strip_memory(name: str) -> str:
    return _SPACES.sub(" ", _MEMORY.sub(" ", name)).strip(" -_")


def runs(key: str) -> list[str]:
    """'telsav100' -> ['telsa', 'v', '100']: maximal runs of letters, of digits, of anything else."""
    return _RUNS.findall(key)


def shape(key: str) -> tuple:
    """What a typo may not change: digits exactly, and the length of every letter run."""
    return tuple(r if r.isdigit() else ("L", len(r)) for r in runs(key))


def has_digit(key: str) -> bool:
    return any(c.isdigit() for c in key)
