"""The findings of a run as column chunks, compact enough for millions of overlaps.

Rules record findings one at a time (:meth:`FindingStore.add_row`) or a
column chunk at a time (:meth:`FindingStore.add_chunk`, what the overlap rules
do). A chunk keeps numbers in numpy arrays, the few repeated texts (rule,
severity, layer, citation) as references to shared strings, and the texts
unique to each finding (message, feature id) as Arrow UTF-8 arrays — about a
third of the memory of Python strings, which for CJK text take two bytes a
character plus their object header. A chunk's messages may also be a
:class:`DeferredTexts`: what the texts are made of (a template, the numbers),
worded only when a report reads them — millions of overlap messages are then
never all held at once. :meth:`FindingStore.column` joins the chunks, in the
order they were recorded.

Examples
--------
>>> store = FindingStore()
>>> store.add_row({"block_pos": 0, "rule_id": "B301", "severity": "fail", "message": "too small"})
>>> store.add_chunk({"block_pos": [1, 2], "rule_id": "O203", "severity": ["fail", "warn"],
...                  "message": ["a", "b"], "overlap_m2": [5.0, 0.5]})
>>> store.column("block_pos").tolist(), store.column("rule_id").tolist(), store.column("overlap_m2").tolist()
([0, 1, 2], ['B301', 'O203', 'O203'], [nan, 5.0, 0.5])
>>> store.column("message").to_pylist()
['too small', 'a', 'b']
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "FINDING_COLUMNS",
    "FINDING_FIELDS",
    "DeferredTexts",
    "FindingColumns",
    "FindingStore",
    "RepeatedValues",
    "TextChunks",
    "text_array",
]

#: the columns of the findings table, in this order (the report's contract)
FINDING_COLUMNS = (
    "block_id",
    "block_name",
    "kind",
    "mineral",
    "rule_id",
    "rule_name",
    "severity",
    "layer",
    "feature_id",
    "overlap_m2",
    "overlap_ratio",
    "message",
    "citation",
    "geometry",
)
#: the columns of a finding as rules record them: the block's position instead of its attributes
FINDING_FIELDS = ("block_pos", *FINDING_COLUMNS[4:])
_NUMBERS = ("overlap_m2", "overlap_ratio")
#: texts unique to each finding: stored as Arrow strings
_UNIQUE_TEXT = ("feature_id", "message")
#: texts a few values of which repeat over every finding: stored as one small code a finding
_REPEATED = ("rule_id", "rule_name", "severity", "layer", "citation")


class DeferredTexts:
    """A chunk of texts (one per finding) worded when read, not when recorded.

    A subclass holds what the texts are made of and words any of them on demand: :meth:`take` gives the
    texts at some positions of the chunk, as an Arrow string array, exactly the texts that wording the
    whole chunk and picking those positions would give. It must pickle (a batch's reports cross processes)
    and must not depend on anything that changes after recording (the language: translate when recording).
    """

    def __len__(self) -> int:
        raise NotImplementedError

    def take(self, rows: np.ndarray) -> pa.Array:
        """The texts at positions ``rows`` of this chunk (any order, repeats allowed)."""
        raise NotImplementedError

    def to_arrow(self) -> pa.Array:
        """Every text of the chunk."""
        return self.take(np.arange(len(self), dtype=np.int64))


class TextChunks:
    """A column of texts in the chunks recorded, some of them :class:`DeferredTexts` (see :func:`_taken`).

    Examples
    --------
    >>> TextChunks([pa.array(["a", "b"]), pa.array(["c"])]).to_pylist()
    ['a', 'b', 'c']
    """

    type = pa.string()

    def __init__(self, chunks):
        self.chunks = list(chunks)

    @property
    def num_chunks(self) -> int:
        return len(self.chunks)

    def __len__(self) -> int:
        return sum(len(c) for c in self.chunks)

    def chunk(self, c: int):
        return self.chunks[c]

    def to_pylist(self) -> list:
        return [v for c in self.chunks for v in _arrow(c).to_pylist()]


def _arrow(chunk) -> pa.Array:
    """A stored chunk of texts as an Arrow array (a deferred one worded)."""
    return chunk.to_arrow() if isinstance(chunk, DeferredTexts) else chunk


class RepeatedValues:
    """A column of a few distinct values, each finding's one a small integer code (2 bytes, not an 8-byte reference).

    What a rule, severity, layer or citation column is: a handful of texts over millions of findings (1.9
    million overlaps: 15 MiB a column as references, 3.6 MiB as codes); and the geometry column of a run
    that keeps none. Indexed, it gives the values as an object array, as the column it stands for would.

    Examples
    --------
    >>> col = RepeatedValues.joined([np.array(["fail", "warn"], dtype=object), "info"], [2, 3])
    >>> col[np.array([0, 4, 1])].tolist(), col[1]
    (['fail', 'info', 'warn'], 'warn')
    >>> len(col), col.counts()
    (5, {'fail': 1, 'warn': 1, 'info': 3})
    >>> RepeatedValues.joined([None], [2]).tolist()
    [None, None]
    >>> RepeatedValues.of(np.array([1, 1.0, True, None, "1", None], dtype=object)).tolist()
    [1, 1.0, True, None, '1', None]
    >>> shared = np.asarray(RepeatedValues.of(np.where([True, False, True], "warn", "fail")))
    >>> shared.tolist(), shared[0] is shared[2]
    (['warn', 'fail', 'warn'], True)
    """

    dtype = np.dtype(object)

    def __init__(self, codes: np.ndarray, values: np.ndarray):
        self.codes = codes
        self.values = values

    @classmethod
    def of(cls, values) -> RepeatedValues:
        """Code a sequence; each value is kept as it is (``1``, ``1.0`` and ``True`` stay three values).

        A numpy string array goes to Arrow's dictionary encoding as it is (no string object made per
        entry); texts and None by hashing the strings in place (pandas), no copy of them made; any other
        mix of values value by value.
        """
        if isinstance(values, np.ndarray) and values.dtype.kind == "U":
            encoded = pa.array(values).dictionary_encode()
            return cls._made(
                encoded.indices.to_numpy().astype(_code_type(len(encoded.dictionary))), encoded.dictionary.to_pylist()
            )
        import pandas as pd  # loaded already wherever findings are recorded

        values = np.asarray(values, dtype=object)
        codes, distinct = pd.factorize(values, use_na_sentinel=False)
        distinct = list(distinct)
        missing = [i for i, v in enumerate(distinct) if type(v) is not str]  # pandas gives None back as NaN
        if len(missing) == 1 and all(v is None for v in values[codes == missing[0]]):
            distinct[missing[0]] = None
            missing = []
        if not missing:  # texts only (and None): nothing that hashing could have joined
            return cls._made(codes.astype(_code_type(len(distinct))), distinct)
        index: dict = {}
        codes = [index.setdefault(_key(v), (len(index), v))[0] for v in values.tolist()]
        return cls._made(np.array(codes, dtype=_code_type(len(index))), [v for _, v in index.values()])

    @classmethod
    def _made(cls, codes: np.ndarray, distinct: list) -> RepeatedValues:
        table = np.empty(len(distinct), dtype=object)
        table[:] = distinct
        return cls(codes, table)

    @classmethod
    def joined(cls, parts, sizes) -> RepeatedValues:
        """One column from chunks, each a :class:`RepeatedValues`, a sequence, or one value for all its rows."""
        index: dict = {}
        coded = []
        for part, n in zip(parts, sizes):
            if not isinstance(part, (RepeatedValues, np.ndarray, list, tuple)):
                coded.append((np.zeros(n, dtype=np.int8), [part]))
                continue
            part = part if isinstance(part, RepeatedValues) else cls.of(part)
            coded.append((part.codes, part.values.tolist()))
        remaps = [np.array([index.setdefault(_key(v), (len(index), v))[0] for v in values]) for _, values in coded]
        kind = _code_type(len(index))
        codes = np.empty(sum(sizes), dtype=kind)
        start = 0
        for (local, _), remap in zip(coded, remaps):
            codes[start : start + len(local)] = remap.astype(kind)[local]
            start += len(local)
        return cls._made(codes, [v for _, v in index.values()])

    @classmethod
    def filled(cls, n: int, value) -> RepeatedValues:
        """``n`` rows, all ``value``."""
        return cls._made(np.zeros(n, dtype=np.int16), [value])

    @classmethod
    def coded(cls, values) -> RepeatedValues:
        """``values`` as it is if already coded, else :meth:`of` it."""
        return values if isinstance(values, RepeatedValues) else cls.of(values)

    def take(self, rows) -> RepeatedValues:
        """The rows ``rows``, still coded (a gather of the codes: no value looked at)."""
        return RepeatedValues(self.codes[rows], self.values)

    def equals(self, value) -> np.ndarray:
        """True on each row whose value is ``value`` (compared once per distinct value)."""
        same = np.array([_key(v) == _key(value) for v in self.values], dtype=bool)
        return same[self.codes] if len(same) else np.zeros(len(self.codes), dtype=bool)

    def where(self, mask, value) -> RepeatedValues:
        """These values, with ``value`` on the rows where ``mask`` is True.

        Examples
        --------
        >>> RepeatedValues.of(["fail", "fail", "info"]).where(np.array([False, True, True]), "warn").tolist()
        ['fail', 'warn', 'warn']
        """
        keys = [_key(v) for v in self.values]
        values = list(self.values)
        if _key(value) in keys:
            code = keys.index(_key(value))
        else:
            code = len(values)
            values.append(value)
        kind = _code_type(len(values))
        return RepeatedValues._made(np.where(mask, code, self.codes).astype(kind), values)

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, rows):
        return self.values[self.codes[rows]]

    def __array__(self, dtype=None, copy=None):
        out = self.values[self.codes]
        return out if dtype is None else out.astype(dtype)

    def tolist(self) -> list:
        return self.values[self.codes].tolist()

    def counts(self) -> dict:
        """Each value's number of rows (values with none left out)."""
        n = np.bincount(self.codes, minlength=len(self.values))
        counts: dict = {}
        for v, c in zip(self.values, n):  # summed: two codes may hold equal values ("a" and numpy's "a")
            if c:
                counts[v] = counts.get(v, 0) + int(c)
        return counts


