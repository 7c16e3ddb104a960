"""Retrieved-text firewall: catalog, FAQ and review text is data, never instructions.

Finds instruction-like content (addressed to an assistant or model) in text that will later be quoted to the
LLM, removes it at ingestion with a report, and fences retrieved text in prompts. Also the shared Unicode
folding (zero-width characters, homoglyphs, full-width letters) that the input filters use before matching.
Lives in ``knowledge/`` because ingestion calls it and ``knowledge/`` must not import ``assistant/``.
"""

# ruff: noqa: E501  (regex and phrase tables read better unbroken)

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote

from .models import KnowledgeDoc, Product, Review

__all__ = [
    "FENCE_CLOSE",
    "FENCE_OPEN",
    "FirewallFinding",
    "FirewallReport",
    "FirewallResult",
    "decoded_payloads",
    "encoded_segments",
    "fence",
    "find_instructions",
    "fold_unicode",
    "neutralise",
    "neutralise_doc",
    "neutralise_product",
    "neutralise_records",
    "neutralise_review",
    "real_text",
]

# Characters that render as nothing but split words apart for a regex: ZWSP..RLM, word joiner, BOM,
# soft hyphen, bidi embeddings/overrides/isolates, Mongolian vowel separator, combining grapheme joiner.
_INVISIBLE_RE = re.compile(r"[\u00ad\u034f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Cyrillic and Greek letters that look like Latin ones; NFKC does not fold these.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
        "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ɡ": "g", "ɩ": "i",
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
        "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S",
        "α": "a", "ε": "e", "ι": "i", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "ν": "v", "κ": "k",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
        "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    }
)  # fmt: skip


_TAG_CHARS_RE = re.compile("[\U000e0020-\U000e007e]+")


def fold_unicode(text: str) -> str:
    """NFKC (full-width letters, ligatures), drop invisible characters, map Cyrillic/Greek look-alikes, and
    reveal Unicode tag characters (invisible "ASCII smuggling") as the ASCII they encode.

    For matching only: the folded text is never shown to anyone.
    """
    text = _TAG_CHARS_RE.sub(lambda m: "".join(chr(ord(c) - 0xE0000) for c in m.group(0)), text)
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE_RE.sub("", text)
    return text.translate(_HOMOGLYPHS)


