"""A paper's full text as pieces with structure: LaTeX through pylatexenc, PDF through pypdfium2.

Pure (bytes in, pieces out; no file or network I/O). A piece is one paragraph, caption, table or
footnote-bearing paragraph with its place: paper_id, section title, file (LaTeX) or page (PDF), kind,
and [start, end) offsets into the paper's document text, which is the pieces joined by blank lines
(`document_text`). Every later offset (facts, evidence) points into that document.

LaTeX: the main file is the one with \\documentclass (else \\begin{document}, else the largest .tex);
\\input and \\include are followed inside the archive (depth and cycle guarded); comments are dropped
by the parser; \\section-level macros open a new section; table/figure environments become their own
pieces (captions and cells kept); footnotes stay inline in [brackets] where they are written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from posixpath import dirname, join, normpath

from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latexwalker import LatexEnvironmentNode, LatexMacroNode, LatexWalker, get_default_latex_context_db

SECTION_MACROS = {"part", "chapter", "section", "subsection", "subsubsection", "paragraph"}
FLOAT_ENVS = {"table": "table", "table*": "table", "figure": "figure", "figure*": "figure",
              "tabular": "table", "algorithm": "figure"}
INCLUDE_MACROS = {"input", "include", "subfile"}
SKIP_MACROS = {"maketitle", "tableofcontents", "bibliography", "bibliographystyle", "label", "newpage", "clearpage"}
MAX_INCLUDE_DEPTH = 8
# a PDF heading line: '3 Training', '4.2 Hardware and schedule', 'A. Appendix' (short, no final period)
PDF_HEADING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[A-H]\.?(?:\d+(?:\.\d+)*)?)\s+[A-Z][^\n.]{1,70}$|"
                         r"^(?:Abstract|Introduction|Related Work|Conclusions?|References|Acknowledg(?:e)?ments)$")
NO_SECTION = ""
# pylatexenc's context without 'specials' (``, '', ~, --): half the parse time, and they carry no facts
_CONTEXT = get_default_latex_context_db().filter_context(keep_which=["macros", "environments"])
# sparse reading: a block (text between blank lines) is parsed only if it holds structure, a chip name, or a
# number next to a word a fact needs; every fulltext_patterns pattern and the mention extractor need one of these
STRUCTURE = re.compile(r"\\(?:part|chapter|(?:sub)*section|paragraph|input|include|subfile|begin|end)\b")
_NUM = (r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|forty|fifty|hundred|"
        r"single|a few)")
# a number, a scale, then within two words a unit a fact needs ('1.3B-parameter', '8 A100 GPUs', '21 days')
NUMBER_THEN_UNIT = re.compile(r"\b" + _NUM + r"\s*(?:[kKMBT]|thousand|million|billion|trillion)?[\s-]*(?:[\w.]+[\s-]+){0,2}"
                              r"(?:param|token|epoch|step|iteration|update|GPU|TPU|IPU|chip|card|core|node|accelerator|"
                              r"hour|day|week|month|minute|image|example|sample|pair|utterance|video|%)", re.I)
# a word a fact needs, then a number within 30 characters ('batch size of 512', 'MFU of 46%')
UNIT_THEN_NUMBER = re.compile(r"(?:batch|length|MFU|utili[sz]ation|steps)\W[^.]{0,30}?\d", re.I)
PRECISION_WORD = re.compile(r"precision|bf16|bfloat|fp16|float16|fp8|tf32|fp32", re.I)


@dataclass
class Piece:
    paper_id: str
    section: str
    kind: str              # 'text', 'table', 'figure'
    text: str
    file: str | None = None
    page: int | None = None
    start: int = 0
    end: int = 0


@dataclass
class _Walk:
    files: dict[str, str]
    section: str = NO_SECTION
    segments: list = field(default_factory=list)   # (section, file, kind, [nodes])
    seen: set = field(default_factory=set)
    keep: object = None        # sparse reading: block -> bool (None: parse every block)


_TO_TEXT = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=False)


def decode(content: bytes) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def main_tex(files: dict[str, bytes]) -> str | None:
    """The archive's main .tex file name."""
    tex = {name: content for name, content in files.items() if name.endswith(".tex")}
    for marker in (rb"\documentclass", rb"\begin{document}"):
        found = sorted(name for name, content in tex.items() if marker in content)
        if found:
            return found[0]
    return max(tex, key=lambda name: len(tex[name])) if tex else None


def _resolve(files: dict[str, str], current: str, target: str) -> str | None:
    base = normpath(join(dirname(current), target.strip())) if target.strip() else ""
    for name in (base, base + ".tex", normpath(target.strip()), normpath(target.strip()) + ".tex"):
        if name in files:
            return name
    return None


def _arg_text(node: LatexMacroNode) -> str:
    args = [a for a in (node.nodeargd.argnlist if node.nodeargd else []) if a is not None]
    return _TO_TEXT.nodelist_to_text([args[-1]]).strip() if args else ""


