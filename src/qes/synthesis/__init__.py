"""Synthesis: the themes × studies matrix, the translation grid, GRADE-CERQual, tabulations (pure)."""
