"""The canonical record model and its field normalisers."""

from qes.records.model import (
    CANONICAL_FIELDS,
    LIST_FIELDS,
    SCALAR_FIELDS,
    Author,
    Origin,
    ReadWarning,
    Record,
)

__all__ = ["CANONICAL_FIELDS", "LIST_FIELDS", "SCALAR_FIELDS", "Author", "Origin", "ReadWarning", "Record"]
