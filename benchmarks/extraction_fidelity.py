"""Extraction on real paper sentences: the quotes in Epoch AI's notes against Epoch's own columns.

    python benchmarks/extraction_fidelity.py [--csv ../shared/reference/epoch_models_dev.csv] [--misses [N]]

Input: Epoch AI's models table (README: ../shared/reference/README.md). Epoch's notes columns
quote the papers' sentences in quotation marks next to the structured values Epoch took from
them. For each row we keep ONLY the quoted text ("..." or curly quotes) of its notes columns
(QUOTE_COLUMNS), one quote per line, run `extract_mentions` on it (matcher built from
warehouse/seeds/hardware_aliases.csv, the row's publication date given), and reduce the mentions
to one reading with `summarize_mentions(mentions, text)` (the rule the pipeline uses to fill a run from its
hardware statement; given the text it also picks the largest model's count where one sentence sizes several
models, and lets a per-machine count give way to a stated total). That reading is compared with Epoch's `Training hardware`, `Hardware
quantity` and `Training time (hours)`.

Populations (a row is scored only where the quotes say the value at all):

  chip+count  Epoch gives hardware and quantity Q, and the quotes mention Q near hardware: Q written
              as digits (with or without thousands commas, e.g. 1024 / 1,024) or as an English number
              word (eight, sixteen), or as the product of two numbers written within NEAR (80)
              characters of each other (32 nodes x 8 GPUs), with a hardware word (GPU, TPU, NPU, chip,
              accelerator, core, card, node, device, Ascend, Gaudi, Trainium, wafer) or an alias of
              Epoch's chip within NEAR characters of the number(s). 'node' followed within 40
              characters by 'layer' is a neuron ('a 512-node linear layer'), not a hardware word
              (since issue 11's second pass: it took out one row whose quotes state no hardware).
  time        Epoch gives training time T, and the quotes hold a wall-clock duration: a number, number
              word, 'a'/'an' or 'half' followed by hour(s)/hr(s)/h/day(s)/week(s)/month(s)/year(s)
              and NOT preceded by a device word (so '1.7M GPU hours' alone does not enter).

Hits:
  count       the extracted chip_count equals Q (within 1%), or equals Q converted with one of the chip's
              unit rows (hardware_units.csv): Epoch sometimes counts what the paper counts (4 K80 GPUs,
              512 TPU v3 cores) where flopledger counts spec rows (2 K80 boards, 256 TPU v3 chips).
  chip        the extracted chip's family equals the family of (one of) Epoch's hardware names,
              both resolved with resolve_hardware; family = hardware_id without form factor, memory
              size and series words (nvidia_tesla_v100_sxm2_16gb -> nvidia v100). When the quotes name
              no chip of Epoch's family at all (no alias of it occurs in them), a null chip is right.
  chip+count  both of the above.
  time        the extracted duration is within 10% of T, or T lies inside the extracted
              [low, high] widened by 10%, or only one bound was stated ('less than two hours') and T
              is within 10% of it (Epoch takes a stated bound as the value).

Recall = hits / population. Precision = hits / rows (in or out of the population, Epoch value
known, quotes present) where the extractor gives a value: a value given where the quotes do not
state Epoch's value is counted as wrong, so precision is a lower bound.

Misses are grouped by the first cause whose pattern occurs in the quotes (CAUSES, in order);
--misses prints a few example sentences per cause to the terminal. Figures only: no quote is
ever written to the repository.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from flows.transform.hardware.resolution import resolve_hardware  # noqa: E402
from flows.transform.mentions.extract import build_matcher, extract_mentions  # noqa: E402
try:
    from flows.transform.mentions.statements import summarize_mentions  # noqa: E402
except ImportError:  # before issue 11 the pipeline took the first training mention, else the first mention
    def summarize_mentions(mentions, text=None):
        training = [m for m in mentions if m.get("role") == "training"]
        return dict((training or mentions or [{}])[0])
from warehouse.seeds import read_hardware_aliases, read_hardware_units  # noqa: E402

DEFAULT_CSV = REPO.parent / "shared" / "reference" / "epoch_models_dev.csv"
QUOTE_COLUMNS = ["Training compute notes", "Training time notes", "Finetune compute notes", "Parameters notes",
                 "Dataset size notes", "Utilization notes", "Batch size notes", "Post-training compute notes"]
TIME_TOLERANCE = 0.10  # relative; Epoch rounds days to hours and converts months at its own rate
COUNT_TOLERANCE = 0.01
NEAR = 80  # characters: how close to a hardware word a number must stand to count as stating the quantity
QUOTE = re.compile(r'"([^"]{3,})"|“([^”]{3,})”')
WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
         10: "ten", 12: "twelve", 16: "sixteen", 20: "twenty", 24: "twenty-four", 32: "thirty-two",
         48: "forty-eight", 64: "sixty-four"}
NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?![\d])|(?<![\w.])\d+(?![\d,]\d)")
# 'node' of a network layer ('a 512-node linear layer') is a neuron, not a machine.
HW_WORD = re.compile(r"(?<![A-Za-z])(?:gpu|tpu|npu|chip|accelerator|cores?\b|cards?\b|nodes?\b(?![\w\s-]{0,40}\blayer)|"
                     r"device|ascend|gaudi|"
                     r"trainium|wafer)", re.I)
DURATION = re.compile(
    r"(?<!gpu )(?<!tpu )(?<!chip )(?<!core )(?<!gpu-)(?<!tpu-)(?<!chip-)(?<!core-)"
    r"(?:\b\d[\d,.]*|\b(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|half|several|few)\b)"
    r"[\s-]*(?:hours?|hrs?|h|days?|weeks?|months?|years?)\b", re.I)
FORM = re.compile(r"^(?:sxm\d?|pcie|dgxs|nvl|\d+gb|tesla|geforce|gtx|rtx|hgx|dgx|ultra|blackwell|generation)$")

# (cause, pattern on the quotes); the first that occurs names a miss.
CAUSES = [
    ("DGX/HGX spelling", re.compile(r"\b[DH]GX\b|[DH]GX[-\s]?[A-Z]?\d", re.I)),
    ("topology", re.compile(r"\d+\s*[x×]\s*\d+\s*[x×]\s*\d+|topolog", re.I)),
    ("nodes x GPUs each", re.compile(r"\b(?:nodes?|machines?|servers?|hosts?)\b.{0,60}\b(?:each|per\s+node)\b"
                                     r"|\d+\s*(?:nodes?|machines?|servers?)\s*[x×*]", re.I)),
    ("instances", re.compile(r"\binstances?\b", re.I)),
    ("memory size before chip", re.compile(r"\b\d{2,3}\s*G[Bi]?B?\s+(?:NVIDIA\s+)?[A-Z]{1,3}\d{2,4}\b")),
    ("plural/possessive chip name", re.compile(r"\b[A-Z]{1,3}\d{2,4}[A-Za-z]?(?:'s|’s|s)\b|TPU\s?v\d[a-z]?(?:'s|s)\b")),
    ("count with no chip name", re.compile(r"\b\d[\d,]*\s+(?:\w+\s+)?(?:GPUs?|TPUs?|accelerators?|chips?|NPUs?|cards?)\b",
                                           re.I)),
    ("months", re.compile(r"\bmonths?\b", re.I)),
    ("fractional/hedged duration", re.compile(r"\d\.\d+\s*-?\s*(?:hours?|days?|weeks?|months?)|little over|just over|"
                                              r"about|approximately|roughly|around|nearly|almost|~|half|over\s+\d",
                                              re.I)),
    ("other", re.compile(r"")),
]


def family(hardware_id: str | None) -> str | None:
    """'nvidia_tesla_v100_sxm2_16gb' -> 'nvidia v100': the chip without form factor, memory or series words."""
    if not hardware_id:
        return None
    parts = hardware_id.split("_")
    return " ".join([parts[0]] + [p for p in parts[1:] if not FORM.match(p)])


def quotes_of(row: pd.Series) -> list[str]:
    out = []
    for column in QUOTE_COLUMNS:
        cell = row.get(column, "")
        for m in QUOTE.finditer(cell if isinstance(cell, str) else ""):
            out.append(" ".join((m.group(1) or m.group(2)).split()))
    return out


def _numbers(text: str) -> list[int]:
    return [int(n.replace(",", "")) for n in NUMBER.findall(text) if n.replace(",", "").isdigit()]


def _near_hardware(text: str, start: int, end: int, names: re.Pattern | None) -> bool:
    window = text[max(0, start - NEAR):end + NEAR]
    return HW_WORD.search(window) is not None or (names is not None and names.search(window) is not None)


def mentions_quantity(text: str, quantity: float, names: re.Pattern | None) -> bool:
    """The population rule for chip+count (see the module docstring)."""
    if quantity != int(quantity):
        return False
    q = int(quantity)
    spots = [(m.start(), m.end(), int(m.group(0).replace(",", ""))) for m in NUMBER.finditer(text)]
    if q in WORDS:
        spots += [(m.start(), m.end(), q) for m in re.finditer(rf"\b{WORDS[q]}\b", text, re.I)]
    if any(n == q and _near_hardware(text, a, b, names) for a, b, n in spots):
        return True
    return any(n * k == q and abs(a - c) <= NEAR and _near_hardware(text, min(a, c), max(b, d), names)
               for i, (a, b, n) in enumerate(spots) for c, d, k in spots[i + 1:] if n > 1 and k > 1)


def _float(cell: str) -> float | None:
    try:
        value = float(str(cell).split(",")[0])
    except ValueError:
        return None
    return value if value > 0 and not math.isnan(value) else None


@dataclass
class Score:
    population: int = 0
    hits: int = 0
    given: int = 0
    right_given: int = 0
    misses: dict = field(default_factory=lambda: defaultdict(list))

    def line(self, name: str) -> str:
        recall = self.hits / self.population if self.population else math.nan
        precision = self.right_given / self.given if self.given else math.nan
        return (f"| {name:11s} | {self.population:10d} | {self.hits:4d} | {recall:6.3f} | {self.given:5d} | "
                f"{self.right_given:5d} | {precision:9.3f} |")


def _close(got: float | None, want: float, tol: float) -> bool:
    return got is not None and abs(got - want) <= tol * want


def _time_hit(reading: dict, want: float) -> bool:
    if _close(reading.get("duration_hours"), want, TIME_TOLERANCE):
        return True
    low, high = reading.get("duration_hours_low"), reading.get("duration_hours_high")
    if low is not None and high is not None:
        return low * (1 - TIME_TOLERANCE) <= want <= high * (1 + TIME_TOLERANCE)
    return _close(low if high is None else high, want, TIME_TOLERANCE)


def _cause(text: str, kinds: tuple[str, ...]) -> str:
    for name, pattern in CAUSES:
        if name in kinds and pattern.search(text):
            return name
    return "other"


COUNT_CAUSES = tuple(c for c, _ in CAUSES if c not in ("months", "fractional/hedged duration"))
TIME_CAUSES = ("months", "fractional/hedged duration", "duration with no chip name", "other")


def _time_cause(text: str, mentions: list[dict]) -> str:
    """No chip in any sentence holding a duration first, then the duration's own wording."""
    chip_sentences = [m["sentence"] for m in mentions if m.get("hardware_id")]
    if not any(a <= d.start() < b for d in DURATION.finditer(text) for a, b in chip_sentences):
        return "duration with no chip name"
    return _cause(text, ("months", "fractional/hedged duration"))


