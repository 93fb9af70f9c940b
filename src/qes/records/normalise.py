"""Field normalisers: messy values from real exports → canonical form. Pure functions.

Each takes the value as a source wrote it and returns the canonical form ("" when nothing usable),
never raising on odd input: readers call them on every record of every file.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from qes.records.model import Author

_WS = re.compile(r"\s+")
# Zero-width characters and the BOM, which some exports leave inside fields.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def clean_text(value: str | None) -> str:
    """Collapse whitespace (incl. NBSP, U+2028, tabs, newlines), drop zero-width chars, strip."""
    if not value:
        return ""
    # Most values are clean already. Every character str.split() cuts at, other than the plain
    # space, and every zero-width character is non-printable, so one C pass proves it: no list
    # of words built and joined again (an abstract's 200 words, on every record of an import).
    if value.isprintable() and value[0] != " " and value[-1] != " " and "  " not in value:
        return value
    if not value.isascii() and _INVISIBLE_RE.search(value):
        value = _INVISIBLE_RE.sub("", value)
    # str.split() splits on every Unicode whitespace (NBSP, U+2028 ...) and is far faster than a regex.
    return " ".join(value.split())


# --- DOI -------------------------------------------------------------------------------------

_DOI_IN = re.compile(r"(10\.\d{4,9}/\S+)", re.IGNORECASE)
_DOI_TRAIL = ".,;:)]}>\"'"


def normalise_doi(value: str | None) -> str:
    """DOI in lower case without resolver prefix: 'https://dx.doi.org/10.1/ABC.' → '10.1/abc'.

    Accepts 'doi:' prefixes, URL-encoded slashes, LaTeX-escaped underscores and PubMed's
    '10.1/x [doi]' suffix. Returns "" when no DOI is present.
    """
    if not value:
        return ""
    text = value.replace("\\_", "_").replace("%2F", "/").replace("%2f", "/")
    text = text.replace("[doi]", " ").strip()
    match = _DOI_IN.search(text)
    if not match:
        return ""
    doi = match.group(1)
    if match.start() > 0 and text[match.start() - 1] in "=:" and "&" in doi:
        doi = doi.split("&", 1)[0]  # a DOI inside a link-resolver query: '...&id=doi:10.1/x&atitle=...'
    return doi.rstrip(_DOI_TRAIL).lower()


# --- identifiers -----------------------------------------------------------------------------

_ISSN = re.compile(r"\b(\d{4})-?(\d{3}[\dXx])\b")


def normalise_issn(value: str | None) -> str:
    """All ISSNs found, as 'NNNN-NNNX', de-duplicated, joined by '; '."""
    if not value:
        return ""
    found: list[str] = []
    for a, b in _ISSN.findall(value.replace('="', "").replace('"', "")):
        issn = f"{a}-{b.upper()}"
        if issn not in found:
            found.append(issn)
    return "; ".join(found)


_PMID = re.compile(r"\d{1,9}")
_PMCID = re.compile(r"PMC\s*(\d+)", re.IGNORECASE)
_DIGITS_ONLY = re.compile(r"\s*(\d+)\s*")


def normalise_pmid(value: str | None) -> str:
    """The leading run of digits: 'PMID:12345 [pubmed]' → '12345'; '0' (Abstrackr's none) → ''."""
    if not value:
        return ""
    match = _PMID.search(value)
    return match.group(0).lstrip("0") if match else ""


def normalise_pmcid(value: str | None) -> str:
    if not value:
        return ""
    match = _PMCID.search(value)
    if match:
        return f"PMC{match.group(1)}"
    digits = _DIGITS_ONLY.fullmatch(value)
    return f"PMC{digits.group(1)}" if digits else ""


# --- year and pages --------------------------------------------------------------------------

_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")


def parse_year(value: str | int | None) -> int | None:
    """First plausible year (1500–2099) in a date string: '2016/09//' → 2016, '="4/3/2024"' → 2024."""
    if value is None:
        return None
    if isinstance(value, int):
        return value if 1500 <= value <= 2099 else None
    match = _YEAR.search(value)
    return int(match.group(1)) if match else None


_PAGE_RANGE = re.compile(r"^\s*([A-Za-z]*\d+[A-Za-z]*|[ivxlcdm]+)\s*(?:-+|–|—|to)\s*([A-Za-z]*\d+[A-Za-z]*|[ivxlcdm]+)\s*$", re.I)


def split_pages(value: str | None) -> tuple[str, str]:
    """'1234-8' → ('1234', '1238'); 'e123' → ('e123', ''); '73--76' → ('73', '76').

    Abbreviated end pages are expanded from the start page's leading digits. Anything else
    (e.g. 'No Specified') is returned whole as the start page.
    """
    text = clean_text(value)
    if not text or text.lower() in {"no", "specified", "no-specified", "n.pag.", "n/a"}:
        return "", ""
    match = _PAGE_RANGE.match(text)
    if not match:
        return text, ""
    start, end = match.group(1), match.group(2)
    if start.isdigit() and end.isdigit() and len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    if end == start:
        end = ""
    return start, end


# --- authors ---------------------------------------------------------------------------------

_CORPORATE_WORDS = re.compile(
    r"\b(group|consortium|collaborat\w*|committee|association|society|organi[sz]ation|institute|"
    r"council|network|investigators|team|university|department|agency|foundation|centre|center|"
    r"ministry|board|federation|trial|panel|working|office|program|programme|alliance|inc|ltd)\b",
    re.IGNORECASE,
)
_PARTICLES = {
    "van",
    "von",
    "der",
    "den",
    "de",
    "del",
    "della",
    "di",
    "da",
    "du",
    "le",
    "la",
    "dos",
    "das",
    "ter",
    "ten",
    "bin",
    "al",
    "el",
}
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "2nd", "3rd"}
_SUFFIX_WORDS = frozenset(s.strip(".") for s in _SUFFIXES)
_EMAIL_IN_PARENS = re.compile(r"\s*\([^)]*@[^)]*\)\s*")
_SCOPUS_AUTHOR_ID = re.compile(r"\s*\(\d+\)\s*$")


