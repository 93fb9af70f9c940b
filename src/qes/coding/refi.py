"""REFI-QDA exchange: codebooks (.qdc) and projects (.qdpx) written and read, validated against the standard.

``dumps_codebook`` / ``loads_codebook`` turn a codebook into ``CodeBook`` XML and back;
``write_project`` / ``read_project`` a :class:`~qes.coding.qda.QdaProject` into a .qdpx (a zip holding
``project.qde`` and each source's plain text as ``sources/<guid>.txt``, referred to as
``internal://<guid>.txt``) and back. Output is validated against the XSDs shipped in ``qes/coding/xsd``
before it is returned or written, so an invalid file is never produced. Reading accepts the files other
tools write (NVivo, ATLAS.ti, MAXQDA, QualCoder): text inline or in the zip, any folder case.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path, PurePosixPath

from lxml import etree

from qes.coding.qda import (
    QdaCase,
    QdaCode,
    QdaCoding,
    QdaLink,
    QdaNote,
    QdaProject,
    QdaSelection,
    QdaSet,
    QdaSource,
    QdaUser,
)

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
XSD_DIR = Path(__file__).with_name("xsd")
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class RefiError(ValueError):
    """A REFI-QDA file that cannot be read: not XML, not valid against the standard, or missing a part."""


@cache
def schema(name: str) -> etree.XMLSchema:
    """The shipped XSD ``Codebook`` or ``Project``."""
    return etree.XMLSchema(etree.parse(str(XSD_DIR / f"{name}.xsd")))


def validate(xml: bytes, name: str) -> list[str]:
    """Schema errors of ``xml`` against the ``Codebook`` or ``Project`` XSD as "line N: message" (empty = valid)."""
    try:
        doc = etree.fromstring(xml, _SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        return [f"line {exc.lineno}: {exc.msg}"]
    xsd = schema(name)
    if xsd.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in xsd.error_log]


def _stamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_stamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None  # a stamp another tool wrote in its own style: the data still imports


def _sub(parent: etree._Element, ns: str, tag: str, **attrs: str | None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}")
    for key, value in attrs.items():
        if value is not None:
            element.set(key, value)
    return element


def _text(parent: etree._Element, ns: str, tag: str, text: str) -> None:
    if text:
        _sub(parent, ns, tag).text = text


def _refs(parent: etree._Element, ns: str, tag: str, guids: list[str]) -> None:
    for guid in guids:
        _sub(parent, ns, tag, targetGUID=guid)


def _code_element(parent: etree._Element, ns: str, code: QdaCode, with_notes: bool) -> None:
    element = _sub(parent, ns, "Code", guid=code.guid, name=code.name, isCodable="true" if code.codable else "false")
    if code.color:
        element.set("color", code.color)
    _text(element, ns, "Description", code.description)
    if with_notes:  # the codebook schema has no NoteRef on a code; the project schema does
        _refs(element, ns, "NoteRef", code.note_refs)
    for child in code.children:
        _code_element(element, ns, child, with_notes)


def _sets_element(parent: etree._Element, ns: str, sets: Sequence[QdaSet]) -> None:
    if not sets:
        return
    holder = _sub(parent, ns, "Sets")
    member = "MemberCode"
    for code_set in sets:
        element = _sub(holder, ns, "Set", guid=code_set.guid, name=code_set.name)
        _text(element, ns, "Description", code_set.description)
        for guid in code_set.member_codes:
            # A codebook's MemberCode names its code by ``guid``; a project's by ``targetGUID``.
            _sub(element, ns, member, **({"guid": guid} if ns == CODEBOOK_NS else {"targetGUID": guid}))


def _serialise(root: etree._Element, name: str) -> bytes:
    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    errors = validate(xml, name)
    if errors:  # a bug in qes, never the user's input: refuse to hand out a file other tools would reject
        raise RefiError(f"qes produced {name} XML that fails the REFI-QDA schema: {errors[0]}")
    return xml


def dumps_codebook(codes: Sequence[QdaCode], sets: Sequence[QdaSet] = (), origin: str = "qes") -> bytes:
    """A ``CodeBook`` (.qdc) document; raises RefiError when there is no code (the standard needs one)."""
    if not codes:
        raise RefiError("a REFI-QDA codebook needs at least one code")
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})
    root.set("origin", origin)
    holder = _sub(root, CODEBOOK_NS, "Codes")
    for code in codes:
        _code_element(holder, CODEBOOK_NS, code, with_notes=False)
    _sets_element(root, CODEBOOK_NS, list(sets))
    return _serialise(root, "Codebook")


def _parse(data: bytes, name: str, where: str) -> etree._Element:
    try:
        root = etree.fromstring(data, _SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise RefiError(f"{where}:{exc.lineno}: not XML: {exc.msg}") from None
    errors = validate(data, name)
    if errors:
        raise RefiError(f"{where}: not a valid REFI-QDA {name.lower()} ({errors[0]})")
    return root


def _read_codes(parent: etree._Element, ns: str) -> list[QdaCode]:
    codes = []
    for element in parent.findall(f"{{{ns}}}Code"):
        description = element.findtext(f"{{{ns}}}Description") or ""
        notes = [ref.get("targetGUID", "") for ref in element.findall(f"{{{ns}}}NoteRef")]
        codes.append(
            QdaCode(
                guid=element.get("guid", ""),
                name=element.get("name", ""),
                codable=element.get("isCodable", "true") in ("true", "1"),
                color=element.get("color"),
                description=description,
                children=_read_codes(element, ns),
                note_refs=notes,
            )
        )
    return codes


def _read_sets(parent: etree._Element, ns: str) -> list[QdaSet]:
    sets = []
    for element in parent.iterfind(f"{{{ns}}}Sets/{{{ns}}}Set"):
        members = [m.get("guid") or m.get("targetGUID") or "" for m in element.findall(f"{{{ns}}}MemberCode")]
        description = element.findtext(f"{{{ns}}}Description") or ""
        sets.append(QdaSet(element.get("guid", ""), element.get("name", ""), description, members))
    return sets


def loads_codebook(data: bytes, where: str = "codebook") -> tuple[list[QdaCode], list[QdaSet]]:
    """The codes (nested) and code sets of a .qdc document; RefiError (``where:line: why``) if it is not one."""
    root = _parse(data, "Codebook", where)
    codes_holder = root.find(f"{{{CODEBOOK_NS}}}Codes")
    codes = _read_codes(codes_holder, CODEBOOK_NS) if codes_holder is not None else []
    return codes, _read_sets(root, CODEBOOK_NS)


def _source_path(guid: str) -> str:
    return f"sources/{guid}.txt"


def _project_element(project: QdaProject) -> etree._Element:
    ns = PROJECT_NS
    root = etree.Element(f"{{{ns}}}Project", nsmap={None: ns})
    root.set("name", project.name)
    root.set("origin", project.origin or "qes")
    if project.creating_user:
        root.set("creatingUserGUID", project.creating_user)
    if (stamp := _stamp(project.created)) is not None:
        root.set("creationDateTime", stamp)
    if project.users:
        users = _sub(root, ns, "Users")
        for user in project.users:
            _sub(users, ns, "User", guid=user.guid, name=user.name)
    if project.codes:
        codes = _sub(_sub(root, ns, "CodeBook"), ns, "Codes")
        for code in project.codes:
            _code_element(codes, ns, code, with_notes=True)
    if project.cases:
        cases = _sub(root, ns, "Cases")
        for case in project.cases:
            element = _sub(cases, ns, "Case", guid=case.guid, name=case.name)
            _text(element, ns, "Description", case.description)
            _refs(element, ns, "SourceRef", case.source_refs)
    if project.sources:
        sources = _sub(root, ns, "Sources")
        for source in project.sources:
            _source_element(sources, source)
    if project.notes:
        notes = _sub(root, ns, "Notes")
        for note in project.notes:
            element = _sub(
                notes, ns, "Note", guid=note.guid, name=note.name, creatingUser=note.creating_user,
                creationDateTime=_stamp(note.created),
            )  # fmt: skip
            _sub(element, ns, "PlainTextContent").text = note.text
    if project.links:
        links = _sub(root, ns, "Links")
        for link in project.links:
            _sub(links, ns, "Link", guid=link.guid, name=link.name, originGUID=link.origin_guid, targetGUID=link.target_guid)
    _sets_element(root, ns, project.sets)
    _text(root, ns, "Description", project.description)
    _refs(root, ns, "NoteRef", project.note_refs)
    return root


def _source_element(parent: etree._Element, source: QdaSource) -> None:
    ns = PROJECT_NS
    element = _sub(
        parent, ns, "TextSource", guid=source.guid, name=source.name, plainTextPath=f"internal://{source.guid}.txt",
        creatingUser=source.creating_user, creationDateTime=_stamp(source.created),
    )  # fmt: skip
    _text(element, ns, "Description", source.description)
    for selection in source.selections:
        sel = _sub(
            element, ns, "PlainTextSelection", guid=selection.guid, name=selection.name or None,
            startPosition=str(selection.start), endPosition=str(selection.end),
            creatingUser=selection.creating_user, creationDateTime=_stamp(selection.created),
        )  # fmt: skip
        _text(sel, ns, "Description", selection.description)
        for coding in selection.codings:
            item = _sub(
                sel, ns, "Coding", guid=coding.guid, creatingUser=coding.creating_user,
                creationDateTime=_stamp(coding.created),
            )  # fmt: skip
            _sub(item, ns, "CodeRef", targetGUID=coding.code_guid)
        _refs(sel, ns, "NoteRef", selection.note_refs)
    _refs(element, ns, "NoteRef", source.note_refs)


def write_project(project: QdaProject, path: Path) -> None:
    """Write ``project`` as a .qdpx zip at ``path`` (validated first; the file appears only when complete)."""
    xml = _serialise(_project_element(project), "Project")
    partial = path.with_name(path.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("project.qde", xml)
            for source in project.sources:
                archive.writestr(_source_path(source.guid), source.text.encode("utf-8"))
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _read_source(element: etree._Element, files: dict[str, bytes], where: str) -> QdaSource:
    ns = PROJECT_NS
    guid = element.get("guid", "")
    inline = element.find(f"{{{ns}}}PlainTextContent")
    if inline is not None:
        text = inline.text or ""
    else:
        target = (element.get("plainTextPath") or "").removeprefix("internal://")
        # Tools disagree on the folder ("sources/", "Sources/", none): match the file name alone.
        data = files.get(PurePosixPath(target).name.lower())
        if data is None:
            raise RefiError(f"{where}: source {element.get('name')!r} has no text ({target or 'no plainTextPath'})")
        text = data.decode("utf-8-sig")
    selections = []
    for sel in element.findall(f"{{{ns}}}PlainTextSelection"):
        codings = [
            QdaCoding(
                guid=c.get("guid", ""),
                code_guid=c.find(f"{{{ns}}}CodeRef").get("targetGUID", ""),  # type: ignore[union-attr]
                creating_user=c.get("creatingUser"),
                created=_parse_stamp(c.get("creationDateTime")),
            )
            for c in sel.findall(f"{{{ns}}}Coding")
        ]
        selections.append(
            QdaSelection(
                guid=sel.get("guid", ""),
                start=int(sel.get("startPosition", "0")),
                end=int(sel.get("endPosition", "0")),
                name=sel.get("name", ""),
                description=sel.findtext(f"{{{ns}}}Description") or "",
                codings=codings,
                note_refs=[r.get("targetGUID", "") for r in sel.findall(f"{{{ns}}}NoteRef")],
                creating_user=sel.get("creatingUser"),
                created=_parse_stamp(sel.get("creationDateTime")),
            )
        )
    return QdaSource(
        guid=guid,
        name=element.get("name", ""),
        text=text,
        description=element.findtext(f"{{{ns}}}Description") or "",
        selections=selections,
        note_refs=[r.get("targetGUID", "") for r in element.findall(f"{{{ns}}}NoteRef")],
        creating_user=element.get("creatingUser"),
        created=_parse_stamp(element.get("creationDateTime")),
    )


def read_project(path: Path) -> QdaProject:
    """Read a .qdpx; RefiError (``file: why``) when it is not a zip, has no valid ``project.qde`` or misses a text."""
    where = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            names = {PurePosixPath(n).name.lower(): n for n in archive.namelist() if not n.endswith("/")}
            if "project.qde" not in names:
                raise RefiError(f"{where}: no project.qde inside: not a REFI-QDA project")
            qde = archive.read(names.pop("project.qde"))
            files = {name: archive.read(full) for name, full in names.items() if name.endswith(".txt")}
    except zipfile.BadZipFile:
        raise RefiError(f"{where}: not a zip file: not a REFI-QDA project (.qdpx)") from None
    root = _parse(qde, "Project", f"{where}/project.qde")
    ns = PROJECT_NS
    codes_holder = root.find(f"{{{ns}}}CodeBook/{{{ns}}}Codes")
    return QdaProject(
        name=root.get("name", ""),
        origin=root.get("origin", ""),
        users=[QdaUser(u.get("guid", ""), u.get("name", "")) for u in root.iterfind(f"{{{ns}}}Users/{{{ns}}}User")],
        codes=_read_codes(codes_holder, ns) if codes_holder is not None else [],
        sets=_read_sets(root, ns),
        cases=[
            QdaCase(
                c.get("guid", ""),
                c.get("name", ""),
                c.findtext(f"{{{ns}}}Description") or "",
                [r.get("targetGUID", "") for r in c.findall(f"{{{ns}}}SourceRef")],
            )
            for c in root.iterfind(f"{{{ns}}}Cases/{{{ns}}}Case")
        ],
        sources=[_read_source(s, files, where) for s in root.iterfind(f"{{{ns}}}Sources/{{{ns}}}TextSource")],
        notes=[
            QdaNote(
                n.get("guid", ""),
                n.get("name", ""),
                n.findtext(f"{{{ns}}}PlainTextContent") or "",
                n.get("creatingUser"),
                _parse_stamp(n.get("creationDateTime")),
            )
            for n in root.iterfind(f"{{{ns}}}Notes/{{{ns}}}Note")
        ],
        links=[
            QdaLink(k.get("guid", ""), k.get("name", ""), k.get("originGUID", ""), k.get("targetGUID", ""))
            for k in root.iterfind(f"{{{ns}}}Links/{{{ns}}}Link")
        ],
        description=root.findtext(f"{{{ns}}}Description") or "",
        note_refs=[r.get("targetGUID", "") for r in root.findall(f"{{{ns}}}NoteRef")],
        creating_user=root.get("creatingUserGUID"),
        created=_parse_stamp(root.get("creationDateTime")),
    )
