import io

from flows.progress import terminal_progress


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_no_bar_when_nobody_watches():
    stream = io.StringIO()
    with terminal_progress("pages", stream) as update:
        update(3, 10)
    assert stream.getvalue() == ""


def test_a_bar_on_a_terminal():
    stream = FakeTerminal()
    with terminal_progress("arXiv entries", stream) as update:
        update(3, 10)
    assert "arXiv entries" in stream.getvalue()
