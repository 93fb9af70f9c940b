"""Prioritised screening: rank unscreened records by predicted relevance, simulate, and know when to stop.

The pipeline: `features` (records → a sparse matrix) → `model` (a preset's classifier, balancing and
query strategy) → `rank` (scores → an order) ; `simulate` replays labelled data through the same cycle;
`metrics` measures an order; `stopping` estimates recall and decides when stopping is safe.
"""
