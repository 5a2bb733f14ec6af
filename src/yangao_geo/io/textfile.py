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
from ..i18n import t

__all__ = ["decode_text", "line_layout", "read_text_lines"]


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig", "utf-8"),
    (b"\xff\xfe", "utf-16-le", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be", "utf-16-be"),
)


def decode_text(data: bytes, *, partial: bool = False) -> tuple[str, str]:
    """Decode bytes: by their BOM (UTF-8, UTF-16LE/BE — an ArcEngine exporter writes wchar_t), else strict
    UTF-8, else GB18030 (⊇ GBK). ``partial``: the bytes are the head of a file (a character may be cut)."""
    for bom, label, codec in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            if partial and codec.startswith("utf-16") and len(body) % 2:
                body = body[:-1]
            return body.decode(codec, errors="ignore" if partial else "strict"), label
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise DataSourceError(t("text is neither UTF-8 nor GBK/GB18030 (byte {start})", start=exc.start)) from None


def read_text_lines(path: str | Path, encoding: str | None = None) -> tuple[list[str], str]:
    """Lines of a text file (without line ends: CRLF, LF and a lone CR alike) and the encoding used."""
    data = Path(path).read_bytes()
    if encoding:
        try:
            text = data.decode(encoding)
            return text.lstrip("\ufeff").splitlines(), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise DataSourceError(
                t("{path}: cannot decode as {encoding}: {exc}", path=path, encoding=encoding, exc=exc)
            ) from None
    try:
        text, used = decode_text(data)
    except DataSourceError as exc:
        raise DataSourceError(t("{path}: {exc}", path=path, exc=exc)) from None
    return text.splitlines(), used


def line_layout(data: bytes, text: str) -> dict:
    r"""How a text file ends its lines, so a writer can keep it: the newline, a final newline, a BOM.

    Examples
    --------
    >>> line_layout(b"a\r\nb\r\n", "a\r\nb\r\n")["newline"]
    '\r\n'
    """
    newline = "\r\n" if "\r\n" in text else "\r" if "\r" in text and "\n" not in text else "\n"
    return {
        "newline": newline,
        "final_newline": text.endswith(("\n", "\r")),
        #: the characters after the last line exactly (a CRLF file may end in a lone CR)
        "final": text[len(text.rstrip("\r\n")) :][:2] if text.endswith(("\n", "\r")) else "",
        "bom": data[:3] == b"\xef\xbb\xbf" or data[:2] in (b"\xff\xfe", b"\xfe\xff"),
    }
