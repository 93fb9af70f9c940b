# ruff: noqa: E501  (data: the papers' sentences, not re-wrapped to the line limit)
"""The two seed reviews' frameworks as data, for framework synthesis or for coding new material against them.

Every definition is the paper's own words: sentences (or runs of a sentence) from its Results, citations
left out; where a definition joins two separate passages they are separated by " … ". The tests check each
passage against the paper's text.

- ``reciprocity``: review 000 (the reciprocity conceptual review, narrative synthesis): four conceptions of
  reciprocity in professional – service user encounters, each with the behavioural and psychological
  components the paper presents alongside it.
- ``helpful-relationships``: review 001 (Ljungberg, Denhov & Topor 2015, meta-ethnography): ten themes with
  their concepts/metaphors (its Table 2) and the two dimensions of its overarching interpretation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class FrameworkCode:
    name: str
    kind: str  # theme | concept | component | code | dimension
    definition: str
    children: tuple[FrameworkCode, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class Framework:
    name: str
    title: str
    source: str
    codes: tuple[FrameworkCode, ...]  # top level: the themes, then (helpful relationships) the dimensions

    def walk(self) -> Iterator[tuple[FrameworkCode | None, FrameworkCode]]:
        """Every code with its parent, depth first, in the paper's order."""

        def visit(parent: FrameworkCode | None, codes: tuple[FrameworkCode, ...]) -> Iterator:
            for code in codes:
                yield parent, code
                yield from visit(code, code.children)

        yield from visit(None, self.codes)

    @property
    def themes(self) -> tuple[FrameworkCode, ...]:
        return tuple(c for c in self.codes if c.kind == "theme")


def _c(name: str, definition: str, kind: str = "code", notes: str = "") -> FrameworkCode:
    return FrameworkCode(name, kind, definition, notes=notes)


def _group(name: str, *children: FrameworkCode, notes: str = "") -> FrameworkCode:
    return FrameworkCode(name, "component", "", children, notes)


_UNLABELLED = "The paper does not name this component's type; qes files it here by its content."

