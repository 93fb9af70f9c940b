"""Every database export in and out: detection by content, streaming readers, writers.

from qes.formats import read_file, write_records
with read_file("psycinfo.ris", source="PsycINFO (Ovid)") as reader:
    for record in reader:        # canonical `Record`s, lazily
        ...
    reader.warnings             # recoverable problems, per record
write_records(records, "ris", out)   # ris | bibtex | csv | asreview
"""

from qes.formats.registry import (
    READER_NAMES,
    WRITER_NAMES,
    FileReader,
    detect_format,
    read_file,
    read_text,
    write_records,
)

__all__ = [
    "READER_NAMES",
    "WRITER_NAMES",
    "FileReader",
    "detect_format",
    "read_file",
    "read_text",
    "write_records",
]
