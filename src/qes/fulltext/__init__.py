"""Full texts: PDF text by page."""
