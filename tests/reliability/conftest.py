"""The reliability tier (issue 12): each hostile case from the adversarial pass, on local files, a local
HTTP server and temporary warehouses. Fast and bounded; nothing leaves 127.0.0.1."""

import hashlib
import shutil

import pandas as pd
import pytest


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def warehouse_template(tmp_path_factory):
    """A migrated warehouse with two aliases in it, closed (as `flopledger run` leaves it); built once."""
    from warehouse.connection import connect_for_write
    from warehouse.writes import upsert_rows

    path = tmp_path_factory.mktemp("template") / "w.duckdb"
    con = connect_for_write(path)
    frame = pd.DataFrame([("a100", "nvidia_a100_sxm4_40gb", "test row"), ("v100", "nvidia_v100_sxm2_16gb", "=1+1")],
                         columns=["alias", "hardware_id", "note"])
    upsert_rows(con, "ref__hardware_aliases", frame.assign(alias_key=frame["alias"] + "|"), ["alias_key"])
    con.execute("CHECKPOINT")
    con.close()
    return path


@pytest.fixture
def small_warehouse(warehouse_template, tmp_path):
    """A private copy of the template warehouse."""
    path = tmp_path / "w.duckdb"
    shutil.copyfile(warehouse_template, path)
    return path


def pytest_collection_modifyitems(items):
    """Every test here carries the `reliability` marker (`pytest -m reliability` runs the tier alone)."""
    for item in items:
        if "tests/reliability/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.reliability)
