"""JSON as the text the database stores: compact, UTF-8 as is (no \\u escapes), fast.

Raw records are most of the bytes an import writes, so their encoding is on the hot path:
orjson is several times faster than the standard library's encoder for these lists of short
strings. Its output is the standard one's with `separators=(",", ":")` and `ensure_ascii=False`;
a value orjson refuses (an integer beyond 64 bits) goes through the standard library instead.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_standard = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def dumps(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return _standard(value)