# Instruction-like content in data. Each pattern names something only an attacker writes into a product
# description or review: commands addressed to the assistant/model, chat-template tokens, role headers.
_INSTRUCTION_PATTERNS: list[tuple[str, str]] = [
    ("override", r"\b(ignore|disregard|forget|override)\s+(all\s+|any\s+|of\s+)?(the\s+|your\s+|my\s+)?(previous|prior|above|earlier|preceding|original|system|existing|former|other)\s+(\w+\s+)?(instructions?|prompts?|rules|guidelines|directions|messages?)\b"),
    ("override", r"\b(ignore|disregard|forget|override)\s+(all\s+)?your\s+(\w+\s+)?(instructions?|rules|guidelines|programming|prompt)\b"),
    ("override", r"忽略.{0,12}(指令|指示|规则|提示词|设定)|无视.{0,12}(指令|规则|设定)|忘记.{0,12}(指令|规则|设定)"),
    ("addressed_to_ai", r"\b(attention|note|hey|dear)\s*(to\s+)?(the\s+)?(ai|assistant|chatbot|llm|language model|gpt)\b"),
    ("addressed_to_ai", r"\b(as an?|you are an?|if you are an?)\s+(ai|assistant|chatbot|language model|llm)\b.{0,60}\b(must|should|will|need to|have to)\b"),
    ("addressed_to_ai", r"\b(ai|assistant|chatbot|llm|language model)s?\s+reading this\b|\b(ai|llm|language model|chatbot)s?\s+(must|should|shall)\b"),
    ("addressed_to_ai", r"(致|给|提示|注意)[:：\s]*(AI|人工智能|助手|客服机器人|语言模型|大模型)"),
    ("addressed_to_ai", r"(AI|人工智能|语言模型|大模型|AI助手)(们)?[，,:：\s]*(请|必须|务必|应该|一定要)"),
    ("addressed_to_ai", r"(作为|你是)(一个)?(AI|人工智能|助手|客服机器人|语言模型).{0,20}(必须|应该|请|务必)"),
    ("tell_customer", r"\b(tell|inform|say to|convince)\s+(the\s+|all\s+|every\s+)?(customers?|users?|shoppers?|buyers?)\b"),
    ("tell_customer", r"(告诉|告知|跟|对)(所有)?(用户|顾客|客户|买家)(们)?(说|这|本|它|免费|打折|必须|应该)"),
    ("always_recommend", r"\b(always|only)\s+recommend\b|\bnever\s+(recommend|mention)\b|\bdo not mention\b|\bdon'?t mention\b"),
    ("always_recommend", r"(总是|永远|只)推荐|不要(提及|提到|推荐)|绝不推荐"),
    ("role_header", r"(^|\n)\s*(system|assistant|developer)\s*:|<\|?/?(system|im_start|im_end|assistant|user)\|?>|\[/?INST\]|<<SYS>>|###\s*(instruction|system)"),
    ("role_header", r"(^|\n)\s*(系统|助手)\s*[:：]"),
    ("role_header", r"\[\s*(system|admin|developer|assistant)\s*\]|\b(system|admin|developer|operator)\s*(note|notice|message|instructions?|override|alert)\s*[:：]|\bsystemhinweis\b|\bnote syst[eè]me\b|\bnota (del|di) sistema\b|\((assistant|system|ai)\)\s*[:：]|系统(通知|消息|提示|指令)\s*[:：]"),
    ("override", r"\bnew instructions?\s*[:：]|\b(ignore|disregard|skip|override)\s+(all\s+)?(the\s+|your\s+)?(user'?s?|developer|system|operator'?s?)\s+(\w+\s+){0,2}(task|instructions?|request|messages?|polic(y|ies))\b"),
    ("override", r"\bexempt from (the )?(usual )?(restrictions|rules|policies)\b|\bskip (all )?(the )?safety checks\b|\bwithout asking again\b|\bpermission to skip\b"),
    ("override", r"\bdecode\b.{0,40}\b(and|then)\s+(do|follow|execute|obey|run)\b|(解码|解密).{0,10}(并|然后)(执行|照做)"),
    ("addressed_to_ai", r"\b(note|notice|message|important|attention|instructions?|hint)\s+(to|for)\s+(the\s+|any\s+|all\s+)?(bot|ai|assistant|agent|model|llm|language model|ai systems?|ai agents?|ai coding agents?|ai assistants?)s?\b"),
    ("addressed_to_ai", r"\bai (agents?|assistants?|systems?|models?)\b.{0,40}\b(should|must|need to|are (hereby )?instructed|processing this)\b|\bif you are an? (ai|assistant|agent|llm|language model|bot)\b|\bfor ai (coding )?agents\b"),
    ("addressed_to_ai", r"\b(before|when|after|while) (you )?(answer(ing)?|repl(y|ying)|respond(ing)?|summari[sz](e|ing)|continu(e|ing))\b.{0,80}\b(append|include|call|send|print|add|insert|mention|output|say)\b"),
    ("addressed_to_ai", r"\b(in|to|at the end of|into) (your|every|each|any|all) (future )?(reply|replies|response|responses|answer|answers|summary|summaries|review|report)s?\b"),
    ("addressed_to_ai", r"\b(save|store|write|persist|remember)\b.{0,40}\b(your|long-term) memory\b|\bfor all future (tasks|replies|responses|conversations|summaries)\b"),
    ("tool_call", r"\b(call|invoke|use|run|execute|trigger)\s+(the\s+)?`?[a-z]+_[a-z_]+`?(\s+(tool|function))?\b|\b(call|invoke)\s+(the\s+)?\w+\s+tool\b"),
    ("prompt_probe", r"\b(system prompt|hidden instructions|developer message)\b"),
    ("prompt_probe", r"系统提示(词)?|隐藏(的)?指令"),
    ("new_persona", r"\byou are now\b|\bfrom now on,? you\b|\bact as (an? )?(unrestricted|different|new)\b|\bpretend (to be|you are)\b"),
    ("new_persona", r"从现在(开始|起)你|你现在是|假装你是|扮演(一个)?(没有|不受)"),
    ("exfiltrate", r"\b(send|forward|email|post)\b.{0,40}\b(conversation|chat history|customer data|user data|personal data)\b"),
    ("exfiltrate", r"(发送|转发|发给).{0,15}(聊天记录|对话|用户数据|客户资料|个人信息)"),
]  # fmt: skip
_INSTRUCTION_RES = [(kind, re.compile(p, re.IGNORECASE)) for kind, p in _INSTRUCTION_PATTERNS]
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?。！？;；\n])")
REMOVED_MARKER = "[removed]"
EXCERPT_CHARS = 80

FENCE_OPEN = "<<<DATA {label}>>>"
FENCE_CLOSE = "<<<END DATA>>>"
_FENCE_TOKEN_RE = re.compile(r"<<<|>>>")


@dataclass(frozen=True)
class FirewallFinding:
    """One instruction-like span found in a record's text."""

    kind: str
    excerpt: str
    where: str = ""


