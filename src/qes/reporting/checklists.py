"""ENTREQ (Tong et al. 2012, 21 items) and eMERGe (France et al. 2019, 19 items) as data, each item
checked against the project's facts (the dict of `services.review.review_facts`).

An item is *met* when the project holds what the item asks for, and the check says where the
report shows it ("Methods: Searches", "Figure 1", "Table 1"). What only the authors can write
(rationale, reflexivity, recommendations) is never marked met from data: it shows "still missing"
with what to add, until the team writes it (`report_text` in the facts, from the project settings).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Check = Callable[[dict[str, Any]], str | None]  # where the report meets the item, or None


@dataclass(frozen=True)
class Item:
    number: int
    topic: str
    asks: str
    check: Check
    missing: str  # what to add when not met


@dataclass(frozen=True)
class ItemResult:
    checklist: str
    number: int
    topic: str
    asks: str
    met: bool
    where: str  # where met, or "still missing: ..."


def _text(key: str, where: str) -> Check:
    """Met when the team has written this item's text (`qes report text KEY TEXT`, project settings `report_text`)."""
    return lambda f: where if (f.get("report_text") or {}).get(key) else None


def _question(f: dict[str, Any]) -> str | None:
    return "Methods: review question" if f.get("question") else None


def _synthesis_method(f: dict[str, Any]) -> str | None:
    s = f.get("synthesis", {})
    if s.get("syntheses") or s.get("grid_cells") or s.get("frameworks"):
        return "Methods: Coding and synthesis"
    return None


def _searches(f: dict[str, Any]) -> str | None:
    return "Methods: Searches; search log" if f.get("sources") else None


def _strategies(f: dict[str, Any]) -> str | None:
    sources = f.get("sources", [])
    return "Search log (strategy per database)" if sources and all(s.get("strategy") for s in sources) else None


def _dates(f: dict[str, Any]) -> str | None:
    sources = f.get("sources", [])
    return "Methods: Searches; search log" if sources and all(s.get("searched") for s in sources) else None


def _criteria(f: dict[str, Any]) -> str | None:
    return "Methods: criteria" if f.get("criteria") else None


def _screening(f: dict[str, Any]) -> str | None:
    return "Methods: Screening and selection" if f.get("stages") else None


def _flow(f: dict[str, Any]) -> str | None:
    p = f.get("prisma", {})
    return (
        "Figure 1 (PRISMA 2020 flow diagram); excluded full texts table"
        if p.get("records_screened") or p.get("recorded")
        else None
    )


def _table(name: str, where: str) -> Check:
    return lambda f: where if name in f.get("tables", []) else None


def _appraisal(f: dict[str, Any]) -> list[dict[str, Any]]:
    return [form for form in f.get("synthesis", {}).get("forms", []) if form["kind"] == "appraisal"]


def _appraisal_tool(f: dict[str, Any]) -> str | None:
    return "Methods: Data extraction and appraisal" if _appraisal(f) else None


def _appraisal_process(f: dict[str, Any]) -> str | None:
    return "Methods: Data extraction and appraisal" if any(form.get("people", 0) > 1 for form in _appraisal(f)) else None


def _appraisal_results(f: dict[str, Any]) -> str | None:
    return "Appraisal summary per study" if any(form.get("reconciled") for form in _appraisal(f)) else None


def _extraction(f: dict[str, Any]) -> str | None:
    s = f.get("synthesis", {})
    return "Methods: Coding and synthesis" if s.get("documents") and s.get("segments") else None


def _software(f: dict[str, Any]) -> str | None:
    return "Methods: Software" if f.get("software") else None


def _coders(f: dict[str, Any]) -> str | None:
    return "Methods: Coding and synthesis" if f.get("synthesis", {}).get("coders") else None


def _coding(f: dict[str, Any]) -> str | None:
    s = f.get("synthesis", {})
    return "Methods: Coding and synthesis (codebook)" if s.get("codes") and s.get("segments") else None


def _comparison(f: dict[str, Any]) -> str | None:
    s = f.get("synthesis", {})
    if s.get("grid_cells"):
        return "Translation grid"
    return "Themes × studies matrix (Table 2)" if "matrix" in f.get("tables", []) else None


