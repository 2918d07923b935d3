"""Integrity checks of the sentence layer (registered with ``@integrity_check`` like those of
``gate/integrity.py``; ``gate/records.py`` imports this module so they run): sentences tile every paragraph and
note, and every mention and evidence quote names the sentences it lies in."""

from __future__ import annotations

import bisect
from collections import defaultdict

from irbc.gate.integrity import Records, Rows, _check, integrity_check
from irbc.gate.report import Check


def _unit_problems(text: str | None, uid: str, start: int, end: int, sents: Rows) -> list[str]:
    """The sentences of one paragraph or note, in order, lie inside it, do not overlap, and (where the text is
    there) leave only whitespace before, between and after them; a unit with text has at least one."""
    if not sents:
        return [] if start == end else [f"{uid} has no sentences"]
    probs, pos = [], start
    for s in sents:
        gap_ok = text is None or not text[pos : s["start"]].strip()
        if s["start"] < pos or s["end"] <= s["start"] or not gap_ok:
            probs.append(f"{s['sentence_id']} at {s['start']}-{s['end']} does not follow {pos} in {uid}")
        pos = max(pos, s["end"])
    if pos > end or (text is not None and text[pos:end].strip()):
        probs.append(f"{uid}: sentences end at {pos}, the unit ends at {end}")
    return probs


@integrity_check("sentences_tile_units_v1")
def sentences_tile_units(r: Records) -> list[Check]:
    probs = []
    for d in r.docs:
        text = r.texts.get(d)
        of: dict[str, Rows] = defaultdict(list)
        rows = sorted(r.by_doc[d]["sentences"], key=lambda s: s["start"])
        if [s["position"] for s in rows] != list(range(len(rows))):
            probs.append(f"{d}: sentence positions are not 0, 1, ... in text order")
        for s in rows:
            of[s["paragraph_id"] or s["note_id"]].append(s)
            if (s["paragraph_id"] is None) == (s["note_id"] is None):
                probs.append(f"{s['sentence_id']}: needs exactly one of paragraph_id and note_id")
        for u in r.by_doc[d]["paragraphs"] + r.by_doc[d]["notes"]:
            uid = u.get("paragraph_id") or u["note_id"]
            probs += _unit_problems(text, uid, u["start"], u["end"], of.pop(uid, []))
        probs += [f"sentences of unknown unit {uid}" for uid in of]
    return [_check("sentences tile each paragraph and note", "sentences", len(r.tables["sentences"]), probs)]


@integrity_check("spans_name_their_sentences_v1")
def spans_name_their_sentences(r: Records) -> list[Check]:
    """A mention lies inside its sentence, in the same paragraph or note; an evidence quote names exactly the
    sentences it overlaps, in text order."""
    probs, n = [], 0
    for d in r.docs:
        sents = sorted(r.by_doc[d]["sentences"], key=lambda s: s["start"])
        by_id = {s["sentence_id"]: s for s in sents}
        starts = [s["start"] for s in sents]
        for m in r.by_doc[d]["concept_mentions"]:
            n += 1
            s = by_id.get(m["sentence_id"])
            unit = m["paragraph_id"] or m["note_id"]
            if s is None or not (s["start"] <= m["start"] and m["end"] <= s["end"]):
                probs.append(f"{m['mention_id']}: not inside sentence {m['sentence_id']}")
            elif (s["paragraph_id"] or s["note_id"]) != unit:
                probs.append(f"{m['mention_id']}: sentence {m['sentence_id']} is not in {unit}")
        for st in r.by_doc[d]["stances"]:
            for ev in st["evidence"]:
                n += 1
                i = max(bisect.bisect_right(starts, ev["start"]) - 1, 0)
                want = []
                while i < len(sents) and sents[i]["start"] < ev["end"]:
                    if sents[i]["end"] > ev["start"]:
                        want.append(sents[i]["sentence_id"])
                    i += 1
                if ev["sentence_ids"] != want:
                    probs.append(
                        f"{st['stance_id']} evidence at {ev['start']}: sentences {want}, not "
                        f"{ev['sentence_ids']}"
                    )
    return [_check("mentions and evidence name the sentences they lie in", "sentences", n, probs)]
