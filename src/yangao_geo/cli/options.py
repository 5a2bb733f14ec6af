"""Option values shared by the commands."""

from __future__ import annotations

__all__ = ["crs_option"]


def crs_option(value: str | None) -> str | None:
    """``--crs 4547`` as ``EPSG:4547``; any other CRS text as given.

    Examples
    --------
    >>> crs_option("4547"), crs_option("EPSG:4526"), crs_option(None)
    ('EPSG:4547', 'EPSG:4526', None)
    """
    if value is not None and value.strip().isdigit():
        return f"EPSG:{value.strip()}"
    return value
