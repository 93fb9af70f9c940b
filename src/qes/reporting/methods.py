"""Methods paragraphs written from the project's facts (a plain dict, see `services.review.review_facts`).

Every sentence states something the project holds — databases, interfaces and dates, the numbers
of the PRISMA flow, who screened and how well they agreed, the appraisal tool, the synthesis — and
nothing it does not: a fact the project lacks is left out here and shows as "still missing" in the
checklists, never as invented text. Numbers recorded for steps done outside qes are said to be so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SYNTHESIS_NAMES = {
    "line_of_argument": "a line-of-argument synthesis",
    "third_order": "third-order constructs",
    "overarching": "an overarching interpretation",
    "narrative": "a narrative synthesis",
}
TEMPLATE_NAMES = {"casp": "the CASP qualitative checklist", "jbi": "the JBI checklist for qualitative research"}
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def count_words(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else f"{n:,}"


def listing(items: Sequence[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + f" and {items[-1]}"


def _source_name(source: dict[str, Any]) -> str:
    database = source.get("database") or source.get("name") or ""
    return f"{database} ({source['interface']})" if source.get("interface") else database


def searches(facts: dict[str, Any]) -> str:
    sources = [s for s in facts.get("sources", []) if s.get("kind", "database") in ("database", "register")]
    counts = facts.get("prisma", {})
    recorded = counts.get("recorded", {})
    if not sources and "database_results" not in recorded:
        return ""
    sentences = []
    if sources:
        dates = sorted({s["searched"] for s in sources if s.get("searched")})
        when = ""
        if len(dates) == 1:
            when = f" on {dates[0]}"
        elif dates:
            when = f" between {dates[0]} and {dates[-1]}"
        sentences.append(f"Sources searched: {listing([_source_name(s) for s in sources])}{when}.")
        hits = [s for s in sources if s.get("hits") is not None]
        if hits:
            per = listing([f"{_source_name(s)} {s['hits']:,}" for s in hits])
            sentences.append(f"The databases reported {sum(s['hits'] for s in hits):,} hits ({per}).")
        with_strategy = [s for s in sources if s.get("strategy")]
        if with_strategy:
            sentences.append(
                f"The full search strategies for {count_words(len(with_strategy))} of them are given in the search log."
            )
    identified = counts.get("database_results", 0) + counts.get("register_results", 0)
    origin = " (recorded; the records themselves were not imported)" if "database_results" in recorded else ""
    sentences.append(f"The searches identified {identified:,} records{origin}.")
    other = counts.get("citations_results", 0) + counts.get("website_results", 0) + counts.get("organisation_results", 0)
    if other:
        sentences.append(f"Other methods (citation searching, websites, organisations) identified {other:,} further records.")
    return " ".join(sentences)


def _reviewers(stage: dict[str, Any]) -> str:
    n = stage.get("reviewers", 1)
    if n == 1:
        return "one reviewer"
    blind = ", independently and blind to each other's decisions," if stage.get("blind") else ""
    return f"{count_words(n)} reviewers{blind}"


def _kappa(agreement: dict[str, Any] | None) -> str:
    if not agreement or not agreement.get("pairs"):
        return ""
    parts = []
    for pair in agreement["pairs"]:
        if pair.get("kappa") is None:
            continue
        ci = ""
        if pair.get("kappa_ci_low") is not None:
            ci = f", 95% CI {pair['kappa_ci_low']:.2f} to {pair['kappa_ci_high']:.2f}"
        parts.append(f"Cohen's κ = {pair['kappa']:.2f}{ci}, over {pair['n']:,} records")
    if not parts:
        return ""
    return f" Agreement before discussion: {'; '.join(parts)}."


def screening(facts: dict[str, Any]) -> str:
    stages = facts.get("stages", [])
    counts = facts.get("prisma", {})
    if not stages and not counts.get("records_screened"):
        return ""
    members = {m["email"]: m.get("name") or m["email"] for m in facts.get("members", [])}
    sentences = []
    duplicates = counts.get("duplicates", 0)
    if duplicates:
        sentences.append(
            f"After {duplicates:,} duplicate records were removed, {counts.get('records_screened', 0):,} records were screened."
        )
    else:
        sentences.append(f"{counts.get('records_screened', 0):,} records were screened.")
    for stage in stages:
        kinds = {"titles": "titles", "abstracts": "abstracts", "title-abstract": "titles and abstracts", "fulltext": "full texts"}
        what = kinds.get(stage["kind"], stage["kind"])
        sentence = f"At the {stage['name']} stage {_reviewers(stage)} screened the {what}"
        if stage.get("reviewers", 1) > 1:
            adjudicators = [members.get(m["email"], m["email"]) for m in facts.get("members", []) if m["role"] == "adjudicator"]
            sentence += "; disagreements were resolved by " + (listing(adjudicators) if adjudicators else "discussion")
        sentences.append(sentence + "." + _kappa(stage.get("agreement")))
    for stop in counts.get("automation", []):
        sentences.append(
            f"Screening at the {stop['stage']} stage stopped by a stopping rule ({stop['description']}); "
            f"the {stop['excluded']:,} records left unread were excluded by the automation tool."
        )
    excluded = counts.get("dbr_excluded", []) + counts.get("other_excluded", [])
    assessed = counts.get("dbr_assessed", 0) + counts.get("other_assessed", 0)
    if assessed:
        reasons = listing([f"{e['n']:,} {e['reason'][:1].lower() + e['reason'][1:]}" for e in excluded])
        sentences.append(
            f"Of {assessed:,} full texts assessed, {sum(e['n'] for e in excluded):,} were excluded"
            + (f" ({reasons})" if reasons else "")
            + f" and {counts.get('total_studies', 0):,} studies were included."
        )
    if counts.get("recorded"):
        keys = ", ".join(sorted(counts["recorded"]))
        sentences.append(f"Numbers for steps done outside qes are as recorded by the team ({keys}).")
    return " ".join(sentences)


def _people(emails: Sequence[str], members: dict[str, str]) -> str:
    return listing([members.get(e, e) for e in emails])


def extraction_and_appraisal(facts: dict[str, Any]) -> str:
    s = facts.get("synthesis", {})
    sentences = []
    for form in s.get("forms", []):
        who = f"{count_words(form['people'])} reviewers independently" if form.get("people", 0) > 1 else "one reviewer"
        if form["kind"] == "extraction":
            sentence = f"Study characteristics were extracted with the form '{form['name']}' ({form['fields']} fields) by {who}"
        else:
            tool = TEMPLATE_NAMES.get(form.get("template", ""), f"the checklist '{form['name']}'")
            sentence = f"The included studies were appraised with {tool} by {who}"
        if form.get("reconciled"):
            sentence += f"; {form['reconciled']} final records were reconciled from their entries"
        sentences.append(sentence + ".")
    return " ".join(sentences)


def synthesis(facts: dict[str, Any]) -> str:
    s = facts.get("synthesis", {})
    if not s.get("codes") and not s.get("segments"):
        return ""
    members = {m["email"]: m.get("name") or m["email"] for m in facts.get("members", [])}
    sentences = []
    if s.get("documents"):
        sentences.append(f"The findings sections of {s['documents']:,} documents were read and coded in qes.")
    if s.get("segments"):
        coders = s.get("coders", [])
        by = f" by {_people(coders, members)}" if coders else ""
        sentences.append(
            f"{s['segments']:,} segments were coded{by}: {s.get('quotes', 0):,} participant quotations (first-order) and "
            f"{s.get('interpretations', 0):,} author interpretations (second-order)."
        )
    if s.get("codes"):
        framework = f", starting from the {listing(s['frameworks'])} framework" if s.get("frameworks") else ""
        sentences.append(f"The codebook holds {s['codes']:,} codes under {s.get('themes', 0):,} top-level themes{framework}.")
    if s.get("grid_cells"):
        sentences.append(
            f"Studies were translated into one another in a grid of {s['grid_cells']:,} concept–study cells "
            f"({s.get('reciprocal', 0):,} reciprocal, {s.get('refutational', 0):,} refutational translations)."
        )
    kinds = [SYNTHESIS_NAMES.get(k, k) for k in s.get("syntheses", {})]
    if kinds:
        sentences.append(f"The synthesis is expressed as {listing(kinds)}.")
    if s.get("findings"):
        sentences.append(
            f"Confidence in {s['findings']:,} review findings was assessed with GRADE-CERQual "
            f"({s.get('findings_rated', 0):,} with an overall rating)."
        )
    return " ".join(sentences)


# Text only the authors can write (checklist items no data can meet): key → (heading, where it goes).
WRITTEN = {
    "rationale": "Rationale and context",
    "method_rationale": "Why this synthesis method",
    "searching": "Approach to searching",
    "appraisal_rationale": "Rationale for appraisal",
    "derivation": "Derivation of themes",
    "limitations": "Strengths, limitations and reflexivity",
    "recommendations": "Recommendations and conclusions",
}
BEFORE_METHODS = ("rationale", "method_rationale", "searching")


def written(facts: dict[str, Any], keys: tuple[str, ...]) -> list[tuple[str, str]]:
    text = facts.get("report_text") or {}
    return [(WRITTEN[k], str(text[k])) for k in keys if text.get(k)]


def methods_paragraphs(facts: dict[str, Any]) -> list[tuple[str, str]]:
    """(heading, paragraph) pairs, in manuscript order; sections without facts are left out.

    The team's own text (`report_text`, see `WRITTEN`) comes first where it introduces the methods,
    then the paragraphs written from the project's facts, then the rest of the team's text.
    """
    sections = [
        *written(facts, BEFORE_METHODS),
        ("Searches", searches(facts)),
        ("Screening and selection", screening(facts)),
        ("Data extraction and appraisal", extraction_and_appraisal(facts)),
        ("Coding and synthesis", synthesis(facts)),
    ]
    software = facts.get("software")
    if software:
        sections.append(
            ("Software", f"Records, screening, coding and the tables and figures of this report were managed in {software}.")
        )
    sections += written(facts, tuple(k for k in WRITTEN if k not in BEFORE_METHODS))
    return [(heading, text) for heading, text in sections if text]
