"""The JSON report: tool, settings, inputs, skipped rules, blocks and findings (schema in the README).

Strict JSON (no NaN or Infinity anywhere), UTF-8, Chinese written as is.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from ..threads import imap_ordered

__all__ = ["report_dict", "write_json"]

_JSON_FINDING = (
    "block_id",
    "rule_id",
    "severity",
    "layer",
    "feature_id",
    "overlap_m2",
    "overlap_ratio",
    "message",
    "citation",
)


def _none(value):
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _round(value, digits):
    value = _none(value)
    return None if value is None else round(float(value), digits)


def _finding_round(value, digits):
    """A finding's number rounded as the JSON writer rounds it (numpy's rounding); None where not finite."""
    value = _none(value)
    if value is None:
        return None
    value = float(_rounded(np.float64(value), digits))
    return value if math.isfinite(value) else None


def _rounded(values, digits: int):
    """numpy's rounding to ``digits`` decimals (what the CSV writes too: the number scaled, then rounded half
    to even), except where a double has no decimals left to round (beyond 1e15), which it would overflow.

    Examples
    --------
    >>> float(_rounded(np.float64(2.675), 2)), float(_rounded(np.float64(1.5e308), 2))
    (2.68, 1.5e+308)
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(np.abs(values) < 1e15, np.round(values, digits), values)


def report_dict(report, *, findings: bool = True) -> dict:
    """The JSON report as a dict (schema documented in README, "JSON report")."""
    blocks = [
        {
            "block_id": str(r.block_id),
            "name": _none(r.name),
            "kind": r.kind,
            "mineral": _none(r.mineral),
            "area_m2": _round(r.area_m2, 2),
            "area_km2": _round(r.area_m2 / 1e6, 4),
            "status": r.status,
            "source": _none(r.source),
        }
        for r in report.blocks.itertuples()
    ]
    rows = []
    for r in report.findings.itertuples() if findings else ():
        row = {k: _none(getattr(r, k)) for k in _JSON_FINDING}
        row["block_id"] = None if row["block_id"] is None else str(row["block_id"])
        row["feature_id"] = None if row["feature_id"] is None else str(row["feature_id"])
        row["overlap_m2"] = _finding_round(row["overlap_m2"], 2)
        row["overlap_ratio"] = _finding_round(row["overlap_ratio"], 6)
        rows.append(row)
    return {
        "tool": dict(report.tool),
        "settings": dict(report.settings),
        "inputs": [i.as_dict() for i in report.inputs],
        "skipped_rules": list(report.skipped_rules),
        "blocks": blocks,
        "findings": rows,
    }


def write_json(report, fh, indent: int = 2, chunk: int = 5_000) -> None:
    """Write the JSON report to the open text file ``fh``; the findings (there may be millions) column-wise.

    The findings are written by Arrow's string kernels, a chunk at a time (5 000 findings: as fast as larger
    chunks, and a chunk's temporaries stay below the findings' own memory): each cell becomes its JSON literal
    (texts escaped as :func:`json.dumps` escapes them, Chinese as is; numbers rounded as :func:`report_dict`
    rounds them; missing values ``null``), and the cells of a row are joined with their keys. The document
    is the one :func:`report_dict` gives (tested on hostile text).
    """
    head = report_dict(report, findings=False)
    marker = "\u0000findings\u0000"
    head["findings"] = marker
    # strict JSON: a NaN or infinity anywhere (a setting, a parameter) is written as null, never NaN
    before, after = json.dumps(_finite(head), ensure_ascii=False, indent=indent, allow_nan=False).split(
        json.dumps(marker)
    )
    fh.write(before)
    n = report.n_findings
    fh.write("[" if n else "[]")
    # a UTF-8 file takes the rows' bytes as they are, not decoded to text and encoded again
    raw = getattr(fh, "buffer", None) if str(getattr(fh, "encoding", "")).lower().replace("-", "") == "utf8" else None
    # the next chunks are built on the pool's threads while this one is written (the same bytes, in order)
    rows = imap_ordered(
        lambda start: _finding_rows(report._finding_slice(_JSON_FINDING, start, start + chunk, arrow=True)),
        range(0, n, chunk),
    )
    for k, data in enumerate(rows):
        data = data[1:] if k == 0 else data  # each row starts with its comma
        if raw is not None:
            fh.flush()
            raw.write(data)
        else:
            fh.write(data.decode("utf-8"))
    if n:
        fh.write("]")
    fh.write(after)


#: numeric finding fields and the decimals they are written to
_DIGITS = {"overlap_m2": 2, "overlap_ratio": 6}


