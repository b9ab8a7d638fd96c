"""Raw full-text files: kept once by hash, bounded, and hostile archives refused with a reason."""

from __future__ import annotations

import gzip
import io
import tarfile
import time

import pytest

from flows.fulltext_read import read_paper_source
from flows.fulltext_read import matcher_for as _matcher
from tests.fulltext_fixtures import eprint, gzip_bomb, tar_gz
from warehouse.fulltext_cache import FulltextCache, Refused, Unpacked, unpack_source

TEX = b"\\documentclass{article}\\begin{document}We train on 8 V100 GPUs for 2 days.\\end{document}"


def _files_under(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _hardlink_tar() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("main.tex")
        info.size = len(TEX)
        archive.addfile(info, io.BytesIO(TEX))
        link = tarfile.TarInfo("copy.tex")
        link.type, link.linkname = tarfile.LNKTYPE, "/etc/passwd"
        archive.addfile(link)
    return buffer.getvalue()


HOSTILE = [  # (name, bytes, check_name): why each is refused
    ("dotdot", tar_gz({"main.tex": TEX, "../../escape.tex": b"\\section{x}"}), "unsafe_tar_member"),  # path traversal
    ("absolute", tar_gz({"main.tex": TEX, "/tmp/abs.tex": b"x"}), "unsafe_tar_member"),             # absolute path
    ("symlink", tar_gz({"main.tex": TEX}, links={"sections/a.tex": "/etc/passwd"}), "unsafe_tar_member"),
    ("hardlink", _hardlink_tar(), "unsafe_tar_member"),
    ("truncated", eprint("vision")[:-40], "truncated_gzip"),                       # a download cut short
    ("empty", b"", "empty_source"),
    ("empty_gzip", gzip.compress(b""), "empty_source"),
    ("html", b"<html><body>Not found</body></html>", "not_latex_or_pdf"),          # an error page saved as .pdf
]


@pytest.mark.parametrize("name,content,check", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_sources_are_refused_with_a_reason(name, content, check, tmp_path):
    cache = FulltextCache(tmp_path / "cache")
    refused = unpack_source(content)
    assert isinstance(refused, Refused) and refused.check_name == check and refused.reason
    note = cache.quarantine(f"test:{name}", content, refused)
    assert note.parent == cache.quarantine_dir and check in note.read_text()
    assert [p for p in _files_under(tmp_path) if not p.startswith("cache/")] == []  # nothing outside the cache


def test_a_decompression_bomb_stops_at_the_limit_quickly():
    bomb = gzip_bomb(1024**3)  # would expand to 1 GiB; ~1 MB on the wire
    began = time.perf_counter()
    refused = unpack_source(bomb, max_bytes=16 * 1024 * 1024)
    assert isinstance(refused, Refused) and refused.check_name == "decompression_bomb"
    assert "16,777,216" in refused.reason
    assert time.perf_counter() - began < 5  # reading stops at the limit, not after 1 GiB


def test_too_many_members_is_refused():
    many = tar_gz({f"f{i}.tex": b"x" for i in range(30)})
    refused = unpack_source(many, max_members=10)
    assert isinstance(refused, Refused) and refused.check_name == "too_many_members"


def test_a_fake_pdf_is_quarantined_by_the_reader():
    reading = read_paper_source("fake", b"%PDF-1.7\nthis is not really a pdf\n", _matcher(None))
    assert reading.refused is not None and reading.refused.check_name == "unreadable_pdf"


def test_a_good_eprint_unpacks_in_memory_with_its_paths():
    unpacked = unpack_source(eprint("two_sizes"))
    assert isinstance(unpacked, Unpacked) and unpacked.kind == "latex"
    assert sorted(unpacked.files) == ["main.tex", "sections/setup.tex"]
    single = unpack_source(gzip.compress(TEX))  # arXiv sends a one-file source as a gzipped .tex
    assert isinstance(single, Unpacked) and single.files == {"main.tex": TEX}


def test_the_cache_keeps_a_file_once_and_finds_it_by_key(tmp_path):
    cache = FulltextCache(tmp_path)
    first = cache.store("arxiv:2401.00001v1", TEX)
    second = cache.store("arxiv:2401.00001v2", TEX)  # same bytes under another version: one file
    assert first == second and _files_under(cache.raw_dir) == [first]
    assert cache.lookup("arxiv:2401.00001v1") == TEX and cache.lookup("arxiv:2401.00009v1") is None


def test_the_cache_stays_within_its_size_bound(tmp_path):
    cache = FulltextCache(tmp_path, max_bytes=2500)
    for i in range(5):
        cache.store(f"k{i}", bytes([i]) * 1000)
    kept = _files_under(cache.raw_dir)
    assert len(kept) == 2 and sum((cache.raw_dir / k).stat().st_size for k in kept) <= 2500
    assert cache.lookup("k4") == bytes([4]) * 1000 and cache.lookup("k0") is None  # oldest went first