def score(frame: pd.DataFrame, aliases: pd.DataFrame) -> dict[str, Score]:
    matcher = build_matcher(aliases)
    read_units = read_hardware_units()
    alias_ids = aliases.dropna(subset=["alias", "hardware_id"])
    alias_of: dict[str, list[str]] = defaultdict(list)
    for alias, hw in zip(alias_ids["alias"], alias_ids["hardware_id"]):
        if "_" not in alias and len(alias) >= 2:
            alias_of[family(hw)].append(r"[\s\-]?".join(re.escape(t) for t in re.split(r"[\s\-]+", alias.lower())))
    units: dict[str, dict[str, float]] = defaultdict(dict)
    for hw, unit, worth in zip(read_units["hardware_id"], read_units["unit"], read_units["spec_units"]):
        units[hw][unit] = float(worth)
    scores = {k: Score() for k in ("count", "chip", "chip+count", "time")}
    for _, row in frame.iterrows():
        quotes = quotes_of(row)
        if not quotes:
            continue
        text = "\n".join(quotes)
        date = row.get("Publication date") or None
        try:
            mentions = extract_mentions(text, matcher, published_date=date)
        except ValueError:
            mentions = extract_mentions(text, matcher)
        reading = summarize_mentions(mentions, text)
        _score_hardware(scores, row, text, reading, aliases, alias_of, units)
        _score_time(scores["time"], row, text, reading, mentions)
    return scores


