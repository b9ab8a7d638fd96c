"""`flopledger run`: check the arguments, run the flow, print the summary."""

from __future__ import annotations

def settings_from_args(args):
    """The run settings from parsed `run`/`serve` arguments, checked (flows/settings.py)."""
    from flows.settings import checked_settings

    return checked_settings(
        sources=args.sources, warehouse=args.warehouse, assumptions=args.assumptions,
        assumptions_file=args.assumptions_file, limit=args.limit, curated_dir=args.curated_dir,
        lock_wait_seconds=getattr(args, "wait", None), aliases_file=getattr(args, "aliases_file", None),
        epoch_models_url=getattr(args, "epoch_models_url", None), contact=getattr(args, "contact", None),
        arxiv_url=getattr(args, "arxiv_url", None),
        arxiv_categories=tuple(args.arxiv_categories) if getattr(args, "arxiv_categories", None) else None,
        since=getattr(args, "since", None), until=getattr(args, "until", None), s2_url=getattr(args, "s2_url", None),
        openalex_url=getattr(args, "openalex_url", None), arxiv_snapshot=getattr(args, "arxiv_snapshot", None),
        fulltext_url=getattr(args, "fulltext_url", None), fulltext_dir=getattr(args, "fulltext_dir", None),
        paper_ids=tuple(args.paper_ids) if getattr(args, "paper_ids", None) else None,
        workers=getattr(args, "workers", None), dask_address=getattr(args, "dask_address", None))


def run_pipeline(args) -> int:
    from flows.cli.run_summary import print_summary
    from flows.settings import apply_prefect_defaults, prefect_api_url
    from flows.stages import StageReporter, reporting
    from warehouse.lock import warehouse_lock

    from flows.signals import stop_on_termination

    settings = settings_from_args(args)
    apply_prefect_defaults()
    reporter = StageReporter()
    # before Prefect starts its temporary server (10-20 s): a busy warehouse fails at once, in one line
    with stop_on_termination(), warehouse_lock(settings.warehouse, wait_seconds=settings.lock_wait_seconds), \
            reporting(reporter):
        reporter.say(f"flopledger: warehouse {settings.warehouse.resolve()}; sources {', '.join(settings.sources)}; "
                     f"assumption set {settings.assumptions}")
        api = prefect_api_url()
        # no PREFECT_API_URL: a server for this process only (README: set it to report to a running one),
        # stopped by a guard process if this one is killed outright
        if not api:
            from flows.prefect_server import tie_temporary_server

            tie_temporary_server()
        reporter.begin("Prefect start-up", f"reporting to {api}" if api else "a temporary local server, 10-20 s")
        if "fulltext" in settings.sources and (settings.workers or settings.dask_address):
            from flows.fulltext_flow import shared_prefect_api

            shared_prefect_api()  # before the flow starts: Dask workers report to the same Prefect server
        from flows.pipeline import build_warehouse

        summary = build_warehouse(settings)
    print_summary(summary, settings.sources)
    reporter.say(f"flopledger: run finished in {reporter.elapsed():.1f} s")
    return 0
