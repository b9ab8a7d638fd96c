"""Trend charts written in each format (matplotlib's import and three renders take seconds, so
this lives in the slow tier); the warehouse is the one tests/unit/test_trends_command.py builds."""

from flows.cli.main import main
from tests.unit.test_trends_command import warehouse  # noqa: F401  (a fixture)


def test_charts_are_written_in_each_format(warehouse, tmp_path, capsys):
    for suffix in ("png", "svg", "html"):
        path = tmp_path / f"trend.{suffix}"
        assert main(["trends", "--warehouse", str(warehouse), "--chart", str(path)]) == 0
        assert path.stat().st_size > 10_000
    page = (tmp_path / "trend.html").read_text()
    assert page.count("<title>System run") == 80  # one hover text per fitted run
    assert "src=" not in page and "<link" not in page and "@import" not in page  # nothing fetched from elsewhere
    assert (tmp_path / "trend.png").read_bytes()[:4] == b"\x89PNG"
