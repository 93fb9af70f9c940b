"""Named model presets: a feature spec and a model spec each. `qes` is the default.

- `qes`: the default; chosen by simulation on labelled reviews (benchmarks/screening_bench.py).
- `qes-4`: the previous default (the same four members, the year as "year >= Y" indicators only).
- `qes-authors`: the default before it (two members: text, and text with the authors).
- `qes-bmi`: the default before that (text only, one member with presumed-excluded records).
- `asreview-u4`: ASReview 3's default (ELAS u4) rebuilt from its published settings, for comparison.
- `fast`: unigrams only, for very large stages on a slow machine.
"""

from __future__ import annotations

from dataclasses import dataclass

from qes.errors import UserError
from qes.prioritise.features import FeatureSpec
from qes.prioritise.model import ModelSpec


@dataclass(frozen=True)
class Preset:
    name: str
    features: FeatureSpec
    model: ModelSpec
    description: str


_FIELDS = ("title", "abstract", "keywords", "headings")


def _four_members(year_both_ways: bool) -> FeatureSpec:
    """Text; text + authors; text + authors + year; text + year (one view per SVM)."""
    return FeatureSpec(
        views=(
            FeatureSpec(fields=_FIELDS),
            FeatureSpec(fields=_FIELDS, authors_weight=0.6),
            FeatureSpec(fields=_FIELDS, authors_weight=0.6, year_weight=0.2, year_both_ways=year_both_ways),
            FeatureSpec(fields=_FIELDS, year_weight=0.2, year_both_ways=year_both_ways),
        )
    )


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "qes",
            _four_members(year_both_ways=True),
            ModelSpec(ensemble=tuple(ModelSpec(view=i) for i in range(4))),
            "four linear SVMs (C=0.11, balanced ratio 9.8) rank-averaged, on TF-IDF word 1-2-grams of title, "
            "abstract, keywords and headings: the text alone, with the authors' surnames as a block of weight 0.6, "
            "with the surnames and the publication year (cumulative 'year >= Y' and 'year <= Y' indicators, "
            "weight 0.2), and with the year alone; most-relevant first",
        ),
        Preset(
            "qes-4",
            _four_members(year_both_ways=False),
            ModelSpec(ensemble=tuple(ModelSpec(view=i) for i in range(4))),
            "the default before the year was encoded both ways: the same four SVMs, the year as cumulative "
            "'year >= Y' indicators only",
        ),
        Preset(
            "qes-authors",
            FeatureSpec(views=(FeatureSpec(fields=_FIELDS), FeatureSpec(fields=_FIELDS, authors_weight=0.6))),
            ModelSpec(ensemble=(ModelSpec(view=0), ModelSpec(view=1))),
            "the default before the year was used: two linear SVMs (C=0.11, balanced ratio 9.8) rank-averaged, "
            "one on TF-IDF word 1-2-grams of title, abstract, keywords and headings, one on the same with the "
            "authors' surnames as a block of weight 0.6; most-relevant first",
        ),
        Preset(
            "qes-bmi",
            FeatureSpec(fields=_FIELDS),
            ModelSpec(ensemble=(ModelSpec(), ModelSpec(presumed_excluded=100, presumed_weight=0.3))),
            "the default before authors were used: TF-IDF word 1-2-grams; two linear SVMs rank-averaged, one also "
            "trained on 100 random unread records presumed excluded (weight 0.3, after Cormack & Grossman's BMI)",
        ),
        Preset(
            "asreview-u4",
            FeatureSpec(fields=("title", "abstract")),
            ModelSpec(),
            "ASReview 3 ELAS u4: TF-IDF 1-2-grams, linear SVM C=0.11, balanced ratio 9.8, most-relevant first",
        ),
        Preset("fast", FeatureSpec(word_ngrams=(1, 1), min_df=2), ModelSpec(), "TF-IDF unigrams, linear SVM"),
    )
}
DEFAULT_PRESET = "qes"


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise UserError(f"unknown model preset {name!r}; choose one of: {', '.join(PRESETS)}") from None
