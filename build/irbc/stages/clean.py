"""Cleaning: raw text -> clean text plus an exact audit of every change.

The clean text is built from *units* (paragraphs, headings, list items, notes) joined by one blank line.
Every raw character is either copied verbatim into the clean text or covered by exactly one audit ``Edit``
(removed by a rule, moved to metadata, or normalised), so ``apply_edits(raw, edits) == clean`` and the kept
spans plus the edited spans tile the raw file exactly once. Both facts are checked here and by the validator.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import ftfy

from irbc.core.records import Edit
from irbc.stages.rules import Claims

# ftfy repairs mojibake only; the authors' typography (curly quotes, dashes, ligatures, widths) is kept.
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=True,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)

BLOCK_SEP = re.compile(r"\s*\n\s*\n\s*")  # the definition; ``_ws_runs`` finds its matches faster
WS_ODD = re.compile(r"[^\S ]\s*| \s+")  # a whitespace run that is not one plain space
NON_ASCII = re.compile(r"[^\s\x00-\x7f]")  # a non-space, non-ASCII character
TOKEN_REST = re.compile(r"\S*")
BULLET = re.compile(r"[•·▪◦‣∙]\s*")
LIST_LINE = re.compile(r"\s*\n\s*(?=[•·▪◦‣∙])")  # the definition; ``_ws_runs`` finds its matches faster
# The same matches, found from the newline: a pattern that starts with ``\s*`` is tried at every character.
_BLOCK_SEP_CORE = re.compile(r"\n\s*\n\s*")
_LIST_LINE_CORE = re.compile(r"\n\s*(?=[•·▪◦‣∙])")


def _ws_runs(core: re.Pattern[str], text: str, pos: int, end: int) -> list[tuple[int, int]]:
    r"""The spans ``re.compile(r"\s*" + core.pattern).finditer(text, pos, end)`` would give: each match of
    ``core`` (which starts with a newline) widened back over the whitespace before it, never before the end of
    the previous match."""
    out: list[tuple[int, int]] = []
    while True:
        m = core.search(text, pos, end)
        if m is None:
            return out
        s = m.start()
        while s > pos and text[s - 1].isspace():
            s -= 1
        out.append((s, m.end()))
        pos = m.end()


# Invisible characters carry no text but hide words from the tagger ("bal\u202eancing"): bidi controls
# (embeddings, overrides, isolates, marks) and zero-width characters (a U+FEFF inside the text; one at the start of
# the file is refused by the read stage). Each run is normalised away as an audited edit with its reason code.
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
INVISIBLE = re.compile(f"(?P<bidi_control>[{BIDI_CONTROLS}]+)|(?P<zero_width>[{ZERO_WIDTH}]+)")
INVISIBLE_CHARS = tuple(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c" + ZERO_WIDTH
)


@dataclass
class KView:
    """The raw text with the rule-claimed spans cut out, plus the map back to raw offsets."""

    text: str
    seg_k: list[int]  # start of each kept segment in K
    seg_raw: list[int]  # start of the same segment in raw

    def raw_at(self, k: int) -> int:
        i = bisect.bisect_right(self.seg_k, k) - 1
        return self.seg_raw[i] + (k - self.seg_k[i])

    def raw_range(self, k_start: int, k_end: int) -> tuple[int, int]:
        if k_end <= k_start:
            r = self.raw_at(k_start) if k_start < len(self.text) else None
            return (r, r) if r is not None else (0, 0)
        return self.raw_at(k_start), self.raw_at(k_end - 1) + 1


def invisible_edits(raw: str, claims: Claims) -> list[Edit]:
    """Audited normalisations (reason ``bidi_control`` or ``zero_width``) removing the invisible characters that
    no cleaning rule claimed. They are cut out of the K view with the rules' spans, so blocks, whitespace, Unicode
    normalisation and the tagger see the text without them, and the audit still tiles the raw file."""
    if raw.isascii() or not any(ch in raw for ch in INVISIBLE_CHARS):  # a fast scan: most texts have none
        return []
    edits = []
    for m in INVISIBLE.finditer(raw):
        reason = m.lastgroup or "zero_width"
        for s, e in claims.free_parts(m.start(), m.end()):
            edits.append(Edit(s, e, "", reason, "normalize"))
    return edits


def build_kview(raw: str, removals: list[Edit]) -> KView:
    parts, seg_k, seg_raw = [], [], []
    pos = k = 0
    for e in sorted(removals, key=lambda e: e.raw_start):
        if e.raw_start > pos:
            parts.append(raw[pos : e.raw_start])
            seg_k.append(k)
            seg_raw.append(pos)
            k += e.raw_start - pos
        pos = max(pos, e.raw_end)
    if pos < len(raw):
        parts.append(raw[pos:])
        seg_k.append(k)
        seg_raw.append(pos)
    if not seg_k:
        seg_k, seg_raw = [0], [len(raw)]
    return KView("".join(parts), seg_k, seg_raw)


@dataclass
class Block:
    """A run of text between blank lines in the K view."""

    k_start: int
    k_end: int
    blank_lines_before: int  # longest run of blank lines in the raw text before the block
    marks: set[str] = field(default_factory=set)
    text: str = ""  # normalised text
    ops: list[tuple[int, int, str, str]] = field(default_factory=list)  # (k_start, k_end, repl, reason)
    list_item: bool = False


def split_blocks(kv: KView, raw: str) -> list[Block]:
    """Blocks of the K view: runs of text between blank lines, and one block per line of a bulleted list."""
    spans = []
    pos = 0
    for ms, me in _ws_runs(_BLOCK_SEP_CORE, kv.text, 0, len(kv.text)):
        if ms > pos:
            spans.append((pos, ms))
        pos = me
    if pos < len(kv.text):
        spans.append((pos, len(kv.text)))
    pieces = []
    for s, e in spans:  # a list written one item per line is one block per item
        p = s
        for ms, me in _ws_runs(_LIST_LINE_CORE, kv.text, s, e):
            pieces.append((p, ms))
            p = me
        pieces.append((p, e))
    blocks = []
    prev_raw_end = 0
    for s, e in pieces:
        if not kv.text[s:e].strip():
            continue
        rs, re_ = kv.raw_range(s, e)
        blocks.append(Block(s, e, blank_run(raw[prev_raw_end:rs])))
        prev_raw_end = re_
    return blocks


def blank_run(between: str) -> int:
    """Longest run of blank lines in the raw text between two blocks; removed lines (non-blank) break a
    run, so cutting out a caption does not fake a section break."""
    lines = between.split("\n")[1:-1]
    best = cur = 0
    for ln in lines:
        blank = not ln.strip() or (not ln.isascii() and not INVISIBLE.sub("", ln).strip())
        cur = cur + 1 if blank else 0
        best = max(best, cur)
    return best


def normalise_block(kv: KView, b: Block) -> None:
    """Normalise one block: trim, bullet marker, whitespace runs. Fills ``b.text`` and ``b.ops``.

    Only what changes is visited: whitespace runs other than a single space, and tokens with a non-ASCII
    character (the only ones encoding repair or NFC can change)."""
    s, e = b.k_start, b.k_end
    raw = kv.text[s:e]
    lead = len(raw) - len(raw.lstrip())
    trail = len(raw) - len(raw.rstrip())
    ops: list[tuple[int, int, str, str]] = []
    if lead:
        ops.append((s, s + lead, "", "ws_indent"))
    body_start, body_end = s + lead, e - trail
    bm = BULLET.match(kv.text, body_start, body_end)
    if bm and bm.end() < body_end:  # a bullet glyph with nothing after it is text, not a list marker
        b.list_item = True
        ops.append((body_start, bm.end(), "", "list_marker"))
        body_start = bm.end()
    body_ops: list[tuple[int, int, str, str]] = []
    for m in WS_ODD.finditer(kv.text, body_start, body_end):
        ws = m.group()
        reason = "ws_line_join" if "\n" in ws else ("ws_nbsp" if "\u00a0" in ws else "ws_collapse")
        body_ops.append((m.start(), m.end(), " ", reason))
    done = body_start  # tokens (maximal non-space runs) with a non-ASCII character, each visited once
    for m in NON_ASCII.finditer(kv.text, body_start, body_end):
        if m.start() < done:
            continue
        a = m.start()
        while a > body_start and not kv.text[a - 1].isspace():
            a -= 1
        done = TOKEN_REST.match(kv.text, m.end(), body_end).end()  # type: ignore[union-attr]
        body_ops.extend(_repair_ops(kv, a, done))
    body_ops.sort()
    out = []
    pos = body_start
    for ks, ke, repl, _ in body_ops:
        out.append(kv.text[pos:ks])
        out.append(repl)
        pos = ke
    out.append(kv.text[pos:body_end])
    ops.extend(body_ops)
    if trail:
        ops.append((e - trail, e, "", "ws_trailing"))
    b.text = "".join(out)
    b.ops = ops


@lru_cache(maxsize=1 << 16)
def _repair(token: str) -> str:
    """Encoding repair (ftfy, typography kept) and NFC normalisation of one non-space token."""
    if token.isascii():
        return token
    return unicodedata.normalize("NFC", ftfy.fix_text(token, config=FTFY_CONFIG))


def _repair_ops(kv: KView, start: int, end: int) -> list[tuple[int, int, str, str]]:
    token = kv.text[start:end]
    fixed = _repair(token)
    if fixed == token:
        return []
    p = 0
    while p < min(len(token), len(fixed)) and token[p] == fixed[p]:
        p += 1
    while p > 0 and (
        unicodedata.combining(token[p - 1]) or (p < len(token) and unicodedata.combining(token[p]))
    ):
        p -= 1
    q = 0
    while q < min(len(token), len(fixed)) - p and token[-1 - q] == fixed[-1 - q]:
        q += 1
    reason = "unicode_nfc" if unicodedata.normalize("NFC", token) == fixed else "ftfy_repair"
    return [(start + p, end - q, fixed[p : len(fixed) - q], reason)]


def apply_edits(raw: str, edits: list[Edit]) -> str:
    out = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.raw_start, e.raw_end)):
        out.append(raw[pos : e.raw_start])
        out.append(e.replacement)
        pos = e.raw_end
    out.append(raw[pos:])
    return "".join(out)


def k_ops_to_edits(kv: KView, ops: list[tuple[int, int, str, str]], removals: list[Edit]) -> list[Edit]:
    """Map K-view operations to raw edits. An op whose raw range straddles a removed span is split around
    it (the replacement goes on the first piece) so the audit stays non-overlapping."""
    rem_starts = [e.raw_start for e in removals]
    edits = []
    for ks, ke, repl, reason in ops:
        if ke <= ks:
            continue
        rs, re_ = kv.raw_range(ks, ke)
        pieces = []
        pos = rs
        i = bisect.bisect_left(rem_starts, rs)
        while i < len(removals) and removals[i].raw_start < re_:
            if removals[i].raw_start > pos:
                pieces.append((pos, removals[i].raw_start))
            pos = max(pos, removals[i].raw_end)
            i += 1
        if pos < re_:
            pieces.append((pos, re_))
        for j, (a, b) in enumerate(pieces):
            edits.append(Edit(a, b, repl if j == 0 else "", reason, "normalize"))
    return edits
