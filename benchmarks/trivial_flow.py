"""Baseline for bench_run.py: the smallest real Prefect flow, one task, same process setup."""

from prefect import flow, task


@task
def one() -> int:
    return 1


@flow(name="trivial")
def trivial() -> int:
    return one()


if __name__ == "__main__":
    trivial()
