"""Field parsing for ``citations_v1``: one citation (a segment of a note, or one reference entry) into its
bibliographic fields, every value copied as printed. Two styles, chosen by the site profile's ``citations``:
``notes`` (humanities notes: "Name, “Title,” Journal, vol. 1, no. 2 (Year), p. 3" and "Name, Title (Place:
Publisher, Year)") and ``references`` (author–date reference entries: "Surname, I. (Year). Title. Journal, 1(2),
3–4.")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

YEAR = re.compile(r"(?<![\d/])(1[5-9]\d\d|20\d\d)(?![\d])")
ACCESSED = re.compile(r"\(accessed[^)]*\)")
VOLUME = re.compile(r"\b[Vv]ol\.\s*(\d+)(?::(\d+))?")
ISSUE = re.compile(r"\b(?:[Nn]o\.|issue)\s*(\d+)")
PAGES = re.compile(
    r"\b(?:pp?\.\s*|chap\.\s*|chapters?\s+)[\dxivlc]+(?:\s*[–\-]\s*\d+)?(?:,\s*\d+(?:\s*[–\-]\s*\d+)?)*"
)
BARE_RANGE = re.compile(r"^,?\s*(\d+\s*[–\-]\s*\d+)")
WEB = re.compile(r"\bat\s*(?:\(|$|;|,)|\baccessed\b|\bat$")
REPORT = re.compile(r"\bReport\b|Fact Sheet|Working Paper")
INTERVIEW = re.compile(r"^(?:\w+’s\s+)?interviews?\s+with\b", re.I)
MONTH = re.compile(
    r"^(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Spring|Summer|Fall|Autumn|Winter|\d)"
)
EDITORS = re.compile(r"^(?P<eds>.+?),?\s+eds?\.?,\s+")
NAME_WORD = re.compile(r"^(?:[A-ZÀ-ÖØ-Þ][\w’'\-.]*|[A-Z]\.|de|van|von|bin|al-\w+)$")
# a chunk starting with one of these words is a title, not a name
TITLE_WORDS = {"The", "A", "An", "On", "In", "For", "From", "Why", "How", "What", "National", "Speaking"}
EDITION = re.compile(r",\s+(?:\w+\s+)?(?:ed|eds|edn|edition|rev|trans)\.")
PUBLISHER_PAREN = re.compile(r"\s\((?P<p>[^()]*[,:][^()]*\d{4})[^()]*\)|\s\((?P<q>[^()]*:[^()]*\d{4})")


@dataclass
class Fields:
    authors: list[str] | None = None
    title: str | None = None
    container: str | None = None
    year: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    kind: str = "other"
    locator: str | None = None
    quoted: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def looks_like_names(chunk: str) -> bool:
    """A chunk of a note that reads as one or more personal names ("Harold Sprout and Margaret Sprout")."""
    parts = [p for p in re.split(r",\s*|\s+and\s+|\s*&\s*", chunk.strip()) if p]
    if not parts or len(parts) > 5:
        return False
    for p in parts:
        words = p.split()
        if not 1 <= len(words) <= 5 or not all(NAME_WORD.match(w) for w in words) or words[0] in TITLE_WORDS:
            return False
    return True


def split_names(authors: str) -> list[str]:
    return [a.strip() for a in re.split(r",\s*|\s+and\s+", authors) if a.strip()]


def surname(author: str) -> str | None:
    """The surname of a name as printed: the part before the comma ("Pape, R. A."), else the last word."""
    if "," in author:
        return author.split(",")[0].strip() or None
    words = re.split(r"[\s.]+", author.strip())
    words = [w for w in words if w]
    return words[-1] if words else None


def _closing(text: str, opener: int) -> int:
    """Index of the mark closing the quotation opened at ``opener`` (-1 if none): ” for “; for ‘ the first ’ or
    ” not followed by a letter (an apostrophe is)."""
    if text[opener] == "“":
        return text.find("”", opener + 1)
    for marks in ("’", "”"):
        for i in range(opener + 1, len(text)):
            if text[i] in marks and (i + 1 == len(text) or not text[i + 1].isalpha()):
                return i
    return -1


def _quote(body: str) -> tuple[int, int] | None:
    for i, ch in enumerate(body):
        if ch == "“" or (ch == "‘" and (i == 0 or not body[i - 1].isalpha())):
            j = _closing(body, i)
            return (i, j) if j > i else None
    return None


def _author_chunks(chunks: list[str]) -> int:
    """How many leading ", "-separated chunks are authors: the first, or a run of names ending in a chunk
    joined by "and" ("A, B and C"), unless editors follow ("Wight, Power Politics, Bull and Holbrad, eds.")."""
    run = 0
    while run < len(chunks) - 1 and looks_like_names(chunks[run]):
        run += 1
    if run == 0:
        return 0
    for k in range(run):
        if " and " in chunks[k] and all(len(p.split()) > 1 for p in chunks[k].split(" and ")):
            eds = k > 0 and re.match(r"eds?\.", chunks[k + 1]) is not None
            return 1 if eds else k + 1
    return 1


def _unquoted_head(body: str) -> tuple[list[str] | None, str, str]:
    """(authors, title, rest) of a citation whose title is not in quotation marks."""
    chunks = body.split(", ")
    n = _author_chunks(chunks)
    names = chunks[:n]
    if n and n < len(chunks) and re.match(r"eds?\.?$", chunks[n]):
        n += 1
    rest = ", ".join(chunks[n:])
    paren = PUBLISHER_PAREN.search(rest)
    if paren:
        title, after = rest[: paren.start()], rest[paren.start() :]
        if m := re.search(r",\s+[^,]+,\s+eds?\.", title) or EDITION.search(title):
            title = title[: m.start()]
    else:
        m = re.search(r",\s(?!\d)|\.$", rest)
        title, after = (rest[: m.start()], rest[m.start() :]) if m else (rest, "")
    authors = split_names(", ".join(names)) if names else None
    return authors, title.strip(" ,"), after.lstrip(" ,.")


def _container_quoted(rest: str) -> str | None:
    """The journal, site or book of a citation whose title was quoted: the first chunk after it."""
    r = re.sub(r"^\([^)]*\)[,\s]*", "", rest.strip())
    if r.startswith("in "):
        r = r[3:]
        m = EDITORS.match(r) or re.match(r"^(?P<eds>[^,(]+?\s+and\s+[^,(]+?),\s+", r)
        if m:
            r = r[m.end() :]
    m = re.search(r",|\s\(|(?<=\?)\s|(?<!\bno)(?<!\bNo)(?<!\bvol)(?<!\bVol)\.(?:\s|$)|\s+at$", r)
    c = (r[: m.start()] if m else r).strip(" .,")
    if not c or MONTH.match(c):
        return None
    return c


def _publisher(rest: str) -> str | None:
    """The publisher of a book: "(Place: Publisher, Year)", "(Place, Publisher, Year)", else the first chunk."""
    if m := re.search(r":\s*([^:()]+?),\s*\d{4}", rest):
        return m.group(1).strip()
    if (m := re.search(r"\(([^()]*\d{4})\)", rest)) and len(parts := m.group(1).split(", ")) >= 3:
        return parts[1].strip()
    first = re.sub(r"\s*\([^)]*\)?", "", rest.split(",")[0]).strip(" .()")
    if not first or YEAR.fullmatch(first) or MONTH.match(first) or PAGES.match(first):
        return None
    return YEAR.sub("", first).strip() or None


def _locate(f: Fields, rest: str) -> None:
    """Year, volume, issue, pages and locator from the part after the title."""
    r = ACCESSED.sub("", rest)
    paren = [y for g in re.findall(r"\(([^)]*)\)", r) for y in YEAR.findall(g)]
    anywhere = YEAR.findall(r)
    f.year = paren[-1] if paren else (anywhere[0] if anywhere else None)
    if m := VOLUME.search(r):
        f.volume, f.issue = m.group(1), m.group(2)
    if f.issue is None and (m := ISSUE.search(r)):
        f.issue = m.group(1)
    tail = r[r.rfind(")") + 1 :] if ")" in r else r
    pm = PAGES.search(tail)
    if f.kind == "article" and (bm := BARE_RANGE.match(tail)):
        f.pages = bm.group(1)
    elif pm and f.kind in ("article", "chapter") and re.fullmatch(r"pp?\.\s*\d+\s*[–\-]\s*\d+", pm.group()):
        f.pages = re.sub(r"^pp?\.\s*", "", pm.group())
    elif pm:
        last = list(PAGES.finditer(tail))[-1]
        f.locator = tail[pm.start() : last.end()].strip()


def parse_note_citation(body: str) -> Fields | None:
    """A citation of the ``notes`` style, or None when the segment is a comment."""
    if INTERVIEW.match(body):
        return Fields(kind="interview", title=None)
    q = _quote(body)
    f = Fields()
    if q is not None:
        head = body[: q[0]].strip(" ,")
        if head and not looks_like_names(head):
            return None
        f.authors = split_names(head) if head else None
        f.title = body[q[0] + 1 : q[1]].rstrip(",.").strip()
        f.quoted = True
        rest = body[q[1] + 1 :].lstrip(" ,.")
        f.kind = "chapter" if rest.startswith("in ") else "article"
        f.container = _container_quoted(rest)
    else:
        f.authors, f.title, rest = _unquoted_head(body)
        if not f.title or (f.authors is None and not YEAR.search(rest)):
            return None
        f.kind = "book"
        f.container = _publisher(rest)
    if WEB.search(rest):
        f.kind = "web" if f.kind != "chapter" else f.kind
    elif REPORT.search(rest) or REPORT.search(f.container or ""):
        f.kind = "report"
    _locate(f, rest)
    return f


REF_HEAD = re.compile(r"^(?P<authors>.+?)\s*\((?P<year>[^)]*)\)\.\s*(?P<rest>.*)$", re.S)
TITLE_END = re.compile(r"(?<![A-Z])\.\s+(?=[A-Z])|(?<=\.”)\s+")
ARTICLE_TAIL = re.compile(r"^(?P<c>.+?),\s*(?P<v>\d+)\((?P<i>[^)]+)\)(?:,\s*(?P<p>[^.]+))?\.?$")
PLAIN_TAIL = re.compile(r"^(?P<c>[^,:]+),\s*(?P<p>[^.,]+)\.?$")


def parse_reference(entry: str) -> Fields | None:
    """One author–date reference entry."""
    m = REF_HEAD.match(entry.strip())
    if not m:
        return None
    names = re.findall(r"([^,&]+?,\s*(?:[A-Z]\.\s?)+)(?:,|$|\s)", m.group("authors"))
    f = Fields(authors=[n.strip() for n in names] or [m.group("authors").strip()], year=m.group("year"))
    rest = m.group("rest")
    t = TITLE_END.search(rest)
    f.title, tail = (rest[: t.start()], rest[t.end() :]) if t else (rest.rstrip("."), "")
    tail = tail.strip()
    if am := ARTICLE_TAIL.match(tail):
        f.kind, f.container, f.volume, f.issue, f.pages = "article", am["c"], am["v"], am["i"], am["p"]
    elif ":" in tail:
        pub = tail.split(":", 1)[1].strip()
        f.kind, f.container = "book", (pub if re.search(r"\b[A-Z]\.$", pub) else pub.rstrip(".")) or None
    elif pm := PLAIN_TAIL.match(tail):
        f.kind, f.container, f.pages = "article", pm["c"], pm["p"]
    elif tail:
        f.container = tail.rstrip(".")
    if f.pages:
        f.pages = f.pages.strip()
    return f