RECIPROCITY = Framework(
    name="reciprocity",
    title="Conceptions of reciprocity in professional – service user encounters",
    source="Review 000: reciprocity in professional mental health care relationships (narrative synthesis), Results",
    codes=(
        FrameworkCode(
            "Dynamic equilibrium",
            "theme",
            "reciprocity in professional mental health care was conceptually understood as the presence of shared "
            "interactions or shared exchanges, where the professional and service user behave and respond to each other. "
            "Although both parties may not have the same understanding or subjective experience of the exchange at any "
            "given moment, they share behaviours and reactions at an equal and constant rate, akin to dynamic equilibrium.",
            (
                _group(
                    "Behavioural components",
                    _c(
                        "Sharing experiences and doing tasks together",
                        "sharing experiences and doing tasks and activities together",
                    ),
                    _c(
                        "Involving service users in decisions and tasks",
                        "involving service users in decision-making processes, as well as depending on service users to take "
                        "responsibility and complete tasks in the absence of supervising staff",
                    ),
                    _c(
                        "Dialogue over monologue",
                        "Conversations in these interactions involved the sharing of common ground in talk, and defining problems "
                        "and goals in a collaborative way, with a focus on dialogue over monologue",
                    ),
                    _c(
                        "Listening to the other as expert",
                        "Professionals and service users in reciprocal relationships were also willing to listen to the opinions "
                        "and perspectives of the other, as expert and insightful, with professionals consulting with service users "
                        "during an episode of care and reaching agreement on aspects of treatment",
                    ),
                    _c(
                        "Open and honest communication",
                        "communication style reflected a combination of open and honest dialogue with a willingness to listen to "
                        "the views and stated preferences of the other.",
                    ),
                ),
                _group(
                    "Psychological components",
                    _c(
                        "Mutual trust",
                        "the development of a mutually trusting relationship over time was viewed as a prerequisite for "
                        "reciprocity in the professional – service user relationship",
                    ),
                    _c(
                        "Reciprocal obligations",
                        "Related to this was the role of obligations and expectations in reciprocal encounters. In order to fulfil "
                        "the needs of both the professional and the service user in a dynamic equilibrium negotiating behaviours, "
                        "such as compromises and deal-making, were also used and defined as ‘reciprocal obligations’.",
                    ),
                ),
            ),
        ),
        FrameworkCode(
            "Shared affect",
            "theme",
            "conveying shared affect, with a certain level of emotional involvement mutually expressed, addressed, and "
            "understood for reciprocity … The shared affect in the professional mental health care relationship entailed a "
            "balanced approach to emotional involvement by having as much concern for oneself as for the other, but also "
            "maintaining a distinct sense of self from the other at the same time",
            (
                _group(
                    "Psychological components",
                    _c(
                        "Empathy, non-judgemental reflection and acceptance",
                        "Empathy, non-judgemental reflection, and acceptance of the service user’s feelings from the perspective "
                        "of the professional in the mental health care relationship were identified as the main psychological "
                        "components for obtaining the shared affect in reciprocity",
                    ),
                    _c(
                        "Relief from anxiety",
                        "driven by a desire to reduce or avoid anxiety, where these reciprocal interactions give relief from anxiety",
                    ),
                ),
                _group(
                    "Behavioural components",
                    _c(
                        "Sharing emotive experiences and personal information",
                        "Conversations that consisted of sharing emotive experiences, such as personal shortcomings and happy "
                        "occasions, or sharing personal information were regarded as part of the process for reducing the "
                        "emotional distance needed for reciprocity",
                    ),
                    _c(
                        "Willingness to affect and be affected",
                        "Open conversations encouraged a willingness to affect and to be affected by the other that gives both "
                        "parties the courage and care to challenge each other",
                    ),
                ),
            ),
        ),
        FrameworkCode(
            "Asymmetric alliance",
            "theme",
            "Reciprocity was conceptually understood as an alliance, as opposed to a partnership, because of the asymmetry "
            "of one being the care giver and the other being the care recipient. However, this asymmetric alliance was not "
            "on the grounds of one person being the expert and the other being the lay person in the relationship",
            (
                _group(
                    "Behavioural components",
                    _c(
                        "Shared decision-making",
                        "The professional may guide the consultation with the service user, but decision-making had to be shared "
                        "with the service user throughout the encounter for reciprocity to be regarded as asymmetric alliance",
                    ),
                    notes=_UNLABELLED,
                ),
                _group(
                    "Psychological components",
                    _c(
                        "Equality adjusted to the situation",
                        "what was considered as equal or fair had to be adjusted for the particular situation. In principle, the "
                        "professional and service user are considered equals, but this does not entail an equal sharing or ‘like "
                        "for like’ exchange in practice",
                    ),
                    notes=_UNLABELLED,
                ),
            ),
        ),
        FrameworkCode(
            "Recognition as a fellow human being",
            "theme",
            "the reciprocity between mental health professionals and service users as based on the recognition of each other "
            "as a fellow human being, with the same value and rights to promote their own interests and to share experiences "
            "… The basis of the reciprocal relationship in this conceptualization is shared equality as fellow human beings, "
            "and not on the basis of one being a mental health care professional and the other a service user.",
            (
                _group(
                    "Psychological components",
                    _c(
                        "Respect and value as a fellow human being",
                        "The main component within this conceptualization is the respect and value given to the other as a fellow "
                        "human being, with no superiority given to one over the other in terms of status",
                    ),
                    notes=_UNLABELLED,
                ),
                _group(
                    "Behavioural components",
                    _c(
                        "Conversational, everyday talk",
                        "Behaviourally, the verbal interactions were conversational in style and less goal-oriented, with a focus "
                        "on everyday matters and sharing of personal information with no emotional distance.",
                    ),
                    _c(
                        "Professional friendship",
                        "Although termed as a ‘professional friendship’ in one of the studies, this reciprocal relationship had "
                        "greater limits than a ‘private friendship’",
                    ),
                ),
            ),
        ),
    ),
)


def _theme(name: str, definition: str, *concepts: tuple[str, str]) -> FrameworkCode:
    return FrameworkCode(name, "theme", definition, tuple(FrameworkCode(n, "concept", d) for n, d in concepts))