def _code_type(distinct: int):
    return np.int16 if distinct <= np.iinfo(np.int16).max else np.int32


def _key(value):
    """A value as a dict key that keeps apart what Python's hashing joins (``1 == 1.0 == True``)."""
    try:
        hash(value)
    except TypeError:
        return ("unhashable", id(value))
    return (type(value), value)


class FindingStore:
    """Findings in recording order, as column chunks (see the module docstring)."""

    def __init__(self, keep_geometry: bool = True):
        self.keep_geometry = keep_geometry
        self._chunks: list[tuple[int, dict]] = []
        self._rows: list[dict] = []

    def __len__(self) -> int:
        return sum(n for n, _ in self._chunks) + len(self._rows)

    def add_row(self, row: dict) -> None:
        """One finding: a mapping of :data:`FINDING_FIELDS` (missing ones are None)."""
        self._rows.append(row)

    def add_chunk(self, columns: dict) -> None:
        """Many findings: each field a sequence (one value per finding) or one value for all of them."""
        n = len(columns["block_pos"])
        if n == 0:
            return
        self._flush()
        self._chunks.append((n, _compact(columns, n, self.keep_geometry)))

    def _flush(self) -> None:
        if self._rows:
            rows, self._rows = self._rows, []
            columns = {f: [r.get(f) for r in rows] for f in FINDING_FIELDS}
            self._chunks.append((len(rows), _compact(columns, len(rows), self.keep_geometry)))

    def column(self, f: str, *, release: bool = False):
        """One field over all findings; ``release`` drops it from the store.

        ``block_pos`` int64 (-1: about an input, no block), numbers float64 (NaN: none), unique texts as a
        pyarrow ChunkedArray of strings (the chunks recorded, not copied into one), the rule, severity,
        layer and citation (and the geometry of a store that keeps none) as :class:`RepeatedValues`, the
        geometry kept as an object array.
        """
        self._flush()
        if f in _REPEATED or (f == "geometry" and not self.keep_geometry):
            column = RepeatedValues.joined([chunk[f] for _, chunk in self._chunks], [n for n, _ in self._chunks])
            if release:
                for _, chunk in self._chunks:
                    chunk[f] = None
            return column
        parts = [_expand(chunk[f], n) for n, chunk in self._chunks]
        if release:
            for _, chunk in self._chunks:
                chunk[f] = None
        if f in _UNIQUE_TEXT:
            # the chunks as they are, not joined: joining would hold every message twice at the peak of a run
            if any(isinstance(p, DeferredTexts) for p in parts):
                return TextChunks(parts)
            return pa.chunked_array(parts, type=pa.string())
        if f == "block_pos":
            return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, np.int64)
        if f in _NUMBERS:
            return np.concatenate(parts).astype(float) if parts else np.empty(0, float)
        return np.concatenate(parts) if parts else np.empty(0, dtype=object)


