"""Which papers `run --source fulltext` reads (pure: the warehouse query is warehouse/fulltext_reads.py).

A paper is read when it is notable and its runs lack hardware (no chips, device-hours or hardware name)
or size (no parameter count with tokens or examples), or when it is named with --paper-id. A paper is
keyed by arXiv id and version (`arxiv:2401.01234v2`; no version when no arXiv entry says one): a key
read before is skipped, so a paper is read once per version. A named paper is read whatever its state,
also again at the same version (the raw file then comes from the cache, with no new request).
"""

from __future__ import annotations

import pandas as pd


def version_tag(version) -> str | None:
    """3, 3.0, '3', 'v3' -> 'v3'; None (or NaN, NA, '') -> None."""
    if version is None or version is pd.NA or version == "" or (isinstance(version, float) and version != version):
        return None
    if isinstance(version, float) and version.is_integer():  # a column with a gap holds 2.0, not 2
        version = int(version)
    text = str(version)
    return text if text.startswith("v") else f"v{text}"


def paper_key(arxiv_id: str, version=None) -> str:
    return f"arxiv:{arxiv_id}{version_tag(version) or ''}"


def why_read(paper: dict, named: bool) -> str | None:
    """The reason to read a candidate paper, or None to leave it."""
    if named:
        return "named with --paper-id"
    if not paper["is_notable"]:
        return None
    if paper_key(paper["arxiv_id"], paper["version"]) in paper["read_keys"]:
        return None
    lacking = [what for what, has in (("hardware", paper["has_hardware"]), ("size", paper["has_size"])) if not has]
    return f"notable, runs lack {' and '.join(lacking)}" if lacking else None


def select_fulltext_papers(candidates: pd.DataFrame, notable_ids: set[str] | None, paper_ids: tuple[str, ...] = (),
                           limit: int | None = None) -> tuple[list[dict], list[str]]:
    """(papers to read: paper_id, arxiv_id, version, key, title, published_date, reason; the --paper-id values
    that match no paper with an arXiv id). `notable_ids`: this run's notability verdicts (None: the stored
is_notable column); a --paper-id may
    name a paper_id or an arXiv id. Named papers come first, then the rest by paper_id; `limit` caps them."""
    named = set(paper_ids)
    chosen, matched = [], set()
    for paper in candidates.to_dict("records"):
        is_named = bool({paper["paper_id"], paper["arxiv_id"]} & named)
        matched |= {paper["paper_id"], paper["arxiv_id"]} & named
        notable = bool(paper["is_notable"]) if notable_ids is None else paper["paper_id"] in notable_ids
        reason = why_read(paper | {"is_notable": notable}, is_named)
        if reason:
            chosen.append({"paper_id": paper["paper_id"], "arxiv_id": paper["arxiv_id"],
                           "version": version_tag(paper["version"]), "key": paper_key(paper["arxiv_id"], paper["version"]),
                           "title": paper["title"], "published_date": _date(paper["published_date"]),
                           "reason": reason, "named": is_named})
    chosen.sort(key=lambda p: (not p["named"], p["paper_id"]))
    return chosen[:limit] if limit else chosen, [p for p in paper_ids if p not in matched]


def _date(value) -> str | None:
    stamp = pd.to_datetime(value, errors="coerce") if value is not None else pd.NaT
    return None if pd.isna(stamp) else stamp.strftime("%Y-%m-%d")
