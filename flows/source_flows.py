"""One flow per source, beside the combined `flopledger-build`: each reads one source and lands it
(estimates and the review queue still cover every run in the warehouse). Deploy or serve them to
give each source its own schedule, e.g. arXiv daily and Epoch weekly."""

from __future__ import annotations

from prefect import flow

from flows.settings import KNOWN_SOURCES


def _make_source_flow(source: str):
    @flow(name=f"flopledger-{source.replace('_', '-')}", log_prints=True)
    def source_flow(warehouse: str | None = None, assumptions: str | None = None, limit: int | None = None,
                    lock_wait_seconds: float | None = None) -> dict:
        from flows.scheduled import scheduled_build

        return scheduled_build.fn(sources=[source], warehouse=warehouse, assumptions=assumptions, limit=limit,
                                  lock_wait_seconds=lock_wait_seconds)

    source_flow.__doc__ = f"Ingest only the `{source}` source into the warehouse."
    return source_flow


SOURCE_FLOWS = {source: _make_source_flow(source) for source in KNOWN_SOURCES}
curated_flow = SOURCE_FLOWS["curated"]
epoch_flow = SOURCE_FLOWS["epoch"]
arxiv_flow = SOURCE_FLOWS["arxiv"]
semantic_scholar_flow = SOURCE_FLOWS["semantic_scholar"]
openalex_flow = SOURCE_FLOWS["openalex"]
