"""Build a large synthetic deduplication benchmark from the real bibliographic records in ../shared.

    .venv/bin/python benchmarks/make_dedupe_scale.py --n 1000000 --out-dir /tmp/scale1m [--seed 7] [--shared ../shared]

Writes OUT/records_pre_merged.csv and OUT/merged_record_ids.csv in the layout of ../shared/data/dedupe/*/.
Distinct works ("papers") are the real records (one per known duplicate group and per normalised title), then
synthetic papers: a real title with at least half (and at least 3) of its content words swapped, fresh authors,
journal, numbers and DOI. Each paper appears 1-5 times; every copy after the first is perturbed the way another
database would export it (author style, journal abbreviation, case, missing fields, page and DOI format, rare typo).
Stdlib only, so it runs without installing qes.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import time
import unicodedata
from pathlib import Path

FIELDS = ["ID", "title", "year", "author", "pages", "volume", "number", "ENTRYTYPE", "journal", "doi", "abstract"]
COPY_WEIGHTS = {1: 55, 2: 25, 3: 12, 4: 6, 5: 2}
MISSING = {"", "unknown", "nan", "na", "none", "null"}
# Little words never swapped for synthetic titles (content words have 4+ letters, so shorter ones need no listing).
STOPWORDS = {"about", "after", "against", "among", "between", "does", "during", "from", "have", "into", "more", "than"}
STOPWORDS |= {"that", "their", "these", "this", "through", "under", "using", "versus", "were", "what", "when", "which"}
STOPWORDS |= {"with", "within", "without"}
PARTICLES = {"van", "von", "de", "der", "den", "del", "della", "da", "di", "du", "dos", "das", "le", "la", "ter", "ten"}
SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
ABBREVIATIONS = {"Journal": "J", "International": "Int", "Research": "Res", "Medicine": "Med", "American": "Am"}
ABBREVIATIONS |= {"Clinical": "Clin", "Science": "Sci", "Review": "Rev", "Annals": "Ann", "Archives": "Arch"}
ABBREVIATIONS |= {"European": "Eur", "British": "Br", "Information": "Inf", "Systems": "Syst", "Neurology": "Neurol"}
EXPANSIONS = {short: word for word, short in ABBREVIATIONS.items()}
MARKERS = (" [Chinese]", " [Article in German]", " [Article in French]", " [Japanese]", " [Article in Spanish]")
MARKER_RE = re.compile(r"\s*\[[^\]]*\]\s*\.?\s*$")  # a trailing "[Chinese]" a database appended to a real title
CONTENT_RE = re.compile(r"^(\W*)([A-Za-z][A-Za-z'-]{2,}[A-Za-z])(\W*)$")
PAGE_RANGE = re.compile(r"(\d+)-(\d+)")
INITIAL = re.compile(r"^\w\.(-\w\.)*$")  # "J." or "J.-P."
DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", re.I)
TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


class _Bare(int):
    """An empty field csv.QUOTE_NONNUMERIC leaves unquoted, as in the real sets (text quoted, numbers and blanks bare)."""

    def __str__(self) -> str:
        return ""


BLANK = _Bare()


def as_number(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def title_key(title: str) -> str:
    return "".join(ch for ch in MARKER_RE.sub("", title).casefold() if ch.isalnum())


def fold_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def split_given_first(name: str) -> tuple[str, str]:
    """'Sjoerd A.A. van den Berg' -> ('van den Berg', 'Sjoerd A.A.'), as the synergy exports write names."""
    tokens = name.replace(",", " ").split()
    while len(tokens) > 1 and tokens[-1].lower().rstrip(",") in SUFFIXES:
        tokens.pop()
    if len(tokens) < 2:
        return " ".join(tokens), ""
    start = next((i for i in range(1, len(tokens) - 1) if tokens[i].lower() in PARTICLES), len(tokens) - 1)
    return " ".join(tokens[start:]), " ".join(tokens[:start])


def parse_bibtex_authors(text: str) -> tuple[tuple[str, str], ...]:
    names = (part.partition(",") for part in text.split(" and "))
    return tuple((family.strip(), given.strip()) for family, _, given in names if family.strip())


def initials(given: str) -> list[str]:
    """'John A.' -> ['J', 'A']; 'Jean-Pierre' -> ['J-P']; 'RE' (already initials) -> ['R', 'E']."""
    letters: list[str] = []
    for part in re.split(r"[\s.]+", given):
        if part.isalpha() and part.isupper() and len(part) <= 3:
            letters.extend(part)
        elif pieces := [p[0].upper() for p in part.split("-") if p and p[0].isalpha()]:
            letters.append("-".join(pieces))
    return letters


def plain_family(family: str, letters: list[str]) -> bool:
    """Whether 'Smith JA' and 'J. A. Smith' still show which part is the family ('A. Binns', 'Yoos II' would not)."""
    tokens, joined = family.split(), "".join(letters).replace("-", "")
    return not INITIAL.match(tokens[0]) and not tokens[-1].isupper() and len(joined) <= 4 and joined.isupper()


def format_author(family: str, given: str, style: int) -> str:
    """0 'Smith, John A.'  1 'Smith, J. A.'  2 'Smith, J A'  3 'Smith JA'  4 'J. A. Smith' (family never changes)."""
    if not given:
        return family
    if style == 0:
        return f"{family}, {given}"
    letters = initials(given)
    if not letters:
        return family
    if style >= 3 and not plain_family(family, letters):
        style = 1
    if style == 1:
        return f"{family}, " + " ".join(i.replace("-", ".-") + "." for i in letters)
    if style == 2:
        return f"{family}, " + " ".join(letters)
    if style == 3:
        return f"{family} " + "".join(letters).replace("-", "")
    return " ".join(i.replace("-", ".-") + "." for i in letters) + f" {family}"


def field(row: dict[str, str], key: str) -> str:
    value = (row.get(key) or "").strip()
    return "" if value.lower() in MISSING else value


def read_real_records(shared: Path):
    """(row, authors) for every real record except the later members of each known duplicate group."""
    for records_csv in sorted(shared.glob("data/dedupe/*/records_pre_merged.csv")):
        with (records_csv.parent / "merged_record_ids.csv").open(encoding="utf-8", newline="") as fh:
            later_members = {rid for row in csv.DictReader(fh) for rid in row["merged_ids"].split(";")[1:]}
        with records_csv.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["ID"] not in later_members:
                    yield row, parse_bibtex_authors(field(row, "author"))
    for synergy_csv in sorted(shared.glob("data/synergy/*.csv")):
        with synergy_csv.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                names = field(row, "authors").split(";")  # "Given Family; Given Family"
                yield row, tuple(a for a in map(split_given_first, names) if a[0])


def load_seeds(shared: Path) -> list[tuple]:
    """Real papers: one per known duplicate group, per normalised title and per DOI."""
    seeds, seen_titles, seen_dois = [], set(), set()
    for row, authors in read_real_records(shared):
        title = MARKER_RE.sub("", field(row, "title"))
        doi = DOI_PREFIX.sub("", field(row, "doi"))
        key = title_key(title)
        if not key or key in seen_titles or (doi and doi.lower() in seen_dois):
            continue
        seen_titles.add(key)
        seen_dois.add(doi.lower())
        year_match = re.match(r"\d{4}", field(row, "year"))
        year = int(year_match.group()) if year_match else ""
        journal = field(row, "journal") or field(row, "booktitle")
        volume, number = as_number(field(row, "volume")), as_number(field(row, "number") or field(row, "issue"))
        pages = re.sub(r"\s*-+\s*", "-", field(row, "pages"))  # "376 -- 383" -> "376-383"
        abstract, entrytype = field(row, "abstract"), field(row, "ENTRYTYPE") or "article"
        seeds.append((title, authors, year, journal, volume, number, pages, doi, abstract, entrytype))
    return seeds


class SyntheticPapers:
    """Distinct works made from real parts: swapped title words, fresh authors, journal, numbers and DOI."""

    def __init__(self, seeds: list[tuple], rng: random.Random) -> None:
        self.rng = rng
        self.bases: list[tuple[list[str], list[tuple[int, str, str, str]]]] = []
        self.vocabulary: list[str] = []
        for seed in seeds:
            tokens = seed[0].split()
            matches = ((i, CONTENT_RE.match(token)) for i, token in enumerate(tokens))
            content = [(i, m[1], m[2], m[3]) for i, m in matches if m and m[2].lower() not in STOPWORDS]
            self.vocabulary += [core.lower() for _, _, core, _ in content if not core.isupper()]
            if len(content) >= 4:  # room to swap at least 3 words and keep one
                self.bases.append((tokens, content))
        self.authors = [a for seed in seeds for a in seed[1]]
        self.journals = [seed[3] for seed in seeds if seed[3]]
        self.abstracts = [seed[8] for seed in seeds if seed[8]]
        self.titles = {hash(seed[0].lower()) for seed in seeds}  # hashes: the titles themselves would cost ~100 MB
        self.years, self.volumes, self.issues = list(range(1980, 2025)), list(range(1, 301)), list(range(1, 13))

    def title(self) -> str:
        rng = self.rng
        while True:
            tokens, content = rng.choice(self.bases)
            tokens = list(tokens)
            for i, prefix, core, suffix in rng.sample(content, max(3, (len(content) + 1) // 2)):
                word = rng.choice(self.vocabulary)
                while word == core.lower():
                    word = rng.choice(self.vocabulary)
                tokens[i] = prefix + (word.capitalize() if core[0].isupper() else word) + suffix
            title = " ".join(tokens)
            key = hash(title.lower())
            if key not in self.titles:  # never two papers with one title
                self.titles.add(key)
                return title

    def paper(self) -> tuple:
        rng = self.rng
        authors: dict[str, tuple[str, str]] = {}
        wanted = rng.randint(2, 8)
        while len(authors) < wanted:
            name = rng.choice(self.authors)  # shared, not copied: ~5 names per paper would cost ~150 MB at 1M
            authors.setdefault(name[0].lower(), name)
        start = rng.randint(1, 3000)
        pages = f"{start}-{start + rng.randint(3, 20)}"
        doi = ""
        if rng.random() < 0.6:
            doi = f"10.{rng.randint(1000, 99999)}/" + "".join(rng.choices(TOKEN_CHARS, k=rng.randint(6, 12)))
        abstract = rng.choice(self.abstracts) if rng.random() < 0.5 else ""
        year, journal, volume, issue = (rng.choice(x) for x in (self.years, self.journals, self.volumes, self.issues))
        return (self.title(), tuple(authors.values()), year, journal, volume, issue, pages, doi, abstract, "article")


def perturb_title(title: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.08:
        title = title.upper()
    elif r < 0.16:
        title = title.lower()
    elif r < 0.24:
        title = " ".join(w[:1].upper() + w[1:] for w in title.split(" "))
    if rng.random() < 0.15:
        if ": " in title:
            title = title.replace(": ", rng.choice((" - ", " \u2013 ")), 1)
        elif " - " in title:
            title = title.replace(" - ", ": ", 1)
    if "&" in title and rng.random() < 0.3:
        title = title.replace("&", "&amp;")
    if rng.random() < 0.05:  # one substitution or deletion in a word of 5+ letters
        words = title.split(" ")
        if long_words := [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]:
            i = rng.choice(long_words)
            word, j = words[i], rng.randrange(len(words[i]))
            if rng.random() < 0.5:
                words[i] = word[:j] + word[j + 1 :]
            else:
                letter = rng.choice([c for c in "aeinorst" if c != word[j].lower()])
                words[i] = word[:j] + (letter.upper() if word[j].isupper() else letter) + word[j + 1 :]
            title = " ".join(words)
    if rng.random() < 0.2:
        title = title[:-1] if title.endswith(".") else title + "."
    if rng.random() < 0.01:
        title += rng.choice(MARKERS)
    return title


def perturb_journal(journal: str, rng: random.Random) -> str:
    r = rng.random()
    words = journal.replace(",", "").split()
    if r < 0.3:  # NLM style: abbreviate known words, drop little words, sometimes with dots
        dot = "." if rng.random() < 0.3 else ""
        words = [
            ABBREVIATIONS[w.capitalize()] + dot if w.capitalize() in ABBREVIATIONS else w
            for w in words
            if w.lower() not in ("of", "the", "and", "&")
        ]
        return " ".join(words)
    if r < 0.45 and any(w.rstrip(".") in EXPANSIONS for w in words):
        return " ".join(EXPANSIONS.get(w.rstrip("."), w) for w in words)
    return journal.lower() if r < 0.5 else journal


def perturb_pages(pages: str, rng: random.Random) -> str:
    match = PAGE_RANGE.fullmatch(pages)
    r = rng.random()
    if not match or r >= 0.35:
        return pages
    start, end = match.groups()
    if r < 0.1:
        return start
    if len(start) == len(end):  # "288-297" -> "288-97"
        shared = 0
        while shared < len(start) - 1 and start[shared] == end[shared]:
            shared += 1
        return f"{start}-{end[shared:]}"
    return pages


def copy_row(paper: tuple, rng: random.Random) -> list:
    """The paper as another database would export it; title words and family names never change."""
    title, authors, year, journal, volume, number, pages, doi, abstract, entrytype = paper
    title = perturb_title(title, rng)
    style = rng.randrange(5) if rng.random() < 0.7 else 0
    if rng.random() < 0.1:
        authors = tuple((fold_accents(f), fold_accents(g)) for f, g in authors)
    author = " and ".join(format_author(f, g, style) for f, g in authors)
    if isinstance(year, int) and rng.random() < 0.03:  # online vs print year
        year += rng.choice((-1, 1))
    journal = perturb_journal(journal, rng) if journal else journal
    if rng.random() < 0.1:
        volume = number = ""
    pages = "" if rng.random() < 0.1 else perturb_pages(pages, rng)
    if doi:
        r = rng.random()
        doi = "" if r < 0.3 else doi.upper() if r < 0.4 else f"https://doi.org/{doi}" if r < 0.5 else doi
    if rng.random() < 0.4:
        abstract = ""
    return [title, year, author, pages, volume, number, entrytype, journal, doi, abstract]


def canonical_row(paper: tuple) -> list:
    title, authors, year, journal, volume, number, pages, doi, abstract, entrytype = paper
    author = " and ".join(format_author(f, g, 0) for f, g in authors)
    return [title, year, author, pages, volume, number, entrytype, journal, doi, abstract]


def main(argv: list[str] | None = None) -> dict[str, int]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, required=True, help="number of records to write")
    parser.add_argument("--out-dir", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rng = random.Random(args.seed)

    seeds = load_seeds(args.shared)
    if not seeds:
        parser.error(f"no seed records under {args.shared}/data")
    rng.shuffle(seeds)  # so a small --n samples every real set
    copies: list[int] = []
    sizes, weights = list(COPY_WEIGHTS), list(COPY_WEIGHTS.values())
    remaining = args.n
    while remaining > 0:
        copies.append(min(rng.choices(sizes, weights)[0], remaining))
        remaining -= copies[-1]
    synthetic = SyntheticPapers(seeds, rng)
    papers = seeds[: len(copies)] + [synthetic.paper() for _ in range(len(copies) - len(seeds))]

    # Output order: every record slot names its paper; shuffled so duplicates are not adjacent.
    slots = [paper for paper, count in enumerate(copies) for _ in range(count)]
    rng.shuffle(slots)
    written = bytearray(len(papers))
    groups: dict[int, list[int]] = {}  # paper -> record numbers, in first-ID order
    width = max(7, len(str(args.n)))
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with (args.out_dir / "records_pre_merged.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        writer.writerow(FIELDS)
        for number, paper in enumerate(slots, start=1):
            row = copy_row(papers[paper], rng) if written[paper] else canonical_row(papers[paper])
            written[paper] = 1
            if copies[paper] > 1:
                groups.setdefault(paper, []).append(number)
            writer.writerow([f"id_{number:0{width}d}", *(BLANK if value == "" else value for value in row)])
    with (args.out_dir / "merged_record_ids.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write("merged_ids\n")  # the real sets quote every row but not this header
        writer = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerows([";".join(f"id_{n:0{width}d}" for n in members)] for members in groups.values())

    seconds = time.perf_counter() - started
    print(f"make_dedupe_scale: {len(papers)} papers, {args.n} records, {len(groups)} groups, {seconds:.1f} s", file=sys.stderr)
    return {"papers": len(papers), "records": args.n, "groups": len(groups)}


if __name__ == "__main__":
    main()
