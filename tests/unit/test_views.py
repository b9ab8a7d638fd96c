"""What analysts ask for in SQL (issue 17, item 4): a run's publication date and chip family without a
join, and `sql --help` naming every public view in one line each."""

import re

import pytest

from tests.cli_runner import run_cli
from warehouse.connection import VIEWS_FILE, connect_for_write
from warehouse.view_catalog import PUBLIC_VIEWS

AUDIT = "'h', now(), now()"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("views") / "w.duckdb"
    con = connect_for_write(path)
    con.execute(f"INSERT INTO core__papers (paper_id, title, published_date, source, row_hash, first_landed_at, "
                f"updated_at) VALUES ('p1', 'Scaling', DATE '2022-03-29', 'curated', {AUDIT})")
    for hardware_id, family in (("nvidia_a100_sxm4_40gb", "A100"), ("nvidia_a100_pcie", "A100"),
                                ("google_tpu_v4", "TPU v4")):
        con.execute(f"INSERT INTO ref__hardware_specs (hardware_id, name, kind, source_url, family, row_hash, "
                    f"first_landed_at, updated_at) VALUES (?, ?, 'gpu', 'https://example.org', ?, {AUDIT})",
                    [hardware_id, hardware_id, family])
    for run_id, hardware_id in (("r1", "nvidia_a100_sxm4_40gb"), ("r2", "nvidia_a100_pcie"), ("r3", "google_tpu_v4"),
                                ("r4", None)):
        con.execute(f"INSERT INTO core__training_runs (run_id, paper_id, system, hardware_id, source, row_hash, "
                    f"first_landed_at, updated_at) VALUES (?, 'p1', ?, ?, 'curated', {AUDIT})", [run_id, run_id, hardware_id])
        for assumption_set in ("epoch-2022", "openai-2018"):
            con.execute(f"INSERT INTO out__compute_comparison (run_id, assumption_set, is_flagged, review_status, "
                        f"inputs_fingerprint, row_hash, first_landed_at, updated_at) VALUES (?, ?, FALSE, 'not_flagged', "
                        f"'f', {AUDIT})", [run_id, assumption_set])
    yield con
    con.close()


def test_training_runs_carry_the_papers_date_and_the_chip_family(warehouse):
    rows = warehouse.execute("SELECT run_id, published_date::VARCHAR, hardware_family FROM training_runs ORDER BY run_id").fetchall()
    assert rows == [("r1", "2022-03-29", "A100"), ("r2", "2022-03-29", "A100"), ("r3", "2022-03-29", "TPU v4"),
                    ("r4", "2022-03-29", None)]
    by_family = dict(warehouse.execute("SELECT hardware_family, count(*) FROM training_runs GROUP BY ALL").fetchall())
    assert by_family["A100"] == 2  # two hardware_ids, one family to group by


def test_compute_comparison_carries_the_date_once_per_run_and_set(warehouse):
    rows = warehouse.execute("SELECT run_id, assumption_set, published_date::VARCHAR FROM compute_comparison "
                             "ORDER BY ALL").fetchall()
    assert len(rows) == 8 and {r[2] for r in rows} == {"2022-03-29"}


def test_hardware_specs_carry_the_family(warehouse):
    assert warehouse.execute("SELECT hardware_family FROM hardware_specs WHERE hardware_id = 'google_tpu_v4'").fetchone() == ("TPU v4",)


def test_the_catalog_names_exactly_the_views_in_views_sql():
    created = re.findall(r"CREATE OR REPLACE VIEW (\w+)", VIEWS_FILE.read_text())
    assert sorted(created) == sorted(PUBLIC_VIEWS)


def test_sql_help_lists_every_view_on_one_line_within_80_columns():
    text = run_cli("sql", "--help").stdout
    listed = [line.split()[0] for line in text.splitlines()[text.splitlines().index("public views (what one row is):") + 1:]]
    assert listed == list(PUBLIC_VIEWS)
    assert max(len(line) for line in text.splitlines()) <= 80
