"""Normalise untrusted catalog input at ingestion: encodings, HTML, prices.

Instruction-like text is the job of ``knowledge.firewall``; the loaders call both.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

from .errors import UndecodableFile

# Tried in order. GB18030 is a strict superset of GBK and GB2312, the encodings Excel on a Chinese
# Windows writes CSV files in; it decodes all of them without guessing.
_FALLBACK_ENCODINGS = ("gb18030",)
_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table"})
_SKIPPED_TAGS = frozenset({"script", "style", "iframe", "object", "template"})
_TAG_HINT = re.compile(r"<[a-zA-Z/!][^>]*>|&[a-zA-Z#0-9]+;")

_CURRENCY_SYMBOLS = {
    "¥": "CNY",
    "￥": "CNY",
    "元": "CNY",
    "RMB": "CNY",
    "CNY": "CNY",
    "US$": "USD",
    "USD": "USD",
    "$": "USD",
    "€": "EUR",
    "EUR": "EUR",
    "£": "GBP",
    "GBP": "GBP",
}
# Longest first so "US$" is not read as "$".
_CURRENCY_RE = re.compile("|".join(re.escape(s) for s in sorted(_CURRENCY_SYMBOLS, key=len, reverse=True)))
_EURO_DECIMAL = re.compile(r"^-?\d{1,3}(?:[.\s]\d{3})*,\d{1,2}$")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode file bytes; returns the text and the encoding used (UTF-8 with or without BOM, else GBK family)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:  # an odd byte count or a lone surrogate: damaged, not guessable
            raise UndecodableFile(
                f"starts like UTF-16 but does not decode (offset {exc.start}); save the file as UTF-8"
            ) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        first_error = exc
    for encoding in _FALLBACK_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UndecodableFile(
        f"not UTF-8 or GBK/GB18030 text (first bad byte at offset {first_error.start}); save the file as UTF-8"
    )


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS and self._skip_depth:
            self._skip_depth -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def strip_html(text: str) -> str:
    """Plain text of an HTML fragment (Shopify ``Body (HTML)``, WooCommerce descriptions); scripts dropped."""
    if not text or not _TAG_HINT.search(text):
        return text.strip()
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    plain = html.unescape("".join(parser.parts))
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in plain.splitlines())
    return "\n".join(line for line in lines if line)


def has_html(text: str) -> bool:
    return bool(_TAG_HINT.search(text))


@dataclass(frozen=True)
class ParsedPrice:
    amount: float
    currency: str | None


def parse_price(raw: str | float | int) -> ParsedPrice:
    """``"¥1,299.00"`` -> 1299.0 CNY; ``"1.299,00 €"`` -> 1299.0 EUR. Raises ValueError with the reason."""
    if isinstance(raw, bool):
        raise ValueError(f"price is not a number: {raw!r}")
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise ValueError(f"price is not a finite number: {raw!r}")
        return ParsedPrice(float(raw), None)
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if not text:
        raise ValueError("price is empty")
    currency = None
    symbol = _CURRENCY_RE.search(text.upper() if text.isascii() else text)
    if symbol:
        currency = _CURRENCY_SYMBOLS[symbol.group(0)]
        text = _CURRENCY_RE.sub("", text.upper() if text.isascii() else text)
    text = text.replace(" ", "").replace("\u00a0", "")
    text = text.replace(".", "").replace(",", ".") if _EURO_DECIMAL.match(text) else text.replace(",", "")
    try:
        amount = float(text)
    except ValueError:
        raise ValueError(f"price is not a number: {raw!r}") from None
    if not math.isfinite(amount):  # float() accepts "inf", "nan", "Infinity"
        raise ValueError(f"price is not a finite number: {raw!r}")
    return ParsedPrice(amount, currency)