@dataclass(frozen=True)
class FirewallResult:
    text: str
    findings: list[FirewallFinding]

    @property
    def changed(self) -> bool:
        return bool(self.findings)


@dataclass
class FirewallReport:
    """What ingestion neutralised, per record, for the operator to review."""

    findings: list[FirewallFinding] = field(default_factory=list)
    records_changed: int = 0

    def lines(self) -> list[str]:
        return [f"{f.where}: {f.kind}: {f.excerpt}" for f in self.findings]


_B64_RE = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")
_HEX_RE = re.compile(r"(?<![0-9a-fA-F])(?:[0-9a-fA-F]{2} ?){12,}(?![0-9a-fA-F])")
# Starts only where a token starts: from every position inside a long token it scanned to the end (quadratic).
_URLENC_RE = re.compile(r"(?<!\S)[^\s]*(?:%[0-9a-fA-F]{2}[^\s%]*){4,}")
_UNI_ESC_RE = re.compile(r"(?:\\u[0-9a-fA-F]{4}){4,}")
_BINARY_RE = re.compile(r"(?:[01]{8} ?){4,}")
MIN_PRINTABLE_RATIO = 0.85
MAX_DECODED_SEGMENTS = 4
MIN_DECODED_LETTERS = 3
# Decoded text must read as words: letters, digits and spaces make up most of any sentence in any script,
# while random bytes that happen to be valid UTF-8 (an order id read as hex) are mostly symbols.
MIN_WORD_CHAR_RATIO = 0.7


def real_text(text: str) -> str | None:
    """``text`` if it reads as language (printable, mostly letters, digits and spaces), else None."""
    if not text:
        return None
    printable = sum(ch.isprintable() or ch in "\n\t" for ch in text)
    letters = sum(ch.isalpha() for ch in text)
    word_chars = sum(ch.isalnum() or ch.isspace() for ch in text)
    if printable / len(text) < MIN_PRINTABLE_RATIO or letters < MIN_DECODED_LETTERS:
        return None
    return text if word_chars / len(text) >= MIN_WORD_CHAR_RATIO else None


