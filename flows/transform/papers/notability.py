"""The notability filter: which papers get run-level processing, and why (no Prefect here)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from flows.transform.papers.enrichment import SOURCE_NAMES, _loads

RULE_KEYS = ("min_citations", "categories", "always_notable_sources")


@dataclass(frozen=True)
class NotabilityRules:
    min_citations: int
    categories: tuple[str, ...]
    always_notable_sources: tuple[str, ...]


def select_notable(papers: pd.DataFrame, metrics: pd.DataFrame, rules: NotabilityRules) -> pd.DataFrame:
    """papers with is_notable and notability_reason: the rule that held, or why none did."""
    counted = metrics[metrics["citation_count"].notna()].sort_values("citation_count", ascending=False, kind="stable")
    best = {pid: (count, source) for pid, count, source in
            counted.drop_duplicates("paper_id")[["paper_id", "citation_count", "source"]].itertuples(index=False)}
    judged = papers[[c for c in ("paper_id", "source", "sources", "categories") if c in papers]]  # what _judge reads
    verdicts = [_judge(paper, best.get(paper["paper_id"]), rules) for paper in judged.to_dict("records")]
    return papers.assign(is_notable=[v[0] for v in verdicts], notability_reason=[v[1] for v in verdicts])


def _judge(paper: dict, best: tuple | None, rules: NotabilityRules) -> tuple[bool, str]:
    listed = _loads(paper.get("sources"))
    sources = [paper.get("source")] + (listed if isinstance(listed, list) else [])
    always = next((s for s in sources if s in rules.always_notable_sources), None)
    if always:
        return True, f"{always} record"
    if best is None:
        return False, "no citation count from Semantic Scholar or OpenAlex"
    cited = f"{int(best[0])} citations ({SOURCE_NAMES[best[1]]})"
    if best[0] < rules.min_citations:
        return False, f"{cited} < {rules.min_citations}"
    categories = _loads(paper.get("categories"))
    if not isinstance(categories, list) or not categories:
        return True, f"{cited} >= {rules.min_citations} (arXiv categories unknown)"
    hits = [c for c in categories if c in rules.categories]
    if not hits:
        return False, f"{cited} >= {rules.min_citations} but no category in {', '.join(rules.categories)}"
    return True, f"{cited} >= {rules.min_citations} in {', '.join(hits)}"


def parse_notability_rules(raw, origin: str = "notability rules") -> NotabilityRules:
    """The rules from parsed YAML (warehouse/seeds/notability.yaml by default); a broken one is one ValueError."""
    problem = _rules_problem(raw)
    if problem:
        raise ValueError(f"notability rules {origin}: {problem}")
    return NotabilityRules(raw["min_citations"], tuple(raw["categories"]), tuple(raw["always_notable_sources"]))


def _rules_problem(raw) -> str | None:
    if not isinstance(raw, dict):
        return f"expected a mapping of {', '.join(RULE_KEYS)}"
    missing, unknown = [k for k in RULE_KEYS if k not in raw], [str(k) for k in raw if k not in RULE_KEYS]
    if missing or unknown:
        return "; ".join(([f"missing {', '.join(missing)}"] if missing else [])
                         + ([f"unknown key(s) {', '.join(unknown)}"] if unknown else []))
    count = raw["min_citations"]
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        return f"min_citations must be a whole number >= 0, got {count!r}"
    for key in RULE_KEYS[1:]:
        if not isinstance(raw[key], list) or not all(isinstance(v, str) and v for v in raw[key]):
            return f"{key} must be a list of names, got {raw[key]!r}"
    return None
