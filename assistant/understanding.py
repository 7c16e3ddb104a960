"""Understand one shopper message: intent, slots (category, budget, use, brand, must-haves) and named products.

Rules and lexicons, not a model: they run in well under a millisecond, are predictable, and the
catalog itself supplies the vocabulary (categories, brands, attribute keys, product names, SKUs).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .conversation import Slots
from .lexicon import first_contained, lexicon, use_labels, use_words
from .superlatives import parse_measure_order, parse_sort
from .support import is_yes_no_question, phrases, terms
from .types import Intent, Language
from .vocabulary import SKU_RE, CatalogVocabulary

MAX_ITEM_CHARS = 40  # an asked-for kind ("do you sell X?") is a short noun phrase; longer captures are sentences
MIN_KIND_CHARS = 3  # an English word shorter than this is not taken for the name of a kind
MAX_KIND_PHRASES = 4  # leftover phrases compared with the categories by embedding, per message
# Use-case words and labels come from ``data/lexicon.json`` (kept importable under their old names).
USE_WORDS: dict[str, tuple[str, ...]] = use_words()
USE_LABELS: dict[str, tuple[str, str]] = use_labels()
# Intent words (shop-independent) live in ``data/intents.json``; a shop's own words come from its catalog.
_INTENTS = json.loads((Path(__file__).resolve().parent / "data" / "intents.json").read_text(encoding="utf-8"))
STOCK_WORDS: tuple[str, ...] = tuple(_INTENTS["stock_words"])
GREETING_WORDS: tuple[str, ...] = tuple(_INTENTS["greeting_words"])
# Asking for a person, complaining or demanding a refund: a colleague should take over.
HUMAN_WORDS: tuple[str, ...] = tuple(_INTENTS["human_words"])
# Bare words that mean "a person, please" only when they are (nearly) the whole message:
# "customer service hours?" is a policy question, "客服" alone is a request.
BARE_HUMAN_WORDS: tuple[str, ...] = tuple(_INTENTS["bare_human_words"])
BARE_HUMAN_MAX_CHARS = 24
POLICY_WORDS: tuple[str, ...] = tuple(_INTENTS["policy_words"])
COMPARE_WORDS: tuple[str, ...] = tuple(_INTENTS["compare_words"])
INFO_WORDS: tuple[str, ...] = tuple(_INTENTS["info_words"])
RECOMMEND_WORDS: tuple[str, ...] = tuple(_INTENTS["recommend_words"])
JUST_RECOMMEND_WORDS: tuple[str, ...] = tuple(_INTENTS["just_recommend_words"])
ORDINALS: dict[str, int] = {word: int(index) for word, index in _INTENTS["ordinals"].items()}
AROUND_TOLERANCE = 0.2  # "around 500" means 400..600

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_NUM = r"(\d+(?:[.,]\d+)?\s*(?:k|K|千|万|w|W)?|[零一二两三四五六七八九十百千万]+)"
# Currency words around an amount; a shop may price in dollars or euros as well as yuan.
_CUR = r"(?:¥|￥|\$|€|£|rmb|cny|yuan|usd|us\$|dollars?|eur|euros?|元|块钱|块|美元|欧元)?"


def cn_to_number(text: str) -> float | None:
    """Chinese numerals to a number ("两千" -> 2000, "三百五" -> 350)."""
    total, section, digit = 0, 0, 0
    last_unit = 1
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit == _CN_UNITS["万"]:
                total = (total + section + digit) * unit
                section, digit = 0, 0
            else:
                section += (digit or 1) * unit
                digit = 0
            last_unit = unit
        else:
            return None
    if digit and last_unit >= _CN_UNITS["百"]:
        # "三百五" means 350: a trailing digit counts in the next lower unit.
        digit *= last_unit // 10
    return float(total + section + digit)


def parse_amount(raw: str) -> float | None:
    raw = raw.strip().replace(",", "")
    if not raw:
        return None
    if re.fullmatch(r"[零一二两三四五六七八九十百千万]+", raw):
        return cn_to_number(raw)
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(k|K|千|万|w|W)?", raw)
    if not match:
        return None
    value = float(match.group(1))
    unit = (match.group(2) or "").lower()
    if unit in ("k", "千"):
        value *= 1000
    elif unit in ("w", "万"):
        value *= 10000
    return value


_BUDGET_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"(?:between|from)\s*{_CUR}\s*{_NUM}\s*{_CUR}\s*(?:and|to|-)\s*{_CUR}\s*{_NUM}", re.I), "range"),
    (re.compile(rf"{_CUR}\s*{_NUM}\s*{_CUR}\s*(?:-|~|～|到|至|to)\s*{_CUR}\s*{_NUM}\s*{_CUR}", re.I), "range"),
    (
        re.compile(
            r"(?:under|below|less than|cheaper than|max(?:imum)?|at most|up to|within|no more than|<)"
            rf"\s*{_CUR}\s*{_NUM}",
            re.I,
        ),
        "max",
    ),
    (re.compile(rf"{_CUR}\s*{_NUM}\s*{_CUR}\s*(?:or less|and under|and below|max)", re.I), "max"),
    (re.compile(rf"(?:不超过|低于|少于|小于|最多|不到|别超过){_CUR}\s*{_NUM}"), "max"),
    (re.compile(rf"{_NUM}\s*{_CUR}\s*(?:以内|以下|之内|内|封顶)"), "max"),
    (re.compile(rf"(?:over|above|more than|at least|>)\s*{_CUR}\s*{_NUM}", re.I), "min"),
    (re.compile(rf"(?:超过|高于|至少|不低于){_CUR}\s*{_NUM}"), "min"),
    (re.compile(rf"{_NUM}\s*{_CUR}\s*(?:以上|起)"), "min"),
    (re.compile(rf"(?:around|about|roughly|approximately|~)\s*{_CUR}\s*{_NUM}", re.I), "around"),
    (re.compile(rf"{_NUM}\s*{_CUR}\s*(?:左右|上下)"), "around"),
    (re.compile(rf"(?:budget(?: is| of)?|预算(?:是|为|大概|在)?)\s*:?\s*{_CUR}\s*{_NUM}", re.I), "max"),
    (re.compile(rf"(?:¥|￥)\s*{_NUM}"), "max"),
)


def parse_budget(text: str) -> tuple[float | None, float | None]:
    """(min, max) price from phrases like "under 500", "300-500元", "两千以内", "around 1k"."""
    for pattern, kind in _BUDGET_RULES:
        match = pattern.search(text)
        if not match:
            continue
        if kind == "range":
            low, high = parse_amount(match.group(1)), parse_amount(match.group(2))
            if low is not None and high is not None:
                return (min(low, high), max(low, high))
            continue
        value = parse_amount(match.group(1))
        if value is None:
            continue
        if kind == "max":
            return (None, value)
        if kind == "min":
            return (value, None)
        return (value * (1 - AROUND_TOLERANCE), value * (1 + AROUND_TOLERANCE))
    return (None, None)


def _contains(text: str, words: Iterable[str]) -> str | None:
    """First word found; ASCII words must match on word boundaries ("bag" not in "baggage")."""
    return first_contained(text, words)


__all__ = ["SKU_RE", "CatalogVocabulary", "Understander", "Understanding", "cn_to_number", "parse_budget"]


@dataclass
class Understanding:
    intent: Intent
    slots: Slots
    named_skus: list[str] = field(default_factory=list)
    not_carried: str | None = None
    just_recommend: bool = False
    reset_need: bool = False


class Understander:
    """Turns text plus conversation context into intent, slots and product references."""

    def __init__(self, vocabulary: CatalogVocabulary) -> None:
        self.vocabulary = vocabulary

    def category_of(self, text: str) -> str | None:
        found = self.vocabulary.category_match(text)
        return found[1] if found else None

    def understand(self, text: str, language: Language, last_skus: Sequence[str], has_need: bool) -> Understanding:
        lowered = " " + text.lower().strip() + " "
        slots = Slots()
        category = self.vocabulary.category_match(lowered)
        slots.category = category[1] if category else None
        slots.price_min, slots.price_max = parse_budget(lowered)
        # "running shoes" names a category, not a use: look for uses outside the category words.
        use_text = lowered.replace(category[0], " ") if category else lowered
        for use, words in USE_WORDS.items():
            if _contains(use_text, words):
                slots.use = use
                break
        for brand in self.vocabulary.brands:
            if _contains(lowered, [brand.lower()]):
                slots.brand = brand
                break
        slots.in_stock_only = _contains(lowered, STOCK_WORDS) is not None
        slots.sort = parse_sort(lowered)
        measured = None if slots.sort else parse_measure_order(lowered)
        if measured is not None:
            slots.sort_measure, direction = measured
            slots.sort = "measure_asc" if direction == "asc" else "measure_desc"

        named = self.vocabulary.named_skus(text)
        if not named:
            named = _resolve_reference(lowered, last_skus)
        not_carried = None
        if slots.category is None and not named:
            not_carried = self._kind_by_meaning(lowered, slots)
        for words, key, value in self.vocabulary.attribute_words:
            if _contains(lowered, words) and self.vocabulary.fits(key, value, slots.category):
                slots.attributes[key] = value
        just = _contains(lowered, JUST_RECOMMEND_WORDS) is not None
        intent = self._intent(lowered, slots, named, not_carried, has_need=has_need, just=just)
        return Understanding(intent=intent, slots=slots, named_skus=named, not_carried=not_carried, just_recommend=just)

    def _kind_by_meaning(self, lowered: str, slots: Slots) -> str | None:
        """No category word matched: find the kind asked for by meaning; returns it when the shop has none.

        "Do you sell X?" with an X that names nothing of the catalog (no category, brand, product, attribute
        or use, nor a category close by embedding) is a kind the shop does not carry. In other shopping
        requests a leftover noun ("最便宜的洗碗机" in a catalog without zh names) may still name a category.
        """
        item = asked_item(lowered)
        if item is not None:
            if self.vocabulary.knows(" " + item + " "):
                return None
            # "anything for hiking", "防水的" name a use or a must-have, not a kind; "board games" is a kind
            # even though "games" is a use word.
            if not self._names_a_kind(item):
                return None
            phrases = kind_phrases(" " + item + " ", self.vocabulary)
            nearest = self.vocabulary.nearest_category([item, *phrases])
            if nearest is None:
                # Named as the lexicon spells it when listed there ("tvs" -> "tv"), else in the shopper's words.
                return _contains(" " + item + " ", lexicon().not_carried) or item
            slots.category = nearest
            return None
        shopping = (
            slots.has_budget
            or _contains(lowered, RECOMMEND_WORDS) is not None
            or _contains(lowered, STOCK_WORDS) is not None
            or _contains(lowered, lexicon().request_words) is not None
        )
        if shopping:
            phrases = kind_phrases(lowered, self.vocabulary)
            if phrases:
                slots.category = self.vocabulary.nearest_category(phrases)
        if slots.category is None:
            return _contains(lowered, lexicon().not_carried)
        return None

    def _names_a_kind(self, item: str) -> bool:
        """Something is left of the item once function, generic, use and must-have words are taken out."""
        lex = lexicon()
        known = {w for words in lex.use_words.values() for w in words}
        # Must-have words of the catalog and of the defaults describe a property, never a kind ("防水的").
        known |= {w for words, _, _ in (*self.vocabulary.attribute_words, *lex.attribute_words) for w in words}
        known |= set(lex.function_words["zh"]) | lex.generic_words["zh"]
        rest = " " + item + " "
        for word in sorted(known, key=len, reverse=True):
            if not word.isascii():
                rest = rest.replace(word, " ")
        skip = set(lex.function_words["en"]) | lex.generic_words["en"] | {w for w in known if w.isascii()}
        words = [w for w in re.findall(r"[a-z][a-z'\-]*", rest) if w not in skip and len(w) >= MIN_KIND_CHARS]
        return bool(words or re.search(r"[\u4e00-\u9fff]", rest))

    def _intent(
        self, lowered: str, slots: Slots, named: list[str], not_carried: str | None, *, has_need: bool, just: bool
    ) -> Intent:
        has_slot = bool(
            slots.category or slots.has_budget or slots.use or slots.brand or slots.attributes or slots.sort
        )
        stripped = lowered.strip(" !.?！。？~,，")
        bare_request = len(stripped) <= BARE_HUMAN_MAX_CHARS and _contains(lowered, BARE_HUMAN_WORDS)
        if _contains(lowered, HUMAN_WORDS) or (bare_request and not _contains(lowered, POLICY_WORDS)):
            return Intent.HUMAN
        if len(named) >= 2:
            return Intent.COMPARE
        # "warranty on headphones" is about policy even though it names a category; a budget for a kind of
        # thing means shopping, but an amount alone is an order's ("shipping on a ¥200 order?").
        shopping_budget = slots.has_budget and bool(slots.category or _contains(lowered, RECOMMEND_WORDS))
        if _contains(lowered, POLICY_WORDS) and not named and not shopping_budget:
            return Intent.POLICY
        if named:
            return Intent.PRODUCT_INFO
        if not_carried:
            return Intent.RECOMMEND
        if has_slot or _contains(lowered, RECOMMEND_WORDS) or (has_need and just):
            return Intent.RECOMMEND
        if _contains(lowered, GREETING_WORDS) and len(stripped) <= len("good morning there"):
            return Intent.GREETING
        if _asks_the_shop(lowered):
            return Intent.POLICY  # "do you price match?": the FAQ and policies answer it, or we say we don't know
        return Intent.UNKNOWN


def _asks_the_shop(lowered: str) -> bool:
    """A question put to the shop ("do you price match?", "可以开发票吗？") about something with content words."""
    cue = phrases().question_cue.search(lowered) is not None
    question = lowered.rstrip().endswith(("?", "？")) or is_yes_no_question(lowered) or cue
    return question and _contains(lowered, lexicon().shop_questions) is not None and bool(terms(lowered))


def _resolve_reference(lowered: str, last_skus: Sequence[str]) -> list[str]:
    """ "the second one", "第一个", "it" -> SKUs shown in the previous answer."""
    if not last_skus:
        return []
    picked = sorted({index for word, index in ORDINALS.items() if word in lowered and index < len(last_skus)})
    if picked:
        return [last_skus[i] for i in picked]
    if re.search(r"\b(both|the two|them)\b|两个|这两", lowered) and len(last_skus) >= 2:
        return list(last_skus[:2])
    if re.search(r"\b(it|this one|that one)\b|这款|这个|那款|它", lowered) and len(last_skus) >= 1:
        return [last_skus[0]]
    return []


def asked_item(lowered: str) -> str | None:
    """X in "do you sell X?" / "你们卖X吗？" / "有没有X", trimmed of articles and fillers; None if not asked so."""
    lex = lexicon()
    for language in ("en", "zh"):
        for form in lex.sell_forms[language]:
            match = form.search(lowered.strip())
            if not match:
                continue
            item = _trim_item(match.group("item").strip(" ?？!！.。,，"), language)
            if _refers_back(item):
                return None  # "do you have it in red?": the thing already talked about, not a new kind
            if item and len(item) <= MAX_ITEM_CHARS and not _only_generic(item, language):
                return item
    return None


def _refers_back(item: str) -> bool:
    for pronoun in lexicon().item_trim["pronouns"]:
        if item == pronoun or item.startswith(pronoun + " " if pronoun.isascii() else pronoun):
            return True
    return False


def _trim_item(item: str, language: str) -> str:
    trim = lexicon().item_trim
    changed = True
    while changed and item:
        changed = False
        for word in trim[f"{language}_leading"]:
            if item.startswith(word + (" " if language == "en" else "")):
                item, changed = item[len(word) :].strip(), True
        for word in trim[f"{language}_trailing"]:
            if item.endswith((" " if language == "en" else "") + word):
                item, changed = item[: -len(word)].strip(), True
    return item


def _only_generic(item: str, language: str) -> bool:
    generic = lexicon().generic_words
    if language == "zh" or not item.isascii():
        rest = item
        for word in sorted(generic["zh"], key=len, reverse=True):
            rest = rest.replace(word, " ")
        return len(re.sub(r"[\s的了吗]", "", rest)) < 2
    return all(w in generic["en"] for w in re.findall(r"[a-z0-9'\-]+", item))


def kind_phrases(lowered: str, vocabulary: CatalogVocabulary | None = None) -> list[str]:
    """Words left when function words, numbers and known words are removed: candidate names of a kind."""
    lex = lexicon()
    skip = set(lex.function_words["en"]) | lex.generic_words["en"]
    known: set[str] = {w for words in lex.use_words.values() for w in words}
    if vocabulary is not None:
        known |= {b.lower() for b in vocabulary.brands}
        known |= {w for words, _, _ in vocabulary.attribute_words for w in words}
    phrases: list[str] = []
    run: list[str] = []
    for token in [*re.findall(r"[a-z][a-z'\-]*|[^a-z\s]+", lowered), "."]:
        if token.isascii() and token[0].isalpha() and token not in skip and token not in known:
            run.append(token)
            continue
        if run and any(len(w) >= MIN_KIND_CHARS for w in run):
            phrases.append(" ".join(run))
            if len(run) > 1:
                phrases.append(run[-1])
        run = []
    cjk = lowered
    for word in sorted(known | set(lex.function_words["zh"]) | lex.generic_words["zh"], key=len, reverse=True):
        if not word.isascii():
            cjk = cjk.replace(word, " ")
    phrases.extend(m for m in re.findall(r"[\u4e00-\u9fff]{2,}", cjk))
    return phrases[:MAX_KIND_PHRASES]
