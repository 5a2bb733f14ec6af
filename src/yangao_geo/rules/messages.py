"""Number formats shared by rule messages: m² to 2 decimals, km² to 4.

Examples
--------
>>> area_text(1234.5678)
'1234.57 m² (0.0012 km²)'
>>> percent(0.03216)
'3.22%'
"""

__all__ = [
    "LAYER_LABELS",
    "WordedLater",
    "area_text",
    "area_texts",
    "filled",
    "fixed_texts",
    "km2",
    "layer_label",
    "percent",
    "percent_texts",
]

import numpy as np

from ..findings import DeferredTexts, text_array
from ..i18n import N_, t

#: constraint layers as the plan names them
LAYER_LABELS = {
    "mining_rights": N_("existing mining rights"),
    "eco_redline": N_("the ecological protection red line"),
    "basic_farmland": N_("permanent basic farmland"),
    "town_boundary": N_("the town development boundary"),
    "county_boundary": N_("the county boundary"),
    "arable_land": N_("arable land"),
    "deposits": N_("deposits"),
    "concentrated_areas": N_("the sand, stone and clay concentrated mining areas"),
    "blocks": N_("proposed planning blocks"),
}


def km2(m2: float) -> str:
    """Square metres as km² with 4 decimals, the unit of mining-right areas."""
    return f"{m2 / 1e6:.4f} km²"


def area_text(m2: float) -> str:
    """An area as messages state it: m² to 2 decimals, km² to 4 (:func:`area_texts` for many)."""
    return f"{m2:.2f} m² ({km2(m2)})"


def percent(ratio: float | None) -> str:
    """A share as messages state it: percent to 2 decimals, ``n/a`` when unknown (:func:`percent_texts`)."""
    return "n/a" if ratio is None else f"{100 * ratio:.2f}%"


def area_texts(m2):
    """:func:`area_text` of every area, as an Arrow string array.

    Examples
    --------
    >>> area_texts([1234.5678]).to_pylist() == [area_text(1234.5678)]
    True
    """
    m2 = np.asarray(m2, dtype=float)
    return filled("{m2} m² ({km2} km²)", m2=fixed_texts(m2, 2), km2=fixed_texts(m2 / 1e6, 4))