def _finding_rows(part: dict) -> bytes:
    """The findings ``part`` (columns of :data:`_JSON_FINDING`) as JSON objects, each preceded by a comma (UTF-8)."""
    import pyarrow.compute as pc

    pieces = []
    for i, key in enumerate(_JSON_FINDING):
        pieces.append(_large((",{" if i == 0 else ",") + json.dumps(key) + ":"))
        values = part[key]
        pieces.append(_number_literals(values, _DIGITS[key]) if key in _DIGITS else _text_literals(values))
    pieces.append(_large("}"))
    rows = pc.binary_join_element_wise(*pieces, _large(""))
    return _concatenated(rows)


def _concatenated(strings) -> bytes:
    """The values of an Arrow string array (no nulls) one after another, UTF-8: its data buffer, no Python objects."""
    strings = strings.combine_chunks() if hasattr(strings, "combine_chunks") else strings
    if len(strings) == 0:
        return b""
    offsets = _offsets(strings)
    return memoryview(strings.buffers()[2])[offsets[0] : offsets[-1]].tobytes()


#: the characters JSON requires escaped (RFC 8259 §7): the quote, the backslash and the controls (U+0000–U+001F)
_NEEDS_ESCAPE = r'["\\\x00-\x1f]'


def _text_literals(values):
    r"""Each text as its JSON string literal (``null`` where missing): what ``json.dumps(v, ensure_ascii=False)``
    writes.

    Texts stored once per finding (an Arrow array: messages, feature ids) are scanned for the bytes that need
    an escape (a quote, a backslash, a control character: rare in ids and messages); those texts alone go
    through :func:`json.dumps`, the others are quoted as they are. Other texts (an object array: rule,
    severity, layer, citation, block id) are converted first (:func:`~yangao_geo.findings.text_array`).

    Examples
    --------
    >>> import pyarrow as pa
    >>> texts = ["a\"b", None, "阳高\n", "\x01", "plain"]
    >>> _text_literals(pa.array(texts)).to_pylist()
    ['"a\\"b"', 'null', '"阳高\\n"', '"\\u0001"', '"plain"']
    >>> _text_literals(np.array(texts + ["plain", 3, float("nan")], dtype=object)).to_pylist()[-4:]
    ['"plain"', '"plain"', '"3"', 'null']
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from ..findings import text_array

    # 64-bit offsets: a chunk of very long texts may hold more than 2 GiB
    text = text_array(values, nan_missing=True).cast(pa.large_string())
    quote = _large('"')
    literal = pc.binary_join_element_wise(quote, text, quote, _large(""))
    if _may_need_escape(text):
        special = pc.fill_null(pc.match_substring_regex(text, _NEEDS_ESCAPE), False)
        dumped = [json.dumps(v, ensure_ascii=False) for v in text.filter(special).to_pylist()]
        literal = pc.replace_with_mask(literal, special, pa.array(dumped, pa.large_string()))
    return pc.fill_null(literal, _large("null"))


def _large(text: str):
    """A text as an Arrow large-string scalar (to join with large-string columns)."""
    import pyarrow as pa

    return pa.scalar(text, pa.large_string())


def _offsets(strings) -> np.ndarray:
    """The offsets of an Arrow (large) string array's values into its data buffer."""
    import pyarrow as pa

    dtype = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    return np.frombuffer(strings.buffers()[1], dtype=dtype)[strings.offset : strings.offset + len(strings) + 1]


def _may_need_escape(text) -> bool:
    """False when no byte of the texts is a quote, a backslash or a control character (one numpy pass).

    In UTF-8 these bytes are never part of a multi-byte character, so a byte scan finds exactly them.
    """
    if len(text) == 0 or text.buffers()[2] is None:
        return False
    offsets = _offsets(text)
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return bool(((data < 0x20) | (data == 0x22) | (data == 0x5C)).any())


def _number_literals(values, digits: int):
    """Numbers rounded to ``digits`` as JSON literals (shortest round-trip form, ``null`` where not finite).

    Examples
    --------
    >>> _number_literals([1.005, 100.0, float("nan"), 1e-7, -0.0], 2).to_pylist()
    ['1.0', '100.0', 'null', '0.0', '-0.0']
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    rounded = _rounded(np.asarray(values, dtype=float), digits)
    literal = pc.cast(pa.array(rounded), pa.large_string())
    whole = pc.match_substring_regex(literal, r"^-?[0-9]+$")  # a float stays a float: 100 is written 100.0
    literal = pc.if_else(whole, pc.binary_join_element_wise(literal, _large(".0"), _large("")), literal)
    return pc.if_else(pa.array(np.isfinite(rounded)), literal, _large("null"))


def _finite(value):
    """``value`` with every non-finite float (NaN, ±inf) replaced by None, recursively (strict JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, np.floating):
        return float(value) if np.isfinite(value) else None
    return value


def write_json_file(report, path) -> None:
    """Write the JSON report to ``path`` (UTF-8; the caller makes it atomic)."""
    with open(path, "w", encoding="utf-8") as fh:
        write_json(report, fh)
