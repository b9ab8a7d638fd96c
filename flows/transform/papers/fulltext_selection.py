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


CANDIDATE_COLUMNS = ["paper_id", "arxiv_id", "version", "title", "published_date", "is_notable", "run_count",
                     "has_hardware", "has_size", "read_keys"]
HARDWARE_COLUMNS = ["hardware_id", "hardware_text", "chip_hours"]
SIZE_TOKENS_COLUMNS = ["training_tokens", "dataset_tokens", "training_examples"]


def _known(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Row by row: any of `columns` holds a value (absent columns hold none)."""
    present = [frame[c].notna() for c in columns if c in frame.columns]
    return pd.concat(present, axis=1).any(axis=1) if present else pd.Series(False, index=frame.index)


def candidate_papers(papers: list[pd.DataFrame], runs: list[pd.DataFrame], versions: pd.DataFrame,
                     reads: pd.DataFrame) -> pd.DataFrame:
    """Every paper with an arXiv id, as CANDIDATE_COLUMNS: the warehouse's papers and runs and this run's
    (later frames win for the same paper_id or run_id, so a paper landing in this same run is a candidate).
    A run has hardware when it names chips, a hardware text or device-hours, and a size when it states a
    parameter count with tokens or examples; the full-text source's own runs do not count."""
    paper_columns = ["paper_id", "arxiv_id", "title", "published_date"]
    every = pd.concat([p.reindex(columns=paper_columns + ["is_notable"]) for p in papers], ignore_index=True)
    every = every[every["arxiv_id"].notna()].drop_duplicates("paper_id", keep="last")
    if every.empty:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    run_rows = pd.concat([r for r in runs if not r.empty] or [pd.DataFrame(columns=["run_id", "paper_id", "source"])],
                         ignore_index=True).drop_duplicates("run_id", keep="last")
    run_rows = run_rows[run_rows["source"].ne("fulltext") & run_rows["paper_id"].isin(set(every["paper_id"]))]
    flags = pd.DataFrame({"paper_id": run_rows["paper_id"], "has_hardware": _known(run_rows, HARDWARE_COLUMNS),
                          "has_size": _known(run_rows, ["parameter_count"]) & _known(run_rows, SIZE_TOKENS_COLUMNS)})
    per_paper = flags.groupby("paper_id").agg(run_count=("has_size", "size"), has_hardware=("has_hardware", "any"),
                                              has_size=("has_size", "any")).reset_index()
    latest = versions.dropna(subset=["arxiv_id"]).groupby("arxiv_id")["version"].max().reset_index()
    keys = reads.groupby("paper_id")["paper_key"].agg(lambda k: sorted(k)).rename("read_keys").reset_index()
    out = every.merge(per_paper, on="paper_id", how="left").merge(latest, on="arxiv_id", how="left") \
               .merge(keys, on="paper_id", how="left")
    out["run_count"] = out["run_count"].fillna(0).astype(int)
    for column in ("has_hardware", "has_size", "is_notable"):
        out[column] = out[column].astype("boolean").fillna(False).astype(bool)
    out["read_keys"] = [k if isinstance(k, list) else [] for k in out["read_keys"]]
    return out.sort_values("paper_id").reset_index(drop=True)[CANDIDATE_COLUMNS]


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