def percent_texts(ratios):
    """:func:`percent` of every ratio (NaN: unknown, ``n/a``), as an Arrow string array.

    Examples
    --------
    >>> percent_texts([0.03216, float("nan")]).to_pylist() == [percent(0.03216), percent(None)]
    True
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    ratios = np.asarray(ratios, dtype=float)
    text = pc.binary_join_element_wise(fixed_texts(100 * ratios, 2), "%", "")
    return pc.if_else(pa.array(np.isnan(ratios)), percent(None), text)


def layer_label(name: str | None) -> str:
    """A constraint layer's name in the current language (the plan's term)."""
    if name is None:
        return ""
    return t(LAYER_LABELS[name]) if name in LAYER_LABELS else str(name)


def fixed_texts(values, decimals: int):
    """``f"{v:.{decimals}f}"`` of every number, as an Arrow string array: the messages' numbers by the million.

    The digits are worked out in numpy: the number scaled by ``10**decimals`` and rounded to the nearest
    integer. That is exactly Python's formatting wherever the scaled product is farther than one unit in
    the last place from a half (then its rounding error cannot have crossed the half); the few numbers
    nearer a half, negative, non-finite or too large for it are formatted by Python itself.

    Examples
    --------
    >>> fixed_texts([1234.5678, 0.125, 2.675, 0.0, float("nan"), 1e300, -0.0], 2).to_pylist()[:4]
    ['1234.57', '0.12', '2.67', '0.00']
    >>> [f"{v:.2f}" for v in (2.675, -0.0)], fixed_texts([2.675, -0.0], 2).to_pylist()
    (['2.67', '-0.00'], ['2.67', '-0.00'])
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if decimals < 1:
        raise ValueError(f"decimals must be at least 1, got {decimals}")
    v = np.asarray(values, dtype=float)
    scale = 10**decimals
    with np.errstate(all="ignore"):
        y = v * scale
        half_gap = np.abs(np.abs(y - np.trunc(y)) - 0.5)
        exact = np.isfinite(y) & (v >= 0) & ~np.signbit(v) & (y < 2.0**52) & (half_gap > np.spacing(y))
    scaled = np.where(exact, np.rint(np.where(exact, y, 0.0)), 0.0).astype(np.int64)
    whole = pc.cast(pa.array(scaled // scale), pa.string())
    fraction = pc.utf8_lpad(pc.cast(pa.array(scaled % scale), pa.string()), decimals, "0")
    text = pc.binary_join_element_wise(whole, fraction, ".")
    if not exact.all():
        others = [f"{x:.{decimals}f}" for x in v[~exact].tolist()]
        text = pc.replace_with_mask(text, pa.array(~exact), pa.array(others, pa.string()))
    return text


def filled(template: str, **fields):
    """``template.format(**row)`` for every row: each field an Arrow string array (nulls written ``None``, as
    :meth:`str.format` writes them) or one text for every row; the pieces joined in C.

    Fields take no format spec here: format the numbers first (:func:`fixed_texts`).

    Examples
    --------
    >>> import pyarrow as pa
    >>> filled("{a} 与 {b}，{{c}}", a=pa.array(["x", None]), b="y").to_pylist()
    ['x 与 y，{c}', 'None 与 y，{c}']
    """
    import string

    import pyarrow as pa
    import pyarrow.compute as pc

    pieces = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if literal:
            pieces.append(literal)
        if name is None:
            continue
        if spec or conversion:
            raise ValueError(f"field {{{name}}} of {template!r} takes no format spec here")
        value = fields[name]
        pieces.append(pc.fill_null(value, "None") if isinstance(value, pa.Array) else str(value))
    return pc.binary_join_element_wise(*pieces, "")


class WordedLater(DeferredTexts):
    """Messages ``template.format(**fields)`` of a chunk of findings, worded only when a report reads them.

    What a message is made of is held — a few bytes a finding: its numbers, references to shared texts —
    instead of the message itself (a hundred bytes and more of UTF-8): a check with millions of overlaps
    keeps its findings in a fraction of the memory, and each report written words the findings it writes,
    a chunk at a time. The texts are those :func:`filled` gives for the whole chunk, digit for digit
    (every step works row by row).

    Parameters
    ----------
    template : str
        Translated already (the language of the run, not of the moment the report is written).
    fields : dict
        Per field of ``template``: one text for every row; an Arrow string array or an object array of
        texts, one per row; or ``("area", m2)`` / ``("percent", ratios)`` (float arrays) for
        :func:`area_texts` and :func:`percent_texts`.
    notes, joined : object array of str, str, optional
        A note per row (``""``: none), joined to the message by ``joined`` (translated, with fields
        ``{message}`` and ``{note}``).

    Examples
    --------
    >>> import pyarrow as pa
    >>> later = WordedLater("{id}: {area}, {ratio}", {"id": pa.array(["a", "b"]),
    ...                     "area": ("area", np.array([1.5, 2.0])), "ratio": ("percent", np.array([0.5, np.nan]))},
    ...                     notes=np.array(["", "small"], dtype=object), joined="{message}; {note}")
    >>> later.take(np.array([1, 0])).to_pylist()
    ['b: 2.00 m² (0.0000 km²), n/a; small', 'a: 1.50 m² (0.0000 km²), 50.00%']
    """

    def __init__(self, template: str, fields: dict, *, notes=None, joined: str | None = None):
        self.template = template
        self.fields = fields
        self.notes = notes
        self.joined = joined
        sizes = {len(v[1]) if isinstance(v, tuple) else len(v) for v in fields.values() if not isinstance(v, str)}
        if notes is not None:
            sizes.add(len(notes))
        if len(sizes) != 1:
            raise ValueError(f"fields of one chunk must have one length each, got {sorted(sizes)}")
        self._n = sizes.pop()

    def __len__(self) -> int:
        return self._n

    def take(self, rows):
        import pyarrow as pa
        import pyarrow.compute as pc

        rows = np.asarray(rows, dtype=np.int64)
        values = {}
        for name, value in self.fields.items():
            if isinstance(value, str):
                values[name] = value
            elif isinstance(value, tuple):
                kind, numbers = value
                values[name] = (area_texts if kind == "area" else percent_texts)(numbers[rows])
            elif isinstance(value, pa.Array):
                values[name] = value.take(pa.array(rows))
            else:
                values[name] = text_array(value[rows])
        messages = filled(self.template, **values)
        if self.notes is not None:
            notes = self.notes[rows]
            noted = notes != ""
            if noted.any():
                mask = pa.array(noted)
                with_note = filled(self.joined, message=messages.filter(mask), note=text_array(notes[noted]))
                messages = pc.replace_with_mask(messages, mask, with_note)
        return messages