def _fix_case(name: str) -> str:
    """Title-case an ALL-CAPS name (WoS/Ovid shout), leave mixed case alone."""
    compact = name.replace(" ", "")
    looks_like_initials = _INITIALS.match(compact) and ("." in compact or len(compact) <= 3)
    if name.isupper() and len(name) > 2 and not looks_like_initials:
        return "-".join(part.capitalize() for part in name.title().split("-"))
    return name


def _initials_to_given(token: str) -> str:
    """'JA' → 'J. A.', 'J.-P.' → 'J.-P.', 'R.' → 'R.'."""
    if "." in token or "-" in token:
        return token.replace(".", ". ").replace(" -", "-").strip()
    return " ".join(f"{c}." for c in token)


@lru_cache(maxsize=1 << 16)
def parse_author(value: str | None) -> Author | None:
    """One author name in any common layout → Author(family, given).

    Cached: the same names recur across a file and across databases, and `Author` is immutable.

    'Smith, John A.'; 'Smith JA' (PubMed AU); 'Smith J.A.' (Embase); 'John A. Smith' (OpenAlex);
    'van der Berg, J'; 'WHO Collaborating Group' (corporate, not split).
    """
    literal = clean_text(value)
    if "(" in literal:
        literal = _EMAIL_IN_PARENS.sub(" ", literal).strip()  # WoS e-mail in parentheses
        literal = _SCOPUS_AUTHOR_ID.sub("", literal)
    literal = literal.strip(" ;,")
    if not literal:
        return None
    if _CORPORATE_WORDS.search(literal) and literal.count(",") == 0:
        return Author(family=literal, literal=literal, corporate=True)
    if "," in literal:
        family, _, given = literal.partition(",")
        given = given.strip()
        if given.lower().strip(". ") in _SUFFIX_WORDS:
            family, given = f"{family.strip()} {given}", ""
        compact = given.replace(" ", "")
        if _INITIALS.match(compact) and "." not in given and (len(compact) <= 3 or not family.isupper()):
            given = _initials_to_given(given.replace(" ", ""))  # 'Larsen, LJ' (WoS) → 'L. J.'
        return Author(family=_fix_case(family.strip()), given=_fix_case(given), literal=literal)
    tokens = literal.split()
    if len(tokens) == 1:
        return Author(family=_fix_case(tokens[0]), literal=literal)
    # 'Smith JA' / 'Liu R.' / 'Smith J.-P.': trailing initials → family first.
    if _INITIALS.match(tokens[-1]) and not _INITIALS.match(tokens[0]):
        return Author(family=_fix_case(" ".join(tokens[:-1])), given=_initials_to_given(tokens[-1]), literal=literal)
    # 'John A. Smith' / 'Ludwig van Beethoven': family is the last token plus particles before it.
    cut = len(tokens) - 1
    while cut > 1 and tokens[cut - 1].lower() in _PARTICLES:
        cut -= 1
    return Author(family=_fix_case(" ".join(tokens[cut:])), given=_fix_case(" ".join(tokens[:cut])), literal=literal)


