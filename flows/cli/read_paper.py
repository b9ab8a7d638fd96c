"""`flopledger read-paper PATH|URL|ARXIV_ID [--json]`: one paper's candidate runs, facts, both estimates
and the evidence for each value. No warehouse, no Prefect: the analyst's quick look.

PATH is an e-print (.tar.gz, .gz), a .tex, a PDF or a folder of .tex files; URL any http(s) address
of one; ARXIV_ID ('2401.01234', 'cs/0112017v2') is fetched from --fulltext-url (default arXiv).
"""

from __future__ import annotations

import io
import json
import math
import re
import sys
import tarfile
from pathlib import Path

from flows.cli.base import CliError

SHOWN = ["parameter_count", "training_tokens", "dataset_tokens", "training_examples", "epochs", "batch_size",
         "batch_tokens", "hardware_text", "hardware_id", "chip_count", "training_hours", "chip_hours", "precision",
         "utilization"]
ESTIMATE_COLUMNS = ["operations_flop", "hardware_flop", "hardware_flop_low", "hardware_flop_high", "ratio",
                    "is_flagged", "best_flop", "best_method"]
EVIDENCE = ["fact", "value", "value_text", "role", "role_reason", "section", "file", "page", "start", "end", "sentence"]


def add_read_paper_parser(sub, parser_class) -> None:
    parser = sub.add_parser("read-paper", help="read one paper's full text: candidate runs, facts, both estimates",
                            description="Read one paper (a local e-print, .tex, PDF or folder; an http(s) URL; or an "
                                        "arXiv id) and print its candidate training runs with their facts, both "
                                        "compute estimates and the evidence (section, offsets, sentence). "
                                        "Uses no warehouse.")
    parser.add_argument("paper", metavar="PATH|URL|ARXIV_ID")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of text")
    parser.add_argument("--fulltext-url", metavar="URL", help="base URL for arXiv ids (default: $FLOPLEDGER_FULLTEXT_URL "
                        "or https://arxiv.org; e-prints at URL/e-print/ID, PDFs at URL/pdf/ID)")
    parser.add_argument("--assumptions", metavar="SET", help="assumption set (default: $FLOPLEDGER_ASSUMPTIONS or epoch-2022)")
    parser.set_defaults(handler=command_read_paper)


def _folder_tar(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for path in sorted(folder.rglob("*.tex")):
            archive.add(path, arcname=str(path.relative_to(folder)), recursive=False)
    return buffer.getvalue()


def load_paper(target: str, base_url: str | None) -> tuple[str, bytes]:
    """(paper id, raw bytes) for a path, URL or arXiv id; CliError for anything else."""
    from flows.settings import fulltext_url
    from sources.fulltext import fetch_arxiv_fulltext, fetch_url, fulltext_client, parse_arxiv_id, read_local

    if re.match(r"^https?://", target):
        with fulltext_client(min_interval_seconds=0.0, max_retries=1) as client:
            return target, fetch_url(client, target).body
    path = Path(target)
    if path.is_dir():
        return path.name, _folder_tar(path)
    if path.exists():
        return path.name, read_local(path)
    arxiv = parse_arxiv_id(target)
    if arxiv:
        with fulltext_client(min_interval_seconds=0.0, max_retries=1) as client:
            return target, fetch_arxiv_fulltext(client, arxiv[0] + (arxiv[1] or ""), fulltext_url(base_url)).body
    raise CliError(f"read-paper: {target!r} is not an existing file or folder, an http(s) URL or an arXiv id")


def _clean(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def reading_report(reading, assumptions: str | None) -> dict:
    """The JSON shape: runs with their values, estimates and facts; statements of other roles apart."""
    from flows.settings import get_assumption_set
    from flows.transform.compute.estimates import estimate_compute
    from warehouse.seeds import read_hardware_specs

    runs = []
    if not reading.runs.empty:
        rules = get_assumption_set(assumptions)
        _, comparison = estimate_compute(reading.runs.drop(columns=["run_key"]), read_hardware_specs(), rules)
        by_run = comparison.set_index("run_id")
        for _, run in reading.runs.iterrows():
            est = by_run.loc[run["run_id"]] if run["run_id"] in by_run.index else None
            facts = reading.run_facts[reading.run_facts["run_id"] == run["run_id"]]
            runs.append({"run_id": run["run_id"], "run_key": run["run_key"], "system": run["system"],
                         **{c: _clean(run[c]) for c in SHOWN},
                         "estimates": {c: _clean(est[c]) if est is not None else None for c in ESTIMATE_COLUMNS},
                         "facts": [{c: _clean(f[c]) for c in EVIDENCE} for _, f in facts.iterrows()]})
    others = reading.facts[reading.facts["role"] != "training"]
    return {"paper": reading.paper_id, "kind": reading.kind, "pieces": len(reading.pieces),
            "facts": len(reading.facts), "assumptions": assumptions, "runs": runs,
            "other_statements": [{c: _clean(f[c]) for c in EVIDENCE} for _, f in others.iterrows()]}


def _g(value) -> str:
    return "-" if value is None else (f"{value:.3g}" if isinstance(value, float) else str(value))


def print_report(report: dict, out=None) -> None:
    out = out or sys.stdout  # looked up at call time (tests swap sys.stdout)
    print(f"{report['paper']}: {report['kind']} source, {report['pieces']} pieces of text, {report['facts']} facts, "
          f"{len(report['runs'])} candidate run(s)", file=out)
    for run in report["runs"]:
        e = run["estimates"]
        print(f"\nrun {run['run_id']}", file=out)
        print(f"  operations {_g(e['operations_flop'])} FLOP | hardware {_g(e['hardware_flop'])} FLOP "
              f"({_g(e['hardware_flop_low'])}-{_g(e['hardware_flop_high'])}) | ratio {_g(e['ratio'])}"
              f"{' FLAGGED' if e['is_flagged'] else ''} | best {_g(e['best_flop'])} ({e['best_method'] or '-'})", file=out)
        for f in run["facts"]:
            where = f["section"] or "-"
            print(f"  {f['fact']:<16} {_g(f['value']):<10} {f['value_text']!r} [{where}; {f['file'] or 'page ' + str(f['page'])};"
                  f" {f['start']}-{f['end']}]", file=out)
    if report["other_statements"]:
        print("\nnot the paper's own training:", file=out)
        for f in report["other_statements"]:
            print(f"  {f['fact']:<16} {_g(f['value']):<10} {f['role']}: {f['role_reason']} [{f['section'] or '-'}; "
                  f"{f['start']}-{f['end']}]", file=out)


def command_read_paper(args) -> int:
    from flows.fulltext_read import read_paper_source
    from flows.settings import default_assumptions
    from flows.transform.mentions.extract import build_matcher
    from warehouse.seeds import read_hardware_aliases

    paper_id, content = load_paper(args.paper, args.fulltext_url)
    reading = read_paper_source(paper_id, content, build_matcher(read_hardware_aliases()))
    if reading.refused is not None:
        raise ValueError(f"read-paper: cannot read {args.paper} ({reading.refused.check_name}: {reading.refused.reason})")
    report = reading_report(reading, default_assumptions(args.assumptions))
    if args.json:
        print(json.dumps(report, default=str))
    else:
        print_report(report)
    return 0
