"""Fixture papers for the full-text tests (tests/fixtures/fulltext/<name>/): built into e-prints and
PDFs here, in the test, from LaTeX and text written for these tests; plus hostile files."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fulltext"


def tex_files(name: str) -> dict[str, bytes]:
    root = FIXTURES / name
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.tex"))}


def expected(name: str) -> dict:
    return yaml.safe_load((FIXTURES / name / "expected.yaml").read_text(encoding="utf-8"))


def tar_gz(files: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    """A gzipped tar e-print; `links` adds symlinks name -> target."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            archive.addfile(info)
    return buffer.getvalue()


def eprint(name: str) -> bytes:
    return tar_gz(tex_files(name))


def pdf_of_text(text: str) -> bytes:
    """A PDF written by fpdf2, one line per line of `text` (blank lines kept)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in text.split("\n"):
        pdf.multi_cell(0, 5, line or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def plain_pdf() -> bytes:
    return pdf_of_text((FIXTURES / "plain" / "paper.txt").read_text(encoding="utf-8"))


def gzip_bomb(expanded_bytes: int, piece: int = 1024 * 1024) -> bytes:
    """A gzip stream that expands to `expanded_bytes` of spaces: one compressed member of `piece` bytes
    repeated (gzip readers concatenate members), so nothing near that size is ever held or written here."""
    member = gzip.compress(b" " * piece, compresslevel=9)
    return member * (expanded_bytes // piece)