HELPFUL_RELATIONSHIPS = Framework(
    name="helpful-relationships",
    title="The art of helpful relationships with professionals",
    source="Review 001: Ljungberg, Denhov & Topor (2015), meta-ethnography, Table 2 and Results",
    codes=(
        _theme(
            "To know and to trust",
            "This first theme reflects components of the relationship that can be understood as basic in the establishment "
            "of a relationship.",
            (
                "Know",
                "Individuals in the studies say they find it helpful if they know the professionals they meet, and if the "
                "professionals know them and are familiar with their situation.",
            ),
            (
                "Trust",
                "trust is a concept used to describe relationships with professionals that are helpful. This entails to "
                "feel trust in professionals, as well as having mutual trust in the relationship, where the trusted professional "
                "trusts the individual in return.",
            ),
        ),  # fmt: skip
        _theme(
            "Time and availability",
            "For the relationship with professionals to be helpful to individuals, there is a need for time and space to be "
            "provided within it.",
            (
                "Long-lasting relationships",
                "One basic, helpful component is the opportunity of having long-term relationships; "
                "something that is described as providing continuity and consistency.",
            ),
            (
                "Sufficient time",
                "It is also appreciated to have sufficient time for helpful processes and actions to take place.",
            ),
            (
                "Availability",
                "for professionals to be physically available, to be accessible and acknowledge requests when they "
                "occur and be able to help when challenges arise is described as helpful.",
            ),
            (
                "Affective availability",
                "This pertains to the fact that a professional is available for the individual because "
                "s/he cares about them, being there as a person for them.",
            ),
        ),  # fmt: skip
        _theme(
            "Advantages tied to the professional position",
            "Several helpful components can be described as connected to the professional position in itself.",
            (
                "Holder and provider of competence, skills and knowledge",
                "Professionals are appreciated as helpful by individuals "
                "by being a holder and provider of knowledge, competence and skills tied to the professional role. Moreover, "
                "professionals can serve as an important source of information for individuals.",
            ),
            (
                "Distinctive role in relation to social network",
                "professionals play a distinctive role in relation to others in "
                "the social network, and the relationship with professionals is described as distinctive from personal "
                "friendships.",
            ),
            (
                "Authority in relation to other professionals and organizations",
                "The professional position also entails a "
                "certain position in relation to other organizations and professionals. This can be of help to individuals by "
                "making the professional capable of claiming or mediating resources or support to them.",
            ),
        ),  # fmt: skip
        _theme(
            "Provider of support",
            "Participants in the included studies express appreciation for the concrete support that professionals have "
            "provided in terms of help with medication, practical, everyday life support, support directed at the individuals' "
            "social life, and particularly support that is experienced as related to their life as a whole and not narrowly "
            "focused on mental illness.",
            (
                "Provider of support",
                "the concrete support that professionals have provided in terms of help with medication, "
                "practical, everyday life support",
            ),
            (
                "Helping individuals to look and move forward",
                "The supportive role of professionals can entail giving positive "
                "feedback, helping individuals to look and move forward, encouraging them to reach established goals, and "
                "conveying hope about the success of treatment and for the future.",
            ),
            (
                "A secure and stable person in troubled times",
                "This supportive role can also mean being a secure and stable "
                "person in troubled times, being there to help, being someone to lean on in times of crisis, and being calm and "
                "confident when individuals experience distress.",
            ),
        ),  # fmt: skip
        _theme(
            "Someone to be with and talk to",
            "An elaborate part of the appreciated support can be understood as being someone that individuals can be with and "
            "talk to.",
            (
                "Company",
                "The company of professionals is something that is described as positive by participants—'company of "
                "professionals' meaning having someone to be with or doing social things with.",
            ),
            (
                "Talk",
                "Talk is something that is cited as helpful in a number of ways. Talking to professionals is by itself "
                "appreciated.",
            ),
            (
                "Listen",
                "for the professional to listen to the individual is appreciated in itself and just telling someone "
                'about matters that are on their mind is described as helpful since it has a "venting" function.',
            ),
        ),  # fmt: skip
        _theme(
            "Working together to see to the needs of the individual",
            "For the relationship with professionals to be helpful, the priorities and needs of the individual should be the "
            "focus of the relationship and of the provision of support",
            (
                "Flexibility and sensitivity",
                "professionals should be flexible and sensitive in relation to the individual's own "
                "view of his or her situation and preferences",
            ),
            (
                "Working together",
                "To have actual influence over the support and treatment provided through the relationship, "
                "working actively on the therapeutic agenda rather than being passive receivers of care is also something that "
                "is described as helpful.",
            ),
            (
                "Share decisions",
                "To share decisions within the relationship is described as an important part of gaining "
                "influence and cooperating with the professional.",
            ),
        ),  # fmt: skip
        _theme(
            "Being recognized as human being",
            "To be allowed to be more than a user, patient, diagnosis or a crazy person is something that is helpful to "
            "individuals diagnosed with a SMI.",
            ("Treated as a human being", "It is helpful to be treated as a human being."),
            (
                "Acknowledge totality of person",
                "having the totality of the individual's person acknowledged by professionals, "
                "being treated like a person who actually has a life beyond mental health problems and care relationships",
            ),
            (
                "Acknowledge strengths and positive sides of life",
                "have strengths and positive aspects recognized, by being "
                "treated as persons who have a healthy side to their life, and as capable individuals who have strengths worth "
                "acknowledging.",
            ),
            (
                "Respect",
                "to be respected, by having their experiences, thoughts and opinions really listened to in the "
                "relationship and in treatment.",
            ),
            ("Accept", "individuals describe it as helpful to be accepted for who they are, to be believed"),
        ),  # fmt: skip
        _theme(
            "To matter to the professional",
            "Some of the helpful components found recurrently in the studies are connected to individuals getting to "
            "experience that they matter to professionals.",
            ("Caring", "to get to feel that the professional cares about how they are doing is described as helpful."),
            (
                "Showing genuine interest",
                "to convey a genuine interest in the individuals and what they have to say by "
                "listening carefully, being focused and paying attention during meetings is regarded as helpful",
            ),
            (
                "Understanding",
                "Having professionals understand their experiences of things, having the professional try to understand",
            ),
            (
                "Conveying empathy",
                "convey empathy for the situation that the individuals are in and the suffering they are experiencing",
            ),
        ),  # fmt: skip
        _theme(
            "Beyond the roles of service user and service provider",
            "Relationships that are appreciated as helpful are described as mutual and equal, and allow for professionals and "
            "individuals to step out of the standardized and hierarchical roles of the professional relationship",
            (
                "To meet as two persons",
                "be allowed to meet as two complex persons. In relation to this sort of relationship, "
                "the professional is viewed as being 'like a friend' rather than solely a professional",
            ),
            (
                "Getting extra things",
                "To do something extra is another way in which professionals are described as helpful; a "
                "way that can go beyond the standardized roles of the formal relationship.",
            ),
            (
                "Continuing after formal contact has ended",
                "To have the relationship with the professional continue after the "
                "formal contact has ended is another, very concrete way, of stepping out of the roles of professional and user.",
            ),
        ),  # fmt: skip
        _theme(
            "Shared humanness",
            "The helpful components of relationships with professionals are also attributed to individual professional "
            "helpers, who are described by their unique ways of being and acting as individuals, and by certain interpersonal "
            "competencies, such as being kind, patient and involved",
            (
                "Professionals appreciated as individuals",
                "individual professional helpers, who are described by their unique ways of being and acting as individuals",
            ),
            (
                "'Fit' together",
                "the helpful components of the relationship were linked to whether individuals and "
                "professionals ‘fit’ together, having to do with a chemistry or connection",
            ),
            (
                "Sharing a common ground",
                "For individuals to get to experience that they share common ground with professionals "
                "is something that is also described as helpful. This can mean having a mutual relationship, where both "
                "contribute to the relationship, and share characteristics or experiences on the basis of being human",
            ),
        ),  # fmt: skip
        FrameworkCode(
            "The professional dimension",
            "dimension",
            "In this dimension of the relationship, the person needing help becomes a user and receiver of care and support, "
            "and the other person has a designated role as a professional and a provider of care and support. This entails "
            "helpful components that make this relationship distinct from other relationships.",
            notes="Overarching interpretation: the two dimensions of the relationship with professionals.",
        ),
        FrameworkCode(
            "The interpersonal dimension",
            "dimension",
            "This is a relationship between two persons; thus there is potential for valued interpersonal processes to take "
            "place within it. Many components that can be helpful to individuals relate to these interpersonal processes, and "
            "are connected to the professional and individual as persons rather than their roles as service user and service "
            "provider",
            notes="Overarching interpretation: the two dimensions of the relationship with professionals.",
        ),
    ),
)

FRAMEWORKS: dict[str, Framework] = {f.name: f for f in (RECIPROCITY, HELPFUL_RELATIONSHIPS)}


def framework(name: str) -> Framework:
    """The built-in framework called ``name``; KeyError lists the names there are."""
    try:
        return FRAMEWORKS[name]
    except KeyError:
        raise KeyError(f"no built-in framework {name!r}; there are: {', '.join(FRAMEWORKS)}") from None