#: values looked at to tell repeated texts from distinct ones (only the speed of text_array depends on it)
_SAMPLE = 512


def text_array(values, *, nan_missing: bool = False) -> pa.Array:
    """Texts as one Arrow string array: None missing (NaN and NA too with ``nan_missing``), anything else as
    ``str(v)``. Repeated texts (an object array of a few labels, citations) are encoded once per distinct
    text, not once per row: a CJK text's UTF-8 encoding is the cost.

    Examples
    --------
    >>> text_array(np.array(["阳高", None, "阳高", 3, float("nan")], dtype=object)).to_pylist()
    ['阳高', None, '阳高', '3', 'nan']
    >>> text_array(["a", float("nan")], nan_missing=True).to_pylist()
    ['a', None]
    """
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
        return values if values.type == pa.string() else values.cast(pa.string())
    import pandas as pd

    values = np.asarray(values, dtype=object)
    if values.ndim != 1:
        values = values.reshape(-1)
    codes = None
    try:
        sample = values[:: max(1, len(values) // _SAMPLE)]  # mostly distinct texts (ids): converted directly
        if len(pd.unique(sample)) <= len(sample) // 2:
            codes, distinct = pd.factorize(values, use_na_sentinel=True)  # None, NaN and NA: -1
    except TypeError:  # an unhashable value
        codes = None
    if codes is None:
        try:  # texts and None (and NaN, NA with nan_missing): converted in C
            return pa.array(values, type=pa.string(), from_pandas=nan_missing)
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            pass
    # 1, True and 1.0 are one key to a hash table and three texts: only texts are looked up
    if codes is None or not all(isinstance(v, str) for v in distinct):
        return pa.array([None if v is None or (nan_missing and _is_na(v)) else str(v) for v in values], pa.string())
    missing = codes < 0
    out = pa.array(list(distinct), pa.string()).take(pa.array(np.where(missing, 0, codes), mask=missing))
    if missing.any() and not nan_missing:  # NaN and NA are texts here ("nan", "<NA>"); None alone is missing
        where = np.flatnonzero(missing)
        texts = [None if v is None else str(v) for v in values[where]]
        if any(v is not None for v in texts):
            mask = np.zeros(len(values), dtype=bool)
            mask[where] = True
            out = pc.replace_with_mask(out, pa.array(mask), pa.array(texts, pa.string()))
    return out


def _is_na(value) -> bool:
    """NaN, pandas' NA or NaT (a value that is not equal to itself, or pandas' markers)."""
    if type(value).__name__ in ("NAType", "NaTType"):
        return True
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def _compact(columns: dict, n: int, keep_geometry: bool) -> dict:
    out = {}
    for f in FINDING_FIELDS:
        value = columns.get(f)
        many = isinstance(value, (list, tuple, np.ndarray, pa.Array, pa.ChunkedArray, RepeatedValues))
        if f == "block_pos":
            if isinstance(value, np.ndarray) and value.dtype.kind in "iu":
                out[f] = value.astype(np.int64)
            else:
                out[f] = np.array([-1 if v is None else v for v in value], dtype=np.int64)
        elif f in _NUMBERS:
            if not many:
                out[f] = np.full(n, np.nan if value is None else value, dtype=float)
            elif isinstance(value, np.ndarray) and value.dtype.kind == "f":
                out[f] = value
            else:
                out[f] = np.array([np.nan if v is None else v for v in value], dtype=float)
        elif f in _UNIQUE_TEXT and isinstance(value, DeferredTexts):
            out[f] = value
        elif f in _UNIQUE_TEXT:
            out[f] = text_array(value) if many else pa.array([value] * n, type=pa.string())
        elif f == "geometry":
            out[f] = np.asarray(value, dtype=object) if keep_geometry and many else None
        else:  # repeated texts: a code a finding, or one value for the chunk
            out[f] = (value if isinstance(value, RepeatedValues) else RepeatedValues.of(value)) if many else value
    return out


def _expand(value, n: int):
    """A stored field as an array of length ``n`` (a single value is repeated)."""
    if isinstance(value, (np.ndarray, pa.Array, DeferredTexts)):
        return value
    out = np.empty(n, dtype=object)
    out[:] = value
    return out


def _taken(column, rows) -> pa.Array:
    """Rows ``rows`` of an Arrow (chunked) array, as one array.

    A chunked array (or :class:`TextChunks`) is taken from chunk by chunk, and the rows put back in the
    order asked: Arrow's own ``take`` on a chunked array may join all its chunks first, holding every
    message twice; a :class:`DeferredTexts` chunk words the rows asked of it, and only those.

    Examples
    --------
    >>> column = pa.chunked_array([["a", "b"], ["c"], ["d", "e"]])
    >>> _taken(column, np.array([4, 0, 2, 2, 1])).to_pylist()
    ['e', 'a', 'c', 'c', 'b']
    """
    rows = np.asarray(rows, dtype=np.int64)
    if isinstance(column, (pa.Array, DeferredTexts)):
        return _take_chunk(column, rows)
    if column.num_chunks == 1:
        return _take_chunk(column.chunk(0), rows)
    starts = np.cumsum([0] + [len(c) for c in column.chunks])
    chunk_of = np.searchsorted(starts, rows, side="right") - 1
    by_chunk = np.argsort(chunk_of, kind="stable")
    parts = []
    sorted_chunks = chunk_of[by_chunk]
    bounds = np.searchsorted(sorted_chunks, np.arange(column.num_chunks + 1))
    for c in range(column.num_chunks):
        lo, hi = bounds[c], bounds[c + 1]
        if hi > lo:
            parts.append(_take_chunk(column.chunk(c), rows[by_chunk[lo:hi]] - starts[c]))
    if not parts:
        return pa.array([], type=column.type)
    grouped = pa.concat_arrays(parts)  # the rows grouped by chunk; back to the order asked
    return grouped.take(pa.array(np.argsort(by_chunk, kind="stable")))


def _take_chunk(chunk, rows: np.ndarray) -> pa.Array:
    """Rows ``rows`` of one chunk: an Arrow array, or a :class:`DeferredTexts` worded for those rows alone."""
    return chunk.take(rows) if isinstance(chunk, DeferredTexts) else chunk.take(pa.array(rows))


class FindingColumns:
    """A run's findings in report order, as columns: the findings table without building it.

    :func:`yangao_geo.check` returns its :class:`~yangao_geo.report.Report` with the findings in this form;
    the GeoDataFrame (``report.findings``) is built on first use, while the JSON/CSV writers, counts and
    summary read slices of the columns — so a run that only writes JSON never holds the whole table twice.

    Parameters
    ----------
    columns : dict
        :data:`FINDING_FIELDS`, each as returned by :meth:`FindingStore.column`, in recording order.
    order : ndarray of int
        The report order (positions into the columns).
    block_fields : dict
        ``block_id``, ``block_name``, ``kind``, ``mineral``: object arrays, one value per block.
    crs : CRS-like
        CRS of the geometries.
    """

    def __init__(self, columns: dict, order: np.ndarray, block_fields: dict, crs):
        self._columns = columns
        self._order = np.asarray(order, dtype=np.int64)
        self._blocks = block_fields
        self._crs = crs

    def __len__(self) -> int:
        return len(self._order)

    def value_counts(self, name: str) -> dict:
        """Each value of a coded column (rule, severity, layer, citation: :class:`RepeatedValues`) and its number
        of findings, without putting the column in report order."""
        return self._columns[name].counts()

    def slice(self, names, start: int = 0, stop: int | None = None, *, arrow: bool = False) -> dict:
        """Columns ``names`` (finding-table names) for report rows ``start:stop``: numpy arrays,
        texts as object arrays (None where missing), numbers as float (NaN where missing).

        ``arrow``: the texts unique to each finding (message, feature id) as the Arrow string arrays they are
        stored in, not converted to Python strings (what the JSON writer reads).
        """
        rows = self._order[start:stop]
        pos = self._columns["block_pos"][rows]
        on_block = pos >= 0
        out = {}
        for name in names:
            if name in self._blocks:
                values = np.full(len(rows), None, dtype=object)
                values[on_block] = self._blocks[name][pos[on_block]]
                out[name] = values
                continue
            column = self._columns[name]
            if isinstance(column, (pa.Array, pa.ChunkedArray, TextChunks)):
                taken = _taken(column, rows)
                out[name] = taken if arrow else np.asarray(taken.to_numpy(zero_copy_only=False), dtype=object)
            else:
                out[name] = column[rows]
        return out

    def frame(self):
        """The findings table (GeoDataFrame, columns :data:`~yangao_geo.report.FINDING_COLUMNS`).

        Releases the columns as it goes: call once (the Report keeps the result).
        """
        import geopandas as gpd
        import pandas as pd

        data = {}
        for name in FINDING_COLUMNS[:4]:
            data[name] = pd.Series(self.slice([name])[name], dtype=object)
        rows = self._order
        for name in FINDING_COLUMNS[4:]:
            column = self._columns.pop(name)
            if isinstance(column, (pa.Array, pa.ChunkedArray, TextChunks)):
                data[name] = pd.Series(_taken(column, rows), dtype="str")
            elif column.dtype == object and name != "geometry":
                data[name] = pd.Series(column[rows], dtype=object)
            else:
                data[name] = column[rows]
            del column
        geometry = data.pop("geometry")
        return gpd.GeoDataFrame(data, geometry=geometry, crs=self._crs)[list(FINDING_COLUMNS)]
