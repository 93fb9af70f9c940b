"""Built-in extraction forms (the two seed reviews' Table 1, a generic qualitative form) and the
registry of every built-in template, checklists included, by the name `qes form add` takes."""

from __future__ import annotations

from qes.errors import UserError
from qes.extraction.checklists import CHECKLISTS
from qes.extraction.fields import Field, FormTemplate

# Review 000 (reciprocity; conceptual review): Table 1 "Study characteristics and identified
# conceptualisations of reciprocity", plus the components its synthesis draws on.
REVIEW000_TABLE1 = FormTemplate(
    name="review000-table1",
    title="Study characteristics and conceptualisations of reciprocity",
    kind="extraction",
    source="Review 000, Table 1 (authors, year, country, participants/setting, methods, conceptualisation)",
    fields=(
        Field("authors", "Authors", "text", (), "All authors as the paper lists them: 'Beeber & Caldwell'.", True),
        Field("year", "Year", "number", (), "Year of publication.", True),
        Field("country", "Country", "country", (), "Where the study was done (several: 'Italy; USA')."),
        Field("participants_setting", "Participants / Setting", "long_text", (), "Who took part, how many, and where."),
        Field("methods", "Methods", "long_text", (), "Data collection and analysis."),
        Field(
            "conceptualisation",
            "Conceptualization of reciprocity",
            "long_text",
            (),
            "How the paper conceptualises reciprocity in the professional - service user encounter.",
        ),
        Field(
            "behavioural_components",
            "Behavioural components",
            "long_text",
            (),
            "What people do that makes the relationship reciprocal (giving and taking, sharing, agreeing).",
        ),
        Field(
            "psychological_components",
            "Psychological components",
            "long_text",
            (),
            "What people feel or recognise (shared affect, being seen as a fellow human being).",
        ),
    ),
)

# Review 001 (helpful relationships; meta-ethnography): Table 1 "Description of the included
# studies" — Citation (the study's label), Country, Aim, Design, Context, Participants.
REVIEW001_TABLE1 = FormTemplate(
    name="review001-table1",
    title="Description of the included studies",
    kind="extraction",
    source="Review 001, Table 1 (citation, country, aim, design, context, participants)",
    fields=(
        Field("country", "Country", "country", (), "Several countries for a multinational study.", True),
        Field("aim", "Aim", "long_text", (), "The study's aim as its authors state it.", True),
        Field("design", "Design", "long_text", (), "Methodology and data collection ('Grounded theory; interviews')."),
        Field("context", "Context", "long_text", (), "Setting and services."),
        Field("participants", "Participants", "long_text", (), "Number, diagnoses, gender, age."),
    ),
)

QUALITATIVE = FormTemplate(
    name="qualitative",
    title="Qualitative study characteristics",
    kind="extraction",
    source="A generic form for qualitative evidence synthesis (ENTREQ items 8-13)",
    fields=(
        Field("aim", "Aim", "long_text", (), "The study's aim or research question.", True),
        Field("country", "Country", "country"),
        Field("setting", "Setting", "long_text", (), "Services, place, time."),
        Field("participants", "Participants", "long_text", (), "Who took part: characteristics and perspective."),
        Field("sample_size", "Number of participants", "number"),
        Field(
            "methodology",
            "Methodology",
            "choice",
            (
                "Phenomenology",
                "Interpretative phenomenological analysis",
                "Grounded theory",
                "Ethnography",
                "Thematic analysis",
                "Narrative",
                "Case study",
                "Discourse analysis",
                "Mixed methods",
                "Other",
            ),
        ),
        Field(
            "data_collection",
            "Data collection",
            "multi_choice",
            ("Individual interviews", "Focus groups", "Observation", "Documents", "Recorded sessions", "Other"),
        ),
        Field("analysis", "Analysis", "text", (), "The analytic method named by the authors."),
        Field("perspective", "Whose perspective", "choice", ("Service users", "Professionals", "Both", "Other")),
        Field("findings", "Main findings", "long_text", (), "The themes or findings the authors report."),
    ),
)

EXTRACTION_TEMPLATES = {t.name: t for t in (REVIEW000_TABLE1, REVIEW001_TABLE1, QUALITATIVE)}
TEMPLATES: dict[str, FormTemplate] = {**EXTRACTION_TEMPLATES, **CHECKLISTS}


def get_template(name: str) -> FormTemplate:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise UserError(f"no built-in template {name!r}; choose one of {', '.join(TEMPLATES)}") from None