def _score_hardware(scores, row, text, reading, aliases, alias_of, units) -> None:
    names = [h.strip() for h in str(row.get("Training hardware", "")).split(",") if h.strip()]
    quantity = _float(row.get("Hardware quantity", ""))
    if not names or quantity is None:
        return
    date = row.get("Publication date") or None
    try:
        resolved = resolve_hardware(pd.Series(names, dtype=object), aliases, dates=pd.Series([date] * len(names)))
    except ValueError:
        resolved = resolve_hardware(pd.Series(names, dtype=object), aliases)
    ids = [h for h in resolved["hardware_id"] if h]
    families = {family(h) for h in ids}
    spellings = [a for f in families for a in alias_of.get(f, [])]
    names_re = re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(spellings) + r")", re.I) if spellings else None
    named = names_re is not None and names_re.search(text) is not None
    got_family = family(reading.get("hardware_id"))
    chip_ok = got_family in families if got_family else not named
    got = reading.get("chip_count")
    worths = {1.0} | {w for h in ids for w in units.get(h, {}).values()}
    count_ok = any(_close(got, quantity * w, COUNT_TOLERANCE) for w in worths)
    in_population = mentions_quantity(text, quantity, names_re)
    for name, ok, given in (("count", count_ok, reading.get("chip_count") is not None),
                            ("chip", chip_ok, reading.get("hardware_id") is not None),
                            ("chip+count", chip_ok and count_ok, reading.get("chip_count") is not None)):
        s = scores[name]
        s.given += given
        s.right_given += given and ok
        if in_population:
            s.population += 1
            s.hits += ok
            if not ok and name == "chip+count":
                s.misses[_cause(text, COUNT_CAUSES)].append((row["Model"], text, reading, quantity, names))


