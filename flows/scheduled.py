"""`flopledger-scheduled`: the flow a schedule runs (`flopledger serve`, prefect.yaml deployments).

Its parameters are plain JSON (a source list and a few strings), not `Settings`: a deployment
stores its parameters on the server, and a stored Settings would freeze every field, defaults and
FLOPLEDGER_* environment included, as they were on deploy day, and break when Settings gains or
loses a field. Here Settings is built at run time, in the process that runs the flow, through the
same checks as `flopledger run`; then the warehouse lock is taken and `flopledger-build` runs as
a subflow.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.concurrency import ensure_limits
from flows.settings import Settings, checked_settings, lock_wait_seconds as resolve_wait
from warehouse.lock import warehouse_lock


def settings_for_schedule(sources: list[str] | None = None, warehouse: str | None = None,
                          assumptions: str | None = None, assumptions_file: str | None = None,
                          curated_dir: str | None = None, limit: int | None = None) -> Settings:
    """Settings as `flopledger run --source ... --warehouse ...` would build them (env as defaults)."""
    return checked_settings(sources=list(sources or []) or None, warehouse=_path(warehouse), assumptions=assumptions,
                            assumptions_file=_path(assumptions_file), curated_dir=_path(curated_dir), limit=limit)


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


@flow(name="flopledger-scheduled", log_prints=True)
def scheduled_build(sources: list[str] | None = None, warehouse: str | None = None, assumptions: str | None = None,
                    assumptions_file: str | None = None, curated_dir: str | None = None, limit: int | None = None,
                    lock_wait_seconds: float | None = None) -> dict:
    """Build or refresh the warehouse on a schedule; unset parameters fall back to FLOPLEDGER_* variables."""
    # imported here, not at the top: `serve` cloudpickles this flow into a spawned process, and a
    # module-level Flow object would travel by value without the globals its annotations name
    # (measured: every served run failed "`Build_WarehouseModel` is not fully defined ... `Settings`")
    from flows.pipeline import build_warehouse

    settings = settings_for_schedule(sources, warehouse, assumptions, assumptions_file, curated_dir, limit)
    ensure_limits()  # a server that was reset since `serve` started has none; cheap when they exist
    with warehouse_lock(settings.warehouse, wait_seconds=resolve_wait(lock_wait_seconds)):
        return build_warehouse(settings)
