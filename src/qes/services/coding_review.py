"""Two coders compared (agreement per code), their coding reconciled into the final coding, code suggestions.

Agreement uses only documents every compared coder marked done, so it cannot reveal unfinished coding.
Reconciling writes the document's final coding as segments with status ``reconciled`` (replacing any
earlier reconciliation of it): the ranges both coders gave a code (``agreed``), the ranges either gave it
(``union``), one coder's coding as it is, or the segments picked one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Any

from qes.coding.agreement import CodedSpan, Unit, agreement_by_code, alpha_by_code
from qes.coding.suggest import CodeProfile, Method, suggest
from qes.errors import Conflict, NotFound, PermissionDenied, UserError
from qes.services.codebook import codebook_rows
from qes.services.coding import _all_done, _document, final_segment_rows, visible_segments
from qes.services.documents import page_at
from qes.services.project import Project
from qes.services.screening import ADJUDICATING_ROLES, SCREENING_ROLES, require_role
from qes.store import coding as store
from qes.store.events import log_event
from qes.store.schema import utcnow
from qes.store.schema_synthesis import Segment, SegmentCode

Ranges = list[tuple[int, int]]


def _merge(ranges: Ranges) -> Ranges:
    out: Ranges = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _intersect(a: Ranges, b: Ranges) -> Ranges:
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def coding_agreement(
    project: Project, *, first: str | None = None, second: str | None = None, unit: Unit = "character"
) -> dict[str, Any]:
    """Per code: Cohen's kappa, percent agreement and Krippendorff's alpha of two coders; alpha of all coders.

    The coders default to the two who coded documents that both finished (name them when there are more).
    """
    if unit not in ("character", "sentence"):
        raise UserError(f"unknown unit {unit!r}: character or sentence")
    with project.store.read() as session:
        require_role(session, project.id, project.actor, SCREENING_ROLES + ("viewer",), "see agreement")
        documents = {d.id: d for d, _ in store.list_documents(session, project.id)}
        finished: dict[int, list[str]] = {}
        for doc in documents.values():
            coders = store.coders_of(session, doc.id)
            if _all_done(session, doc) and len(coders) >= 2:
                finished[doc.id] = sorted(coders)
        everyone = sorted({c for coders in finished.values() for c in coders})
        if first is None or second is None:
            pairs = [(a, b) for a, b in combinations(everyone, 2)]
            if len(pairs) > 1:
                raise UserError(f"{len(everyone)} coders ({', '.join(everyone)}): name two (--first, --second)")
            if not pairs:
                return {"first": first, "second": second, "unit": unit, "documents": 0, "coders": everyone, "codes": [],
                        "note": "no document has been coded by two coders who both marked it done"}  # fmt: skip
            first, second = pairs[0]
        pair_docs = [d for d, coders in finished.items() if first in coders and second in coders]
        paths = [c.path for c in codebook_rows(session, project.id)]
        names = {c.id: c.path for c in codebook_rows(session, project.id)}
        rows = [s for s in store.list_segments(session, project.id, document_ids=list(finished)) if s.status == "coded"]
        links = store.codes_of_segments(session, [s.id for s in rows])
        spans = [
            CodedSpan(s.document_id, s.start, s.end, names[link.code_id], s.coder) for s in rows for link in links.get(s.id, [])
        ]
        used = {s.code for s in spans}
        order = [p for p in paths if p in used]
        pair_texts = {d: documents[d].text for d in pair_docs}
        pair = agreement_by_code(pair_texts, [s for s in spans if s.document in pair_texts], first, second, order, unit)
        alphas = alpha_by_code({d: documents[d].text for d in finished}, spans, finished, everyone, order, unit)
        kappas = [r.kappa for r in pair if r.kappa is not None]
        return {
            "first": first,
            "second": second,
            "unit": unit,
            "documents": len(pair_docs),
            "coders": everyone,
            "mean_kappa": round(sum(kappas) / len(kappas), 4) if kappas else None,
            "codes": [{**r.to_json(), "alpha_all_coders": _round(alphas[r.code])}
                      for r in pair],
        }  # fmt: skip


def reconcile(
    project: Project,
    document_id: int,
    *,
    take: str = "agreed",
    segment_ids: Sequence[int] = (),
    note: str = "",
    actor: str | None = None,
) -> dict[str, Any]:
    """Write the document's final coding: ``take`` = agreed | union | a coder's e-mail; or the ``segment_ids`` chosen."""
    who = actor or project.actor
    with project.store.transaction() as session:
        role = require_role(session, project.id, who, SCREENING_ROLES, "reconcile coding")
        doc = _document(session, project, document_id, lock=True)
        coders = store.coders_of(session, doc.id)
        if not coders:
            raise Conflict(f"document {doc.id} has no coding to reconcile")
        if not _all_done(session, doc):
            waiting = sorted(coders - set(doc.done_by or []))
            raise Conflict(f"document {doc.id}: waiting for {', '.join(waiting)} to mark it done")
        if role not in ADJUDICATING_ROLES and who not in coders:
            raise PermissionDenied("the document's coders, an owner or an adjudicator reconcile its coding")
        coded = [s for s in store.list_segments(session, project.id, document_ids=[doc.id]) if s.status == "coded"]
        links = store.codes_of_segments(session, [s.id for s in coded])
        # (start, end) -> {code_id: in_part}, and the order of the range's source segment
        result: dict[tuple[int, int], dict[int, bool]] = {}
        orders: dict[tuple[int, int], str] = {}
        if segment_ids:
            chosen = {s.id: s for s in coded}
            missing = [i for i in segment_ids if i not in chosen]
            if missing:
                raise NotFound(f"document {doc.id} has no coded segment {missing[0]}")
            for sid in segment_ids:
                seg = chosen[sid]
                key = (seg.start, seg.end)
                orders.setdefault(key, seg.order)
                for link in links.get(sid, []):
                    result.setdefault(key, {})[link.code_id] = result.get(key, {}).get(link.code_id, False) or link.in_part
        elif take in ("agreed", "union"):
            by_code: dict[int, dict[str, Ranges]] = {}
            for seg in coded:
                for link in links.get(seg.id, []):
                    by_code.setdefault(link.code_id, {}).setdefault(seg.coder, []).append((seg.start, seg.end))
            for code_id, per_coder in by_code.items():
                merged = [_merge(per_coder.get(c, [])) for c in sorted(coders)]
                runs = merged[0]
                for other in merged[1:]:
                    runs = _intersect(runs, other) if take == "agreed" else _merge(runs + other)
                for run in runs:
                    sources = [s for s in coded if s.start < run[1] and run[0] < s.end
                               and any(link.code_id == code_id for link in links.get(s.id, []))]  # fmt: skip
                    in_part = any(link.in_part for s in sources for link in links.get(s.id, []) if link.code_id == code_id)
                    result.setdefault(run, {})[code_id] = in_part
                    orders.setdefault(run, sources[0].order if sources else "first")
        elif take in coders:
            for seg in coded:
                if seg.coder == take:
                    orders[(seg.start, seg.end)] = seg.order
                    for link in links.get(seg.id, []):
                        result.setdefault((seg.start, seg.end), {})[link.code_id] = link.in_part
        else:
            raise UserError(f"take agreed, union or one of the coders ({', '.join(sorted(coders))}), or name segments")
        replaced = store.delete_reconciled(session, doc.id)
        written = []
        for (start, end), codes in sorted(result.items()):
            seg = Segment(
                project_id=project.id, document_id=doc.id, start=start, end=end, page=page_at(doc.pages or [], start),
                text=doc.text[start:end], order=orders[(start, end)], coder=who, status="reconciled", created_at=utcnow(),
            )  # fmt: skip
            session.add(seg)
            session.flush()
            for code_id, in_part in codes.items():
                session.add(SegmentCode(project_id=project.id, segment_id=seg.id, code_id=code_id, in_part=in_part, coder=who))
            written.append(seg.id)
        session.flush()
        log_event(
            session, project_id=project.id, actor=who, action="segment.reconcile", entity="document", entity_id=doc.id,
            data={"take": "segments" if segment_ids else take, "segments": written, "replaced": replaced,
                  "from": sorted(segment_ids)}, why=note,
        )  # fmt: skip
        return {"document": doc.id, "take": "segments" if segment_ids else take, "segments": len(written), "replaced": replaced}


def suggest_codes(
    project: Project, document_id: int, start: int, end: int, *, limit: int = 5, method: Method = "tfidf",
    viewer: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The codebook's codes ranked for the selection [start, end): shown to the coder, never applied."""
    who = viewer or project.actor
    with project.store.read() as session:
        doc = _document(session, project, document_id)
        if not 0 <= start < end <= len(doc.text):
            raise UserError(f"offsets {start}..{end} are outside the document (0..{len(doc.text)}) or empty")
        codes = codebook_rows(session, project.id)
        if not codes:
            raise UserError("the codebook is empty: add codes or load a framework (qes codebook load reciprocity)")
        # Examples: the final coding plus what this coder may see, never a colleague's blind coding.
        seen = {s.id: s for s in visible_segments(session, project, who)}
        final_ids = {s.id for s in final_segment_rows(session, project.id)}
        examples: dict[int, list[str]] = {c.id: [] for c in codes}
        for seg in seen.values():
            if seg.id in final_ids or seg.coder == who or seg.status == "reconciled":
                if seg.document_id == doc.id and seg.start < end and start < seg.end:
                    continue  # the selection itself must not vouch for its own codes
                for code in seg.codes:
                    examples[code["id"]].append(seg.text)
        profiles = [CodeProfile(c.id, c.name, c.definition, c.notes, tuple(examples[c.id])) for c in codes]
        paths = {c.id: c.path for c in codes}
        ranked = suggest(doc.text[start:end], profiles, method=method, limit=limit)
        return {
            "document": doc.id, "start": start, "end": end, "method": method,
            "suggestions": [{**s.to_json(), "path": paths[s.key]} for s in ranked if s.score > 0],
        }  # fmt: skip