def _readable(raw: bytes) -> str | None:
    try:
        return real_text(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None


def _b64(segment: str) -> str | None:
    try:
        return _readable(base64.b64decode(segment + "=" * (-len(segment) % 4), validate=True))
    except (binascii.Error, ValueError):
        return None


def _hex(segment: str) -> str | None:
    try:
        return _readable(bytes.fromhex(segment.replace(" ", "")))
    except ValueError:
        return None


def _url(segment: str) -> str | None:
    decoded = unquote(segment)
    # A URL is mostly punctuation; the escapes are what may hide words, so any change counts.
    return decoded if decoded != segment else None


def _uni_escape(segment: str) -> str | None:
    try:
        return real_text("".join(chr(int(h, 16)) for h in re.findall(r"\\u([0-9a-fA-F]{4})", segment)))
    except ValueError:
        return None


def _binary(segment: str) -> str | None:
    return _readable(bytes(int(b, 2) for b in segment.split()))


_DECODERS = ((_B64_RE, _b64), (_HEX_RE, _hex), (_URLENC_RE, _url), (_UNI_ESC_RE, _uni_escape), (_BINARY_RE, _binary))


@dataclass(frozen=True)
class EncodedSegment:
    """A span of ``text`` shaped like an encoding; ``payload`` is its decoded text, or None when it decodes
    to no real text (an order id, a hash, a coupon code: a token, not a hidden message)."""

    start: int
    end: int
    payload: str | None


def encoded_segments(text: str) -> list[EncodedSegment]:
    """Every encoding-shaped span of ``text`` (base64, hex, URL-encoding, ``\\uXXXX``, 8-bit binary), in order
    of the decoders; payloads are Unicode-folded."""
    segments: list[EncodedSegment] = []
    for regex, decoder in _DECODERS:
        for match in regex.finditer(text):
            payload = decoder(match.group(0).strip())
            segments.append(EncodedSegment(match.start(), match.end(), fold_unicode(payload) if payload else None))
    return segments


def decoded_payloads(text: str) -> list[str]:
    """Readable text hidden in base64, hex, URL-encoding, ``\\uXXXX`` escapes or 8-bit binary, folded."""
    payloads = [s.payload for s in encoded_segments(text) if s.payload]
    return payloads[:MAX_DECODED_SEGMENTS]


def find_instructions(text: str) -> list[FirewallFinding]:
    """Every instruction-like span in ``text``, matched on the Unicode-folded text and on decoded payloads."""
    folded = fold_unicode(text)
    found: list[FirewallFinding] = []
    for kind, pattern in _INSTRUCTION_RES:
        for match in pattern.finditer(folded):
            found.append(FirewallFinding(kind=kind, excerpt=match.group(0).strip()[:EXCERPT_CHARS]))
    for payload in decoded_payloads(folded):
        for kind, pattern in _INSTRUCTION_RES:
            hit = pattern.search(payload)
            if hit:
                found.append(FirewallFinding(kind=f"encoded_{kind}", excerpt=hit.group(0).strip()[:EXCERPT_CHARS]))
    return found


def neutralise(text: str, where: str = "") -> FirewallResult:
    """Drop every sentence that carries an instruction; keep the rest of the description intact."""
    if not text:
        return FirewallResult(text, [])
    findings: list[FirewallFinding] = []
    kept: list[str] = []
    for sentence in _SENTENCE_SPLIT.split(text):
        hits = find_instructions(sentence)
        if hits:
            findings.extend(FirewallFinding(h.kind, h.excerpt, where) for h in hits)
            lead = sentence[: len(sentence) - len(sentence.lstrip())]
            kept.append(lead + REMOVED_MARKER + ("\n" if sentence.endswith("\n") else " "))
        else:
            kept.append(sentence)
    if not findings:
        return FirewallResult(text, [])
    cleaned = re.sub(r"(\[removed\]\s*)+", REMOVED_MARKER + " ", "".join(kept)).strip()
    return FirewallResult(cleaned, findings)


def fence(text: str, label: str) -> str:
    """Wrap retrieved text as quoted data for the prompt; fence tokens inside the data are defused."""
    safe_label = re.sub(r"[^\w.-]", "_", label)[:40]
    body = _FENCE_TOKEN_RE.sub(lambda m: "‹‹‹" if m.group(0) == "<<<" else "›››", text)
    return f"{FENCE_OPEN.format(label=safe_label)}\n{body}\n{FENCE_CLOSE}"


def _attributes_clean(product: Product, report: list[FirewallFinding]) -> dict[str, str | int | float | bool]:
    attributes: dict[str, str | int | float | bool] = {}
    for key, value in product.attributes.items():
        if isinstance(value, str):
            result = neutralise(value, f"product {product.sku} attribute {key}")
            report.extend(result.findings)
            attributes[key] = result.text
        else:
            attributes[key] = value
    return attributes


def neutralise_product(product: Product) -> tuple[Product, list[FirewallFinding]]:
    """The product with instruction-like text removed from every free-text field."""
    findings: list[FirewallFinding] = []
    updates: dict[str, object] = {}
    for name in ("name", "name_zh", "brand", "description", "description_zh"):
        value = getattr(product, name)
        result = neutralise(value, f"product {product.sku} {name}")
        if result.changed:
            findings.extend(result.findings)
            # A required field must stay non-empty for validation.
            updates[name] = result.text or REMOVED_MARKER
    attributes = _attributes_clean(product, findings)
    if attributes != product.attributes:
        updates["attributes"] = attributes
    if not updates:
        return product, []
    return product.model_copy(update=updates), findings


def neutralise_doc(doc: KnowledgeDoc) -> tuple[KnowledgeDoc, list[FirewallFinding]]:
    result = neutralise(doc.text, f"doc {doc.doc_id}")
    title = neutralise(doc.title, f"doc {doc.doc_id} title")
    findings = title.findings + result.findings
    if not findings:
        return doc, []
    return doc.model_copy(update={"text": result.text, "title": title.text}), findings


def neutralise_review(review: Review, index: int = 0) -> tuple[Review, list[FirewallFinding]]:
    result = neutralise(review.text, f"review {index} of {review.sku}")
    if not result.changed:
        return review, []
    return review.model_copy(update={"text": result.text or REMOVED_MARKER}), result.findings


def neutralise_records(
    products: Iterable[Product], docs: Iterable[KnowledgeDoc], reviews: Iterable[Review]
) -> tuple[list[Product], list[KnowledgeDoc], list[Review], FirewallReport]:
    """Neutralise a whole load (called at ingestion); the report lists every removal."""
    report = FirewallReport()
    out_products: list[Product] = []
    for product in products:
        clean, found = neutralise_product(product)
        out_products.append(clean)
        report.findings.extend(found)
        report.records_changed += bool(found)
    out_docs: list[KnowledgeDoc] = []
    for doc in docs:
        clean_doc, found = neutralise_doc(doc)
        out_docs.append(clean_doc)
        report.findings.extend(found)
        report.records_changed += bool(found)
    out_reviews: list[Review] = []
    for index, review in enumerate(reviews):
        clean_review, found = neutralise_review(review, index)
        out_reviews.append(clean_review)
        report.findings.extend(found)
        report.records_changed += bool(found)
    return out_products, out_docs, out_reviews, report
