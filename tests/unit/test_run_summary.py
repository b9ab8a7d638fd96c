"""The closing summary of `flopledger run` at 80 columns (rich at COLUMNS=80): names whole, only the
sources that ran, the quarantine block as given (issue 17, item 1)."""

import io

from rich.console import Console

from flows.cli.run_summary import print_summary, shown_counts


def count(source, table, rows_in, landed):
    return {"source": source, "table": table, "rows_in": rows_in, "landed": landed, "quarantined": rows_in - landed}


SUMMARY = {
    "pipeline_run_id": "run-1", "warehouse": "/data/flopledger.duckdb", "assumptions": "epoch-2022",
    "counts": [count("curated", "raw_curated__records", 37, 37), count("epoch", "raw_epoch__models", 1649, 1644),
               count("seeds", "ref__hardware_aliases", 908, 908),
               count("semantic_scholar", "raw_semantic_scholar__papers", 0, 0),
               count("openalex", "raw_openalex__works", 0, 0), count("enrichment", "core__paper_metrics", 0, 0),
               count("estimates", "out__compute_comparison", 1685, 1685),
               count("arxiv_snapshot", "raw_arxiv_snapshot__records", 2_800_000, 1_000_000)],
    "quarantine": [{"source": "arxiv_snapshot", "table": "raw_arxiv_snapshot__records", "rows": 1},
                   {"source": "epoch", "table": "training_runs", "rows": 10}],
    "totals": {"papers": 1556, "quarantined_open": 11},
}


def printed(sources, width=80) -> str:
    out = io.StringIO()
    print_summary(SUMMARY, sources, Console(file=out, width=width))
    return out.getvalue()


def test_at_80_columns_no_line_is_wider_and_no_name_is_cut():
    text = printed(["curated", "epoch", "arxiv_snapshot"])
    assert max(len(line) for line in text.splitlines()) <= 80
    for name in ("raw_arxiv_snapshot__records", "out__compute_comparison", "ref__hardware_aliases", "raw_epoch__models"):
        assert f" {name} " in text
    assert "…" not in text
    assert "2,800,000" in text and "1,800,000" in text  # rows in and not landed, whole


def test_only_the_sources_that_ran_are_shown():
    text = printed(["curated"])
    assert "raw_curated__records" in text and "out__compute_comparison" in text and "ref__hardware_aliases" in text
    for absent in ("semantic_scholar", "openalex", "enrichment", "raw_epoch__models"):
        assert absent not in text
    with_s2 = [c["source"] for c in shown_counts(SUMMARY["counts"], ["curated", "semantic_scholar"])]
    assert "semantic_scholar" in with_s2 and "enrichment" in with_s2 and "openalex" not in with_s2


def test_the_quarantine_block_and_the_plain_lines():
    text = printed(["curated", "epoch", "arxiv_snapshot"])
    held = {" ".join(line.split()[:3]): line.split()[-1] for line in text.splitlines()
            if " / " in line and "source / table" not in line}
    assert held == {"arxiv_snapshot / raw_arxiv_snapshot__records": "1", "epoch / training_runs": "10"}
    assert text.splitlines()[-2:] == ["warehouse: /data/flopledger.duckdb", "pipeline run: run-1"]
