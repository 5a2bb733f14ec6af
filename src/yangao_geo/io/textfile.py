"""Reading the text exchange formats: encoding detection (GBK by default, UTF-8 with or without BOM).

Examples
--------
>>> decode_text("地块".encode("gbk"))
('地块', 'gb18030')
>>> decode_text("\\ufeff地块".encode("utf-8"))
('地块', 'utf-8-sig')
"""

from __future__ import annotations

from pathlib import Path

from ..errors import DataSourceError

__all__ = ["decode_text", "read_text_lines"]


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes as strict UTF-8 (BOM stripped) when possible, else as GB18030 (⊇ GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise DataSourceError(f"text is neither UTF-8 nor GBK/GB18030 (byte {exc.start})") from None


def read_text_lines(path: str | Path, encoding: str | None = None) -> tuple[list[str], str]:
    """Lines of a text file (without line ends) and the encoding used."""
    data = Path(path).read_bytes()
    if encoding:
        try:
            return data.decode(encoding).splitlines(), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise DataSourceError(f"{path}: cannot decode as {encoding}: {exc}") from None
    try:
        text, used = decode_text(data)
    except DataSourceError as exc:
        raise DataSourceError(f"{path}: {exc}") from None
    return text.splitlines(), used
