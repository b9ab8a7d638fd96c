"""Raw full-text files (arXiv e-prints, PDFs) kept on disk by content hash, next to the warehouse,
and unpacked safely in memory.

The cache is a folder (default `<warehouse>.fulltext/`): `raw/<sha256>` holds each file once,
`index.json` maps a key (`arxiv:2401.01234v2`, a URL) to the hash, so a file is never fetched twice;
`quarantine/<sha256>.json` says why a file was refused. The folder is bounded: past `max_bytes` the
least recently used raw files go (their index entries with them).

`unpack_source` never writes anything: it decompresses a gzip with a byte limit while streaming (a
decompression bomb stops at the limit, not after), then reads a tar member by member and refuses
absolute paths, `..`, links and devices, more than `max_members` members or `max_bytes` in total.
A refusal is a `Refused(check_name, reason)`, which the caller quarantines.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # arXiv caps a submission's source at 50 MB; a little headroom
MAX_MEMBERS = 2000                     # a paper's source rarely holds more than a few hundred files
MAX_CACHE_BYTES = 2 * 1024**3          # the raw cache's size bound (oldest-used files go first)
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Refused:
    """A raw file that will not be read, and why (a quarantine row's check_name and reason)."""

    check_name: str
    reason: str


@dataclass(frozen=True)
class Unpacked:
    """What a raw file holds: `kind` 'pdf' (files: {'paper.pdf': bytes}) or 'latex' (every member by path)."""

    kind: str
    files: dict[str, bytes]


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _gunzip(content: bytes, max_bytes: int) -> bytes | Refused:
    """The whole decompressed stream, read in chunks and stopped as soon as it passes max_bytes."""
    out = io.BytesIO()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(content)) as stream:
            while chunk := stream.read(CHUNK):
                if out.tell() + len(chunk) > max_bytes:
                    return Refused("decompression_bomb", f"gzip expands past the {max_bytes:,}-byte limit; not read further")
                out.write(chunk)
    except EOFError:
        return Refused("truncated_gzip", "gzip stream ends before its end marker (truncated download?)")
    except (OSError, zlib.error) as err:
        return Refused("corrupt_gzip", f"gzip stream is corrupt ({err})")
    return out.getvalue()


def _member_problem(member: tarfile.TarInfo) -> str | None:
    path = PurePosixPath(member.name)
    if member.issym() or member.islnk():
        return f"tar member {member.name!r} is a link (to {member.linkname!r})"
    if path.is_absolute() or member.name.startswith(("/", "\\")) or (path.parts and ":" in path.parts[0]):
        return f"tar member {member.name!r} has an absolute path"
    if ".." in path.parts:
        return f"tar member {member.name!r} points outside its folder (..)"
    if not (member.isfile() or member.isdir()):
        return f"tar member {member.name!r} is a device, fifo or other special file"
    return None


def _untar(data: bytes, max_bytes: int, max_members: int) -> dict[str, bytes] | Refused:
    files: dict[str, bytes] = {}
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            for count, member in enumerate(archive, start=1):
                if count > max_members:
                    return Refused("too_many_members", f"tar holds more than {max_members} members")
                problem = _member_problem(member)
                if problem:
                    return Refused("unsafe_tar_member", problem)
                if member.isdir():
                    continue
                total += member.size
                if total > max_bytes:
                    return Refused("decompression_bomb", f"tar members add up past the {max_bytes:,}-byte limit")
                handle = archive.extractfile(member)
                files[str(PurePosixPath(member.name))] = handle.read(member.size + 1) if handle else b""
    except tarfile.TarError as err:
        return Refused("corrupt_tar", f"tar archive is corrupt ({err})")
    return files


