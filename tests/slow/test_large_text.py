"""Extraction stays linear on very long text (a 10 MB line of hardware-like words, no chip)."""

from flows.transform.mentions.extract import build_matcher, extract_mentions
from warehouse.seeds import read_hardware_aliases


def test_ten_megabyte_line_without_chips():
    text = "lorem ipsum dolor sit amet 42 tokens per GPU " * (10_000_000 // 45)
    assert len(text) >= 9_900_000
    assert extract_mentions(text, build_matcher(read_hardware_aliases())) == []
