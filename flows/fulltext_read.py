"""Reading one paper's raw full text: unpack safely, text with structure, facts, candidate runs.

No Prefect and no DuckDB: `flopledger read-paper` and the fulltext flow's batch task both call
read_paper_source(). A file that cannot be read safely comes back as a refusal (check_name, reason)
for the quarantine, never as an exception: one hostile paper does not stop a batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from flows.transform.papers.fulltext_facts import FACT_COLUMNS, extract_facts
from flows.transform.papers.fulltext_runs import candidate_runs
from flows.transform.papers.fulltext_text import Piece, latex_pieces, may_state_fact, pdf_pieces
from warehouse.fulltext_cache import Refused, unpack_source


@lru_cache(maxsize=4)
def matcher_for(aliases_file: str | None):
    """The mention matcher for an alias file (the bundled one when None), built once per process."""
    from flows.transform.mentions.extract import build_matcher
    from warehouse.seeds import read_hardware_aliases

    return build_matcher(read_hardware_aliases(aliases_file) if aliases_file else read_hardware_aliases())


@dataclass
class PaperReading:
    paper_id: str
    kind: str | None = None                      # 'latex' or 'pdf'
    pieces: list[Piece] = field(default_factory=list)
    facts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FACT_COLUMNS))
    runs: pd.DataFrame = field(default_factory=pd.DataFrame)
    run_facts: pd.DataFrame = field(default_factory=pd.DataFrame)
    refused: Refused | None = None


def text_pieces(paper_id: str, content: bytes, max_bytes: int | None = None,
                keep=None) -> tuple[str | None, list[Piece] | Refused]:
    """(kind, pieces) of a raw file, or (None, Refused) when it is unsafe or unreadable; `keep`: sparse LaTeX."""
    unpacked = unpack_source(content, **({"max_bytes": max_bytes} if max_bytes else {}))
    if isinstance(unpacked, Refused):
        return None, unpacked
    if unpacked.kind == "pdf":
        try:
            pieces = pdf_pieces(paper_id, unpacked.files["paper.pdf"])
        except Exception as err:  # pypdfium2 raises PdfiumError for a damaged or fake PDF
            return "pdf", Refused("unreadable_pdf", f"PDF cannot be read ({type(err).__name__}: {err})")
    else:
        try:
            pieces = latex_pieces(paper_id, unpacked.files, keep)
        except Exception as err:  # pylatexenc is tolerant; anything left is a parser bug worth a quarantine row
            return "latex", Refused("unreadable_latex", f"LaTeX cannot be parsed ({type(err).__name__}: {err})")
    if not pieces:
        return unpacked.kind, Refused("no_text", f"the {unpacked.kind} source holds no text")
    return unpacked.kind, pieces


def read_paper_source(paper_id: str, content: bytes, matcher, published_date=None, system: str | None = None,
                      max_bytes: int | None = None, sparse: bool = False) -> PaperReading:
    """One paper read. `sparse`: parse only the LaTeX blocks that may state a fact (same facts, fewer
    pieces; document offsets then count only the blocks read, offsets within each sentence do not change)."""
    keep = may_state_fact(matcher.regex) if sparse else None
    kind, pieces = text_pieces(paper_id, content, max_bytes, keep)
    if isinstance(pieces, Refused):
        return PaperReading(paper_id, kind, refused=pieces)
    facts = extract_facts(pieces, matcher, published_date)
    runs, used = candidate_runs(facts, paper_id, system)
    return PaperReading(paper_id, kind, pieces, facts, runs, used)
