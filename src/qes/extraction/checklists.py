"""Built-in appraisal checklists: CASP Qualitative and JBI Qualitative Research, as form data.

Question wording follows the published checklists (CASP Qualitative Studies Checklist, 2018;
JBI Critical Appraisal Checklist for Qualitative Research, 2017/2020), with their answer options.
CASP's last question ("How valuable is the research?") is answered in words, not Yes/No, as on
the printed form. Each checklist ends with a free comment; JBI with its overall appraisal.
"""

from __future__ import annotations

from qes.extraction.fields import Field, FormTemplate

CASP_ANSWERS = ("Yes", "No", "Can't tell")
JBI_ANSWERS = ("Yes", "No", "Unclear", "Not applicable")
JBI_OVERALL = ("Include", "Exclude", "Seek further info")


def _casp(number: int, question: str, hint: str) -> Field:
    return Field(f"q{number}", f"{number}. {question}", "choice", CASP_ANSWERS, hint, required=True)


CASP_QUALITATIVE = FormTemplate(
    name="casp-qualitative",
    title="CASP Qualitative Studies Checklist",
    kind="appraisal",
    source="Critical Appraisal Skills Programme (2018). CASP Qualitative Studies Checklist.",
    notes=(
        "Section A (questions 1-6): are the results valid? Section B (7-9): what are the results? "
        "Section C (10): will the results help locally?",
        "Questions 1 and 2 are screening questions: if both are answered No, the rest need not be.",
    ),
    fields=(
        _casp(
            1,
            "Was there a clear statement of the aims of the research?",
            "Consider: what was the goal of the research; why it was thought important; its relevance.",
        ),
        _casp(
            2,
            "Is a qualitative methodology appropriate?",
            "Consider: does the research seek to interpret or illuminate the actions and/or subjective experiences "
            "of participants; is qualitative research the right methodology for the research goal?",
        ),
        _casp(
            3,
            "Was the research design appropriate to address the aims of the research?",
            "Consider: has the researcher justified the research design (e.g. discussed how they decided which method to use)?",
        ),
        _casp(
            4,
            "Was the recruitment strategy appropriate to the aims of the research?",
            "Consider: is it explained how participants were selected and why they were the most appropriate to give "
            "access to the knowledge sought; is there discussion of recruitment (e.g. why some chose not to take part)?",
        ),
        _casp(
            5,
            "Was the data collected in a way that addressed the research issue?",
            "Consider: is the setting justified; is it clear how data were collected (interviews, focus groups ...) and "
            "in what form (recordings, notes); are methods justified and explicit (e.g. a topic guide); were they "
            "modified during the study, and why; is saturation of data discussed?",
        ),
        _casp(
            6,
            "Has the relationship between researcher and participants been adequately considered?",
            "Consider: did the researcher critically examine their own role, potential bias and influence while "
            "formulating the questions and collecting data (recruitment, choice of location); how did they respond to "
            "events during the study?",
        ),
        _casp(
            7,
            "Have ethical issues been taken into consideration?",
            "Consider: are there enough details of how the research was explained to participants; are issues raised "
            "by the study discussed (informed consent, confidentiality, effects on participants); was ethics committee "
            "approval sought?",
        ),
        _casp(
            8,
            "Was the data analysis sufficiently rigorous?",
            "Consider: is the analysis described in depth; if thematic, is it clear how themes were derived from the "
            "data; is it explained how the data presented were selected; are enough data presented to support the "
            "findings; are contradictory data taken into account; did the researcher examine their own influence?",
        ),
        _casp(
            9,
            "Is there a clear statement of findings?",
            "Consider: are the findings explicit; is the evidence for and against the researcher's arguments discussed; "
            "is their credibility discussed (triangulation, respondent validation, more than one analyst); are they "
            "discussed in relation to the original question?",
        ),
        Field(
            "q10",
            "10. How valuable is the research?",
            "long_text",
            (),
            "Consider: the contribution to existing knowledge or understanding (practice, policy, research "
            "literature); new areas where research is needed; whether and how the findings transfer to other "
            "populations or could be used in other ways.",
        ),
        Field("comments", "Comments", "long_text", (), "Anything the answers above do not say."),
    ),
)


def _jbi(number: int, question: str, hint: str = "") -> Field:
    return Field(f"q{number}", f"{number}. {question}", "choice", JBI_ANSWERS, hint, required=True)


JBI_QUALITATIVE = FormTemplate(
    name="jbi-qualitative",
    title="JBI Critical Appraisal Checklist for Qualitative Research",
    kind="appraisal",
    source="Lockwood C, Munn Z, Porritt K (2015); JBI Critical Appraisal Checklist for Qualitative Research.",
    fields=(
        _jbi(1, "Is there congruity between the stated philosophical perspective and the research methodology?"),
        _jbi(2, "Is there congruity between the research methodology and the research question or objectives?"),
        _jbi(3, "Is there congruity between the research methodology and the methods used to collect data?"),
        _jbi(4, "Is there congruity between the research methodology and the representation and analysis of data?"),
        _jbi(5, "Is there congruity between the research methodology and the interpretation of results?"),
        _jbi(
            6,
            "Is there a statement locating the researcher culturally or theoretically?",
            "The researcher's beliefs and values, and their potential influence on the study, should be declared.",
        ),
        _jbi(7, "Is the influence of the researcher on the research, and vice-versa, addressed?"),
        _jbi(
            8,
            "Are participants, and their voices, adequately represented?",
            "Typically, participants' own words are quoted so the reader can judge the interpretations.",
        ),
        _jbi(
            9,
            "Is the research ethical according to current criteria or, for recent studies, is there evidence of ethical "
            "approval by an appropriate body?",
        ),
        _jbi(
            10,
            "Do the conclusions drawn in the research report flow from the analysis, or interpretation, of the data?",
        ),
        Field("overall", "Overall appraisal", "choice", JBI_OVERALL, "Include, exclude, or seek further information.", True),
        Field("comments", "Comments", "long_text", (), "Including the reason for exclusion."),
    ),
)

CHECKLISTS = {t.name: t for t in (CASP_QUALITATIVE, JBI_QUALITATIVE)}
