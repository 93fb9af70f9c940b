"""Extraction and appraisal as pure functions over plain data: field types and validation, built-in
forms and checklists, comparing two people's entries, reconciling them, appraisal summaries."""