def _derivation(f: dict[str, Any]) -> str | None:
    s = f.get("synthesis", {})
    if s.get("frameworks"):
        return "Methods: Coding and synthesis (deductive, from a framework)"
    return None


def _quotes(f: dict[str, Any]) -> str | None:
    s = f.get("synthesis", {})
    return "Coded segments: participant quotations and author interpretations kept apart" if s.get("quotes") else None


def _output(f: dict[str, Any]) -> str | None:
    s = f.get("synthesis", {})
    if s.get("syntheses"):
        return "Synthesis text (line of argument / third-order constructs / narrative)"
    return "Summary of Qualitative Findings" if "soqf" in f.get("tables", []) else None


def _related(f: dict[str, Any]) -> str | None:
    return "Translation grid" if f.get("synthesis", {}).get("grid_cells") else None


def _translation(f: dict[str, Any]) -> str | None:
    s = f.get("synthesis", {})
    return "Translation grid (reciprocal / refutational)" if s.get("reciprocal") or s.get("refutational") else None


ENTREQ: tuple[Item, ...] = (
    Item(
        1,
        "Aim",
        "State the research question the synthesis addresses.",
        _question,
        "set the review question (qes protocol set --question)",
    ),
    Item(
        2,
        "Synthesis methodology",
        "Identify the synthesis methodology or framework and the rationale for it.",
        _synthesis_method,
        "record the synthesis (grid, syntheses) and write the rationale",
    ),
    Item(
        3,
        "Approach to searching",
        "Pre-planned comprehensive or iterative search.",
        _text("searching", "Methods: Approach to searching"),
        "say whether the search was pre-planned or iterative",
    ),
    Item(4, "Inclusion criteria", "Specify the inclusion/exclusion criteria.", _criteria, "add the criteria (qes criterion add)"),
    Item(
        5,
        "Data sources",
        "Describe the information sources used and when the searches were conducted.",
        _dates,
        "record each database and the date searched",
    ),
    Item(
        6,
        "Electronic search strategy",
        "Describe the literature search (strategies, filters, limits).",
        _strategies,
        "attach the strategy text to every database",
    ),
    Item(
        7,
        "Study screening methods",
        "Describe screening (title, abstract, full text; number of independent reviewers).",
        _screening,
        "define the screening stages",
    ),
    Item(
        8,
        "Study characteristics",
        "Present the characteristics of the included studies.",
        _table("studies", "Table 1"),
        "extract study characteristics (Table 1)",
    ),
    Item(
        9,
        "Study selection results",
        "Number of studies screened and reasons for exclusion (flowchart).",
        _flow,
        "screen, or record the PRISMA numbers",
    ),
    Item(
        10,
        "Rationale for appraisal",
        "Describe the rationale and approach to appraisal.",
        _text("appraisal_rationale", "Methods: Rationale for appraisal"),
        "write why and how studies were appraised",
    ),
    Item(
        11,
        "Appraisal items",
        "State the tools, frameworks and criteria used to appraise the studies.",
        _appraisal_tool,
        "appraise with a checklist (CASP, JBI or your own)",
    ),
    Item(
        12,
        "Appraisal process",
        "Whether appraisal was done independently by more than one reviewer.",
        _appraisal_process,
        "two appraisers per study",
    ),
    Item(
        13, "Appraisal results", "Present the results of the quality assessment.", _appraisal_results, "reconcile the appraisals"
    ),
    Item(
        14,
        "Data extraction",
        "Which sections of the primary studies were analysed and how data were extracted.",
        _extraction,
        "add the studies' documents and code them",
    ),
    Item(15, "Software", "State the computer software used.", _software, "name the software"),
    Item(
        16,
        "Number of reviewers",
        "Identify who was involved in coding and analysis.",
        _coders,
        "code segments (each coder is recorded)",
    ),
    Item(17, "Coding", "Describe the process for coding of data.", _coding, "build the codebook and code the findings"),
    Item(
        18,
        "Study comparison",
        "Describe how comparisons were made within and across studies.",
        _comparison,
        "build the matrix or the translation grid",
    ),
    Item(
        19,
        "Derivation of themes",
        "Whether deriving themes was inductive or deductive.",
        lambda f: _derivation(f) or _text("derivation", "Methods: Derivation of themes")(f),
        "say whether themes were derived inductively or deductively",
    ),
    Item(
        20,
        "Quotations",
        "Provide quotations, identified as participants' or authors'.",
        _quotes,
        "code participant quotations (first-order)",
    ),
    Item(
        21,
        "Synthesis output",
        "Present results that go beyond a summary of the primary studies.",
        _output,
        "write the line of argument / third-order constructs",
    ),
)

