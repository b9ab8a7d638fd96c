"""The public views (warehouse/views.sql) with what one row is, said once for `flopledger sql --help`
and checked against views.sql by tests/unit/test_views.py. No imports: the CLI reads it at start-up."""

PUBLIC_VIEWS = {  # name -> what one row is (at most 57 characters: the help fits 80 columns)
    "papers": "a paper: title, published_date, arxiv_id, doi, url",
    "training_runs": "a run: sizes, hardware, hardware_family, published_date",
    "run_facts": "a fact one source states for a run, and where it stands",
    "run_extractions": "a value read from a hardware statement, with its span",
    "hardware_specs": "a chip: peaks per precision, memory, hardware_family",
    "hardware_aliases": "a name papers use for a chip, with its date window",
    "hardware_units": "what a unit of a chip is worth (board, core, pod)",
    "hardware_unresolved": "a hardware name no alias resolves (the names queue)",
    "compute_estimates": "run x method x assumption_set: flop, low, high, inputs",
    "compute_comparison": "run x assumption_set: ratio, flag, best_flop, date",
    "review_decisions": "an analyst's decision on a flagged run (history kept)",
    "quarantine": "a rejected record x failed check, payload as JSON",
    "trends": "assumption_set: latest growth/year, doubling, chart",
}


def views_help() -> str:
    """One line per view, for the end of `flopledger sql --help`."""
    width = max(map(len, PUBLIC_VIEWS))
    return "public views (what one row is):\n" + "\n".join(f"  {name:<{width}}  {what}" for name, what in PUBLIC_VIEWS.items())