def _walk(state: _Walk, name: str, nodes, depth: int) -> None:  # noqa: C901 (one dispatch over node kinds)
    """Append segments of nodes, switching section at section macros and entering included files."""
    for node in nodes or []:
        if isinstance(node, LatexEnvironmentNode) and node.environmentname == "document":
            _walk(state, name, node.nodelist, depth)
        elif isinstance(node, LatexMacroNode) and node.macroname in SECTION_MACROS:
            state.section = " ".join(_arg_text(node).split())
        elif isinstance(node, LatexMacroNode) and node.macroname in INCLUDE_MACROS:
            target = _resolve(state.files, name, _arg_text(node))
            if target and target not in state.seen and depth < MAX_INCLUDE_DEPTH:
                state.seen.add(target)
                _walk(state, target, _parse(state.files[target], state.keep), depth + 1)
        elif isinstance(node, LatexMacroNode) and node.macroname in SKIP_MACROS:
            continue
        elif isinstance(node, LatexEnvironmentNode) and node.environmentname in FLOAT_ENVS:
            state.segments.append((state.section, name, FLOAT_ENVS[node.environmentname], [node]))
        else:
            last = state.segments[-1] if state.segments else None
            if last and last[:3] == (state.section, name, "text"):
                last[3].append(node)
            else:
                state.segments.append((state.section, name, "text", [node]))


def _parse(source: str, keep=None):
    body = source.split("\\begin{document}", 1)
    if len(body) == 2:  # the preamble holds only definitions: skip it (and its macros' noise)
        source = body[1].split("\\end{document}", 1)[0]
    if keep is not None:
        blocks = re.split(r"(\n[ \t]*\n)", source)
        source = "".join(b if i % 2 else keep(b) for i, b in enumerate(blocks))
    nodes, _, _ = LatexWalker(source, tolerant_parsing=True, latex_context=_CONTEXT).get_latex_nodes()
    return nodes


def may_state_fact(chip_regex):
    """The sparse reader's filter for one block of LaTeX (chip_regex: the mention matcher's alias regex):
    the block if it may state a fact, its structure lines if it has any, else ''."""
    def keep(block: str) -> str:
        if (NUMBER_THEN_UNIT.search(block) or UNIT_THEN_NUMBER.search(block) or PRECISION_WORD.search(block)
                or chip_regex.search(block)):
            return block
        if STRUCTURE.search(block):  # only the lines that carry structure (a section title, an \input, a float's edges)
            return "\n".join(line for line in block.split("\n") if STRUCTURE.search(line))
        return ""
    return keep


def latex_pieces(paper_id: str, files: dict[str, bytes], keep=None) -> list[Piece]:
    """Paragraph pieces of a LaTeX source (files by archive path). `keep` (see may_state_fact) reads
    sparsely: blocks it rejects are not parsed and leave no piece (the batch flow's fast path)."""
    texts = {name: decode(content) for name, content in files.items() if name.endswith(".tex")}
    main = main_tex(files)
    if main is None:
        return []
    state = _Walk(texts, seen={main}, keep=keep)
    _walk(state, main, _parse(texts[main], keep), 0)
    pieces: list[Piece] = []
    for section, name, kind, nodes in state.segments:
        text = _TO_TEXT.nodelist_to_text(nodes)
        parts = [re.sub(r"\s*&\s*", " | ", text)] if kind != "text" else re.split(r"\n\s*\n", text)  # cells: a | b
        for part in parts:
            clean = " ".join(part.split())
            if clean:
                pieces.append(Piece(paper_id, section, kind, clean, file=name))
    return _place(pieces)


def pdf_pieces(paper_id: str, content: bytes) -> list[Piece]:
    """Paragraph pieces of a PDF, page by page; a short numbered line is taken as a section heading."""
    import pypdfium2

    pieces: list[Piece] = []
    section = NO_SECTION
    document = pypdfium2.PdfDocument(content)
    try:
        for number in range(len(document)):
            page = document[number]
            text = page.get_textpage().get_text_range().replace("\r\n", "\n")
            paragraph: list[str] = []
            for line in text.split("\n") + [""]:
                stripped = line.strip()
                heading = bool(PDF_HEADING.match(stripped))
                if (not stripped or heading) and paragraph:
                    pieces.append(Piece(paper_id, section, "text", " ".join(" ".join(paragraph).split()), page=number + 1))
                    paragraph = []
                if heading:
                    section = re.sub(r"^[\dA-H.]+\s+", "", stripped)
                elif stripped:
                    paragraph.append(stripped)
    finally:
        document.close()
    return _place(pieces)


def _place(pieces: list[Piece]) -> list[Piece]:
    """Give each piece its offsets in document_text(pieces)."""
    position = 0
    for piece in pieces:
        piece.start, piece.end = position, position + len(piece.text)
        position = piece.end + 2
    return pieces


def document_text(pieces: list[Piece]) -> str:
    return "\n\n".join(piece.text for piece in pieces)