EMERGE: tuple[Item, ...] = (
    Item(
        1,
        "Rationale and context for the meta-ethnography",
        "Describe the gap in research or knowledge the synthesis fills.",
        _text("rationale", "Rationale and context"),
        "write the rationale and context",
    ),
    Item(2, "Aim(s) of the meta-ethnography", "Describe the aim(s).", _question, "set the review question"),
    Item(
        3,
        "Focus of the meta-ethnography",
        "Describe the question(s) or focus and how it changed.",
        _question,
        "set the review question",
    ),
    Item(
        4,
        "Rationale for using meta-ethnography",
        "Explain why meta-ethnography was chosen.",
        _text("method_rationale", "Why this synthesis method"),
        "write why meta-ethnography was chosen",
    ),
    Item(
        5,
        "Search strategy",
        "Describe the rationale for the literature search strategy.",
        _strategies,
        "attach the strategy text to every database",
    ),
    Item(
        6,
        "Search processes",
        "Describe how the literature searching was carried out and by whom.",
        _dates,
        "record each database and the date searched",
    ),
    Item(
        7,
        "Selecting primary studies",
        "Describe the process of study screening and selection, and who was involved.",
        _screening,
        "define the screening stages",
    ),
    Item(
        8,
        "Outcome of study selection",
        "Describe the results of study searches and screening.",
        _flow,
        "screen, or record the PRISMA numbers",
    ),
    Item(
        9,
        "Reading and data selection",
        "Describe the reading and data selection process.",
        _extraction,
        "add the studies' documents and code them",
    ),
    Item(
        10,
        "Presenting characteristics of included studies",
        "Describe characteristics of the included studies.",
        _table("studies", "Table 1"),
        "extract study characteristics (Table 1)",
    ),
    Item(
        11,
        "Process for determining how studies are related",
        "Describe the methods and processes for determining how studies are related.",
        _related,
        "fill the translation grid",
    ),
    Item(12, "Outcome of relating studies", "Describe how studies relate to each other.", _related, "fill the translation grid"),
    Item(
        13,
        "Process of translating studies",
        "Describe the methods of translation (reciprocal, refutational).",
        _translation,
        "mark grid cells reciprocal or refutational",
    ),
    Item(
        14,
        "Outcome of translation",
        "Describe the interpretive findings of the translation.",
        _table("grid", "Translation grid"),
        "fill the translation grid",
    ),
    Item(
        15,
        "Synthesis process",
        "Describe the methods used to develop overarching concepts (synthesised translations).",
        lambda f: "Methods: Coding and synthesis" if f.get("synthesis", {}).get("syntheses") else None,
        "write the line of argument / third-order constructs",
    ),
    Item(
        16,
        "Outcome of synthesis process",
        "Describe the new theory, conceptual framework, model or interpretation.",
        _output,
        "write the line of argument / third-order constructs",
    ),
    Item(
        17,
        "Summary of findings",
        "Summarise the main interpretive findings and compare them with existing literature.",
        _table("soqf", "Summary of Qualitative Findings"),
        "rate the review findings (GRADE-CERQual)",
    ),
    Item(
        18,
        "Strengths, limitations, and reflexivity",
        "Reflect on the strengths and limitations, and on reflexivity.",
        _text("limitations", "Strengths, limitations and reflexivity"),
        "write strengths, limitations and reflexivity",
    ),
    Item(
        19,
        "Recommendations and conclusions",
        "Describe the implications for policy, practice or research.",
        _text("recommendations", "Recommendations and conclusions"),
        "write recommendations and conclusions",
    ),
)

CHECKLISTS = {"ENTREQ": ENTREQ, "eMERGe": EMERGE}


def assess(name: str, facts: dict[str, Any]) -> list[ItemResult]:
    results = []
    for item in CHECKLISTS[name]:
        where = item.check(facts)
        text = where if where else f"still missing: {item.missing}"
        results.append(ItemResult(name, item.number, item.topic, item.asks, where is not None, text))
    return results
