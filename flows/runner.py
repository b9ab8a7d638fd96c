"""Serving a flow on a schedule with a clean stop: Prefect 3.8.8's Runner handles SIGTERM by calling
its sync `stop()` from inside the running event loop, where `stop()` returns the coroutine `astop`
unawaited ("RuntimeWarning: coroutine 'Runner.astop' was never awaited"), then exits with SystemExit.
Here SIGTERM schedules `astop()` on that loop, so the runner's start() returns as it would after
Ctrl-C: deployments paused, exit code 0, no warning."""

from __future__ import annotations

import asyncio
import sys

from prefect.runner import Runner


class StoppableRunner(Runner):
    def handle_sigterm(self, *args, **kwargs) -> None:
        self._logger.info("SIGTERM received, shutting down...")
        try:
            loop = asyncio.get_running_loop()  # a signal handler runs in the main thread, on top of the loop
        except RuntimeError:  # before the loop runs there is nothing to stop
            sys.exit(0)
        self._stop_task = loop.create_task(self.astop())  # kept: the loop holds tasks only weakly


def serve_flow(flow, name: str, cron: str, parameters: dict, limit: int | None = None) -> None:
    """What flow.serve(name=, cron=, parameters=, limit=) does, with a runner that stops cleanly on SIGTERM."""
    runner = StoppableRunner(name=name, pause_on_shutdown=True, limit=limit)
    runner.add_flow(flow, name=name, cron=cron, parameters=parameters)
    print(f"serving {flow.name}/{name} on cron {cron!r}; stop it with Ctrl-C or SIGTERM", flush=True)
    try:
        asyncio.run(runner.start())
    except KeyboardInterrupt:
        pass