def _score_time(s: Score, row, text, reading, mentions) -> None:
    want = _float(row.get("Training time (hours)", ""))
    if want is None:
        return
    ok = _time_hit(reading, want)
    given = reading.get("duration_hours") is not None or reading.get("duration_hours_high") is not None
    s.given += given
    s.right_given += given and ok
    if DURATION.search(text):
        s.population += 1
        s.hits += ok
        if not ok:
            s.misses[_time_cause(text, mentions)].append((row["Model"], text, reading, want, None))


def report(scores: dict[str, Score], misses: int) -> None:
    print("| figure      | population | hits | recall | given | right | precision |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, s in scores.items():
        print(s.line(name))
    for name in ("chip+count", "time"):
        s = scores[name]
        print(f"\n{name} misses by cause ({s.population - s.hits}):")
        for cause, rows in sorted(s.misses.items(), key=lambda kv: -len(kv[1])):
            print(f"  {cause:30s} {len(rows):4d}")
            for model, text, reading, want, names in rows[:misses]:
                got = {k: reading.get(k) for k in ("hardware_id", "chip_count", "duration_hours",
                                                   "duration_hours_low", "duration_hours_high")}
                print(f"      - {model}: Epoch {names or ''} {want:g} | got {got}")
                for line in text.splitlines()[:4]:
                    print(f"          > {line[:220]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--misses", type=int, nargs="?", const=3, default=0,
                        help="print N example sentences per cause (default 3); terminal only")
    args = parser.parse_args(argv)
    if not args.csv.exists():
        print(f"extraction_fidelity: error: {args.csv} not found", file=sys.stderr)
        return 2
    frame = pd.read_csv(args.csv, dtype=str, keep_default_na=False)
    print(f"{args.csv.name}: {len(frame)} rows, {sum(1 for _, r in frame.iterrows() if quotes_of(r))} with quotes")
    report(score(frame, read_hardware_aliases()), args.misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