def split_author_list(value: str | None) -> list[str]:
    """Split a whole author list written in one field into names.

    Handles ' and ' (BibTeX, Rayyan), ';' (Covidence, CINAHL, IEEE), '|' (OpenAlex CSV),
    newlines, and Scopus/Embase 'Pan, Y., Yu, C.' / 'Liu R., Adler D.G.' comma lists.
    """
    text = (value or "").replace("\r", "\n")
    if not text.strip():
        return []
    if "\n" in text and re.search(r"\s+and\s+", text):
        text = re.sub(r"\s+", " ", text)  # Abstrackr: 'Longrich, N.R.\n and Pereda, X.\n
    for sep in ("\n", ";", "|"):
        if sep in text:
            return [p.strip() for p in re.split(r"\s*" + re.escape(sep) + r"\s*", text) if p.strip()]
    if re.search(r"\s+and\s+", text):
        return [p.strip() for p in re.split(r",?\s+and\s+", text) if p.strip()]
    if text.count(",") >= 2 or re.search(r"\.,\s", text):
        parts = [p.strip() for p in text.split(",") if p.strip()]
        # 'Pan, Y., Yu, C.' → pairs of (family, initials).
        if (
            all(_INITIALS.match(p.replace(" ", "")) for p in parts[1::2])
            and len(parts) % 2 == 0
            and not any(_INITIALS.match(p.replace(" ", "")) for p in parts[0::2])
        ):
            return [f"{parts[i]}, {parts[i + 1]}" for i in range(0, len(parts), 2)]
        return parts
    return [text.strip()]


def parse_authors(values: list[str] | str | None) -> list[Author]:
    """Authors from one field per author (list) or a whole list in one field (str)."""
    if values is None:
        return []
    names: list[str] = []
    if isinstance(values, str):
        names = split_author_list(values)
    else:
        for v in values:
            names.extend(split_author_list(v) if (";" in v or "\n" in v or " and " in v) else [v])
    authors = [parse_author(n) for n in names]
    return [a for a in authors if a is not None]


# --- free text -------------------------------------------------------------------------------

_COPYRIGHT = re.compile(
    r"^(copyright|\(c\)|©|all rights reserved)|is the property of .* and its content may not be copied",
    re.IGNORECASE,
)


def is_copyright_boilerplate(text: str) -> bool:
    """True for EBSCO's second AB ('Copyright of X is the property of ...') and the like."""
    lowered = text[:400].lower()
    markers = ("copyright", "(c)", "©", "rights reserved", "property of")
    if not any(m in lowered for m in markers):
        return False  # cheap test first: this runs on every repeated abstract of every import
    return bool(_COPYRIGHT.search(clean_text(text)))


def unescape_markup(text: str) -> str:
    """HTML entities and stray inline tags (<i>, <sup>) that some exports leave in titles."""
    if "&" in text:
        import html  # its entity table is a sizeable import; most values have no '&'

        text = html.unescape(text)
    if "<" in text:
        text = re.sub(r"</?(i|b|em|strong|sup|sub|p|br|jats:[a-z]+)\s*/?>", "", text, flags=re.I)
    return text


def normalise_title(text: str | None) -> str:
    return clean_text(unescape_markup(text or "")).rstrip()


def fold(text: str) -> str:
    """ASCII-folded lower case: for comparisons, never for display."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