def unpack_source(content: bytes, max_bytes: int = MAX_UNPACKED_BYTES, max_members: int = MAX_MEMBERS) -> Unpacked | Refused:
    """A PDF, a gzipped tar of LaTeX, a gzipped single .tex or a plain .tex, read in memory only."""
    if not content.strip():
        return Refused("empty_source", "the file is empty")
    if content[:5] == b"%PDF-":
        return Unpacked("pdf", {"paper.pdf": content})
    data = _gunzip(content, max_bytes) if content[:2] == b"\x1f\x8b" else content
    if isinstance(data, Refused):
        return data
    if not data.strip():
        return Refused("empty_source", "the source decompresses to nothing")
    if data[:5] == b"%PDF-":
        return Unpacked("pdf", {"paper.pdf": data})
    if data[257:262] == b"ustar" or _looks_like_tar(data):
        files = _untar(data, max_bytes, max_members)
        if isinstance(files, Refused):
            return files
        if not any(name.endswith(".tex") for name in files):
            return Refused("no_latex", "the archive holds no .tex file")
        return Unpacked("latex", files)
    if b"\\" not in data[:200_000]:
        return Refused("not_latex_or_pdf", "neither a PDF (no %PDF- header) nor LaTeX source")
    return Unpacked("latex", {"main.tex": data})


def _looks_like_tar(data: bytes) -> bool:
    try:
        tarfile.TarInfo.frombuf(data[:512], "utf-8", "surrogateescape")
        return True
    except (tarfile.TarError, ValueError):
        return False


class FulltextCache:
    """Raw files by sha256 under `root`, an index key -> sha256, and quarantine notes; bounded in size."""

    def __init__(self, root: str | os.PathLike, max_bytes: int = MAX_CACHE_BYTES):
        self.root, self.max_bytes = Path(root), max_bytes
        self.raw_dir, self.quarantine_dir = self.root / "raw", self.root / "quarantine"
        self.raw_dir.mkdir(parents=True, exist_ok=True)
        self.quarantine_dir.mkdir(exist_ok=True)
        self.index_file = self.root / "index.json"
        self.read_file = self.root / "read.json"  # key (paper + version) -> sha256 of the file read

    def _index(self) -> dict[str, str]:
        return self._load(self.index_file)

    def _save_index(self, index: dict[str, str]) -> None:
        self._write(self.index_file, index)

    def sha_of(self, key: str) -> str | None:
        return self._index().get(key)

    def lookup(self, key: str) -> bytes | None:
        """The raw file kept for `key`, or None (never fetched, or evicted)."""
        sha = self._index().get(key)
        path = self.raw_dir / sha if sha else None
        if path is None or not path.is_file():
            return None
        os.utime(path)  # most recently used: evicted last
        return path.read_bytes()

    def store(self, key: str, content: bytes) -> str:
        """Keep `content` under its hash (once), remember key -> hash, then enforce the size bound."""
        sha = sha256_of(content)
        path = self.raw_dir / sha
        if not path.is_file():
            tmp = path.with_suffix(".part")
            tmp.write_bytes(content)
            tmp.replace(path)
        index = self._index()
        index[key] = sha
        self._save_index(index)
        self._evict(keep=sha)
        return sha

    def quarantine(self, key: str, content: bytes, refused: Refused) -> Path:
        """A note (key, hash, size, check, reason) for a refused file; the file itself is not unpacked."""
        sha = sha256_of(content)
        note = self.quarantine_dir / f"{sha}.json"
        note.write_text(json.dumps({"key": key, "sha256": sha, "size_bytes": len(content),
                                    "check_name": refused.check_name, "reason": refused.reason}), encoding="utf-8")
        return note

    def was_read(self, key: str) -> bool:
        """True once `key` (a paper at one version) has been read and landed: it is not read again."""
        return key in self._load(self.read_file)

    def mark_read(self, keys: dict[str, str]) -> None:
        """Record keys read (key -> sha256), after their results are landed."""
        self._write(self.read_file, self._load(self.read_file) | keys)

    @staticmethod
    def _load(path: Path) -> dict[str, str]:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    @staticmethod
    def _write(path: Path, data: dict[str, str]) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        tmp.replace(path)

    def _evict(self, keep: str) -> None:
        files = sorted((p for p in self.raw_dir.iterdir() if p.is_file()), key=lambda p: p.stat().st_mtime)
        total = sum(p.stat().st_size for p in files)
        gone = set()
        for path in files:
            if total <= self.max_bytes:
                break
            if path.name != keep:
                total -= path.stat().st_size
                path.unlink()
                gone.add(path.name)
        if gone:
            self._save_index({k: v for k, v in self._index().items() if v not in gone})
