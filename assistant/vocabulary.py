"""The words a shop's catalog gives understanding: categories with their aliases and labels in zh and en,
brands, attribute names and values, product names; and an embedding fallback for a kind no alias names.

Every knowledge release derives its own vocabulary from its products (``CatalogVocabulary.from_products``).
``data/lexicon.json`` only adds defaults: synonyms and the other language for well-known kinds, use-case
words, must-have phrases and the question forms of "do you sell X?".
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import groupby
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from knowledge.models import AttributeValue, Product

from .attribute_labels import plain_value

LEXICON_FILE = Path(__file__).parent / "data" / "lexicon.json"
SKU_RE = re.compile(r"\b[A-Z]{2,4}-[A-Z]{2,4}-\d{3,6}\b", re.IGNORECASE)
# A tag names its products' kind when most of one category carries it and hardly any other product does
# ("洗碗机" on every dishwasher); a tag spread over categories ("gift", "sale") is not a kind.
TAG_CATEGORY_SHARE = 0.5
TAG_EXCLUSIVITY = 0.9
# An enum attribute with more distinct values than this is free text (model names), not a must-have choice.
MAX_ENUM_VALUES = 12
MIN_VALUE_CHARS = 3  # shorter attribute values ("xl", "s") are too ambiguous to read as a must-have
MIN_NAME_CHARS = 4  # a product name shorter than this would match inside ordinary words
# Cosine similarity (multilingual USE) from which a shopper's noun is taken to name a catalog category.
# Calibrated with bench/bench_category_embedding.py on 3 shops and 63 nouns in kinds that neither the demo
# nor the tests sell: at 0.65, 27/31 nouns of sold kinds reach the right category (zh names and synonyms
# score 0.65-0.89) and 3/32 unsold kinds are taken for a related one (toothpaste -> toothbrushes); 0.6
# gained one noun but mapped 5/32.
CATEGORY_SIMILARITY = 0.65
# ...and the best category must beat the runner-up by this much, or the noun is ambiguous between two.
CATEGORY_MARGIN = 0.03
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
MAX_NGRAM = 4  # Chinese kind names are 2-4 characters (耳机, 洗碗机, 自行车头盔 is the rare 5)
MAX_NAME_ALIASES = 3  # Chinese names taken from product names: the most common few
# A part of a title names its product ("the Ridgeback 2" for "Ridgeback 2 Ultralight Tent") when it holds
# a rare word: one found in the text (names and descriptions) of at most this many titles, so a model
# family's name ("Ridgeback") qualifies and a describing word ("ultralight", "帐篷") does not.
RARE_WORD_TITLES = 3
MAX_PART_WORDS = 3  # parts of titles up to this many words
MIN_RARE_WORD_CHARS = 4  # "tent", "山脊" (two CJK characters) and longer; "x5" is too short to trust
_NAME_WORD = re.compile(rf"[a-z][a-z'\-]{{{MIN_RARE_WORD_CHARS - 1},}}")
_PART_WORD = re.compile(r"[a-z0-9][a-z0-9'+\-]*|[\u4e00-\u9fff]+")


class TextEncoder(Protocol):
    """Sentence embeddings; ``knowledge.embedding.MultilingualUSE`` puts zh and en in one space."""

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]: ...


@dataclass(frozen=True)
class Lexicon:
    """The default word lists (``data/lexicon.json``)."""

    category_aliases: dict[str, tuple[str, ...]]
    category_labels: dict[str, tuple[str, str]]
    not_carried: tuple[str, ...]
    use_words: dict[str, tuple[str, ...]]
    use_labels: dict[str, tuple[str, str]]
    attribute_words: tuple[tuple[tuple[str, ...], str, AttributeValue], ...]
    sell_forms: dict[str, tuple[re.Pattern[str], ...]]
    item_trim: dict[str, tuple[str, ...]]
    generic_words: dict[str, frozenset[str]]
    function_words: dict[str, tuple[str, ...]]
    vague_values: frozenset[str]
    request_words: tuple[str, ...]
    shop_questions: tuple[str, ...] = ()


@cache
def lexicon() -> Lexicon:
    raw: dict[str, Any] = json.loads(LEXICON_FILE.read_text(encoding="utf-8"))
    return Lexicon(
        category_aliases={words_of(k): tuple(v) for k, v in raw["category_aliases"].items()},
        category_labels={words_of(k): (v[0], v[1]) for k, v in raw["category_labels"].items()},
        not_carried=tuple(raw["not_carried"]),
        use_words={k: tuple(v) for k, v in raw["use_words"].items()},
        use_labels={k: (v[0], v[1]) for k, v in raw["use_labels"].items()},
        attribute_words=tuple((tuple(a["words"]), a["key"], a["value"]) for a in raw["attribute_words"]),
        sell_forms={
            lang: tuple(re.compile(p, re.IGNORECASE) for p in forms) for lang, forms in raw["sell_forms"].items()
        },
        item_trim={k: tuple(sorted(v, key=len, reverse=True)) for k, v in raw["item_trim"].items()},
        generic_words={lang: frozenset(v) for lang, v in raw["generic_words"].items()},
        function_words={lang: tuple(sorted(v, key=len, reverse=True)) for lang, v in raw["function_words"].items()},
        vague_values=frozenset(raw.get("vague_values", ())),
        request_words=tuple(raw["request_words"]),
        shop_questions=tuple(w for lang in ("en", "zh") for w in raw.get("shop_questions", {}).get(lang, ())),
    )


def words_of(name: str) -> str:
    """A category key as words: "Running_Shoes", "running-shoes" and "running shoes" are one name."""
    return re.sub(r"[\s_\-]+", " ", name.strip().lower()).strip()


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _plural(word: str) -> str:
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def inflections(phrase: str) -> set[str]:
    """The phrase with its last word singular and plural ("baby strollers" -> "baby stroller")."""
    phrase = words_of(phrase)
    if not phrase.isascii() or not phrase:
        return {phrase} if phrase else set()
    head, _, last = phrase.rpartition(" ")
    lead = head + " " if head else ""
    single = _singular(last)
    return {phrase, lead + single, lead + _plural(single)}


def contains(text: str, word: str) -> bool:
    """``word`` in ``text``; ASCII words on word boundaries ("bag" not in "baggage"), with a plural ending."""
    if word.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(word.strip())}(?:s|es)?(?![a-z0-9])", text) is not None
    return word in text


def first_contained(text: str, words: Iterable[str]) -> str | None:
    for word in words:
        if contains(text, word):
            return word
    return None


def use_words() -> dict[str, tuple[str, ...]]:
    return lexicon().use_words


def use_labels() -> dict[str, tuple[str, str]]:
    return lexicon().use_labels


class CategoryEmbedder:
    """Maps a shopper's noun ("洗碗机", "couch") to the nearest catalog category by sentence embedding."""

    def __init__(self, encoder: TextEncoder, texts: dict[str, list[str]]) -> None:
        self._encoder = encoder
        self._texts = texts  # category -> names to compare with (labels in both languages, aliases)
        self._lock = threading.Lock()
        self._matrix: npt.NDArray[np.float32] | None = None
        self._owners: list[str] = []

    def _index(self) -> tuple[npt.NDArray[np.float32], list[str]]:
        # Embedded on first use, not at release switch: most turns never need the fallback.
        with self._lock:
            if self._matrix is None:
                owners = [c for c, names in self._texts.items() for _ in names]
                names = [n for ns in self._texts.values() for n in ns]
                self._matrix = _normalised(self._encoder.encode(names)) if names else np.zeros((0, 1), np.float32)
                self._owners = owners
            return self._matrix, self._owners

    def nearest(self, phrases: Sequence[str]) -> tuple[str, float] | None:
        """Best category for any of the phrases, if similar enough and not a near-tie between two."""
        phrases = [p for p in dict.fromkeys(phrases) if p.strip()]
        matrix, owners = self._index()
        if not phrases or not owners:
            return None
        scores = _normalised(self._encoder.encode(phrases)) @ matrix.T
        best: dict[str, float] = {}
        for row in scores:
            for owner, score in zip(owners, row, strict=True):
                best[owner] = max(best.get(owner, -1.0), float(score))
        ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)
        category, score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else -1.0
        if score < CATEGORY_SIMILARITY or score - runner_up < CATEGORY_MARGIN:
            return None
        return category, score


def _normalised(matrix: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: npt.NDArray[np.float32] = (matrix / norms).astype(np.float32)
    return result


def default_encoder() -> TextEncoder:
    from knowledge.embedding import MultilingualUSE  # deferred: weights load on first encode

    return MultilingualUSE(threads=1)


@dataclass(frozen=True)
class CatalogVocabulary:
    """Words the catalog itself provides: categories, brands, attributes and product names for matching."""

    categories: tuple[str, ...]
    brands: tuple[str, ...]
    name_index: tuple[tuple[str, str], ...]  # (lowercased name variant, sku), longest first
    skus: frozenset[str]
    options: dict[str, str] = field(default_factory=dict)  # sku -> its variant option ("long"), lowercased
    category_words: tuple[tuple[str, str], ...] = ()  # (alias, category), longest alias first
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # category -> (en, zh) display label
    attribute_words: tuple[tuple[tuple[str, ...], str, AttributeValue], ...] = ()
    # Catalog-derived enum values ("slim" fit) only make sense for the categories that have them.
    value_categories: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    embedder: CategoryEmbedder | None = field(default=None, compare=False)
    # (part of a title, its SKUs), longest first: parts no other title holds, with a rare word in them.
    name_parts: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def from_products(
        cls, products: Sequence[Product], encoder: TextEncoder | None = None, *, embeddings: bool = True
    ) -> CatalogVocabulary:
        brands = tuple(sorted({p.brand for p in products if p.brand}, key=len, reverse=True))
        categories = tuple(sorted({p.category for p in products if p.category}))
        aliases = _category_aliases(products, categories, {b.lower() for b in brands})
        labels = {c: _label(c, aliases.get(c, [])) for c in categories}
        words = sorted({(a, c) for c, names in aliases.items() for a in names}, key=lambda item: (-len(item[0]), item))
        embedder = None
        if embeddings and categories:
            texts = {c: list(dict.fromkeys([words_of(c), *labels[c], *aliases.get(c, [])[:4]])) for c in categories}
            embedder = CategoryEmbedder(encoder or default_encoder(), texts)
        return cls(
            categories=categories,
            brands=brands,
            name_index=_name_index(products),
            skus=frozenset(p.sku for p in products),
            options={p.sku: p.name.rsplit(" - ", 1)[1].lower() for p in products if " - " in p.name},
            category_words=tuple(words),
            labels=labels,
            attribute_words=_attribute_words(products),
            value_categories=_value_categories(products),
            embedder=embedder,
            name_parts=_name_parts(products, {a for names in aliases.values() for a in names}),
        )

    def label(self, category: str, language: str) -> str:
        en, zh = self.labels.get(category) or _label(category, [])
        return zh if language == "zh" else en

    def category_match(self, text: str) -> tuple[str, str] | None:
        """(matched word, category); the longest alias found wins ("running shoes" beats "shoes")."""
        for word, category in self.category_words:
            if contains(text, word):
                return word, category
        return None

    def fits(self, key: str, value: AttributeValue, category: str | None) -> bool:
        """A must-have derived from an enum value applies to the asked category only if it has that value."""
        owners = self.value_categories.get((key, str(value)))
        return owners is None or category is None or category in owners

    def nearest_category(self, phrases: Sequence[str]) -> str | None:
        if self.embedder is None:
            return None
        found = self.embedder.nearest(phrases)
        return found[0] if found else None

    def knows(self, text: str) -> bool:
        """The text names something of this catalog: a category, a brand or a product."""
        return bool(
            self.category_match(text) or any(contains(text, b.lower()) for b in self.brands) or self.named_skus(text)
        )

    def named_skus(self, text: str) -> list[str]:
        """SKUs the text names explicitly or by product name, in order of appearance, no overlaps."""
        found: list[tuple[int, str]] = []
        for match in SKU_RE.finditer(text):
            sku = match.group(0).upper()
            if sku in self.skus:
                found.append((match.start(), sku))
        lowered = text.lower()
        taken: list[tuple[int, int]] = []
        for name, sku in self.name_index:
            for start, end in _occurrences(lowered, name):
                # Two products with one name are both named: picking either would be a guess.
                if (start, end) in taken or not any(s < end and start < e for s, e in taken):
                    taken.append((start, end))
                    found.append((start, sku))
        # A part of a title ("the Ridgeback 2"), where no full name was found.
        for part, members in self.name_parts:
            for start, end in _occurrences(lowered, part):
                if not any(s < end and start < e for s, e in taken):
                    taken.append((start, end))
                    found.extend((start, sku) for sku in members)
        ordered: list[str] = []
        for _, group in groupby(sorted(found), key=lambda item: item[0]):
            skus = [sku for _, sku in group]
            # One title, several variants: an option the text names ("(Long)") picks among them.
            # A Chinese question names the option in Chinese ("（加长款）" for "Long").
            picked = [
                s for s in skus if (o := self.options.get(s)) and (contains(lowered, o) or plain_value(o, "zh") in text)
            ] or skus
            ordered.extend(s for s in picked if s not in ordered)
        return ordered


def _occurrences(lowered: str, name: str) -> Iterator[tuple[int, int]]:
    """Where ``name`` occurs in ``lowered``; only ASCII letters and digits extend a word, so
    "Moraine 1 Tent卖多少钱" names the tent and "tents" does not name "tent"."""
    start = lowered.find(name)
    while start != -1:
        end = start + len(name)
        before_ok = start == 0 or not _ascii_alnum(lowered[start - 1])
        if not name.isascii() or (before_ok and (end == len(lowered) or not _ascii_alnum(lowered[end]))):
            yield start, end
        start = lowered.find(name, end)


def _title(product: Product) -> str:
    return product.name.rsplit(" - ", 1)[0] if " - " in product.name else product.name


def _name_parts(products: Sequence[Product], kind_words: set[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Parts of titles that name one title: up to ``MAX_PART_WORDS`` words in a row (Chinese: one
    space-separated word) that no other title's name or description holds, with a rare word in them."""
    lex = lexicon()
    common = set(lex.function_words["en"]) | lex.generic_words["en"] | set(lex.function_words["zh"])
    common |= lex.generic_words["zh"] | kind_words | {b.lower() for p in products for b in [p.brand] if b}
    common |= {word for kind in kind_words for word in kind.split()}  # "power drill" is a kind, so is "drill"
    titles: dict[str, list[Product]] = defaultdict(list)
    for product in products:
        titles[_title(product).lower()].append(product)
    texts: dict[str, set[str]] = {}  # title -> every run of up to MAX_PART_WORDS words of its products' text
    for title, members in titles.items():
        texts[title] = {
            run
            for p in members
            for field_text in (p.name, p.name_zh, p.description, p.description_zh, " ".join(p.uses))
            for run in _word_runs(field_text.lower())
        }
    spread: Counter[str] = Counter(w for runs in texts.values() for w in runs if " " not in w)
    # A single word names a product only when it is a coined name: no description or tag uses it ("carbon",
    # "thermal" describe; "Featherbed" names).
    described: set[str] = set()
    for p in products:
        for field_text in (p.description, p.description_zh, " ".join(p.uses)):
            described |= {w for w in _word_runs(field_text.lower()) if " " not in w}
    holders: Counter[str] = Counter(run for runs in texts.values() for run in runs)
    parts: dict[str, tuple[str, ...]] = {}
    for title, members in titles.items():
        full = {title, *(m.name.lower() for m in members), *(m.name_zh.lower() for m in members if m.name_zh)}
        for name in {title, *(m.name_zh.lower() for m in members if m.name_zh)}:
            for run in _word_runs(name, whole_cjk=True):
                tokens = run.split(" ")
                if _CJK.search(run) and not _cjk_part(run, common):
                    continue
                # A rare word is a name, not a quantity or a code ("400ml", "i7-13650hx" say what, not which).
                rare = [w for w in tokens if w not in common and (_CJK.match(w) or _NAME_WORD.fullmatch(w))]
                if (
                    run in full
                    or holders[run] != 1
                    or not rare
                    or not all(spread[w] <= RARE_WORD_TITLES for w in rare)
                    or tokens[0] in common
                    or tokens[-1] in common
                    or (len(tokens) == 1 and run in described)
                ):
                    continue
                parts[run] = tuple(m.sku for m in members)
    return tuple(sorted(parts.items(), key=lambda item: (-len(item[0]), item[0])))


def _cjk_part(run: str, common: set[str]) -> bool:
    """A Chinese part is one word of 2-4 characters (what character n-grams count exactly) that holds no
    kind or generic word: "山脊" may name a tent, "超轻帐篷" describes many."""
    return (
        " " not in run
        and bool(re.fullmatch(rf"[\u4e00-\u9fff]{{2,{MAX_NGRAM}}}", run))
        and not any(w in run for w in common if _CJK.search(w))
    )


def _word_runs(text: str, *, whole_cjk: bool = False) -> set[str]:
    """Runs of up to ``MAX_PART_WORDS`` consecutive words; a Chinese word is a run of characters between
    spaces or Latin words. With ``whole_cjk`` false the Chinese words' character pairs and triples count too,
    so a shopper's "山脊帐篷" is seen to hold "山脊"."""
    tokens = _PART_WORD.findall(text)
    runs = {" ".join(tokens[i : i + n]) for n in range(1, MAX_PART_WORDS + 1) for i in range(len(tokens) - n + 1)}
    if not whole_cjk:
        runs |= {g for t in tokens if _CJK.match(t) for g in _cjk_ngrams(t)}
    return runs


def _name_index(products: Sequence[Product]) -> tuple[tuple[str, str], ...]:
    names: list[tuple[str, str]] = []
    for product in products:
        variants = {product.name.lower(), product.name_zh.lower()}
        if " - " in product.name:  # a variant ("Trail Runner 3 - 42"): shoppers name the product's title
            variants.add(product.name.rsplit(" - ", 1)[0].lower())
        if product.brand and product.name.lower().startswith(product.brand.lower() + " "):
            variants.add(product.name[len(product.brand) + 1 :].lower())  # "AeroRun 3" without brand
        if product.brand and product.name_zh.startswith(product.brand):
            variants.add(product.name_zh[len(product.brand) :].strip().lower())
        # Chinese shoppers seldom type the spaces of "山脊 1人超轻帐篷": the name without them is a name too.
        variants |= {"".join(v.split()) for v in variants if _CJK.search(v)}
        names.extend((v, product.sku) for v in variants if len(v) >= MIN_NAME_CHARS)
    names.sort(key=lambda item: len(item[0]), reverse=True)
    return tuple(names)


def _category_aliases(products: Sequence[Product], categories: Sequence[str], brands: set[str]) -> dict[str, list[str]]:
    """Every name a category goes by: its own (any case, singular/plural, each language of a bilingual
    name), defaults, tags of its kind and, when it has no Chinese name yet, the Chinese its names share."""
    lex = lexicon()
    known = {w.lower() for words in lex.use_words.values() for w in words} | set(lex.use_words) | brands
    known |= {w for words, _, _ in lex.attribute_words for w in words} | set(lex.function_words["zh"])
    aliases: dict[str, list[str]] = {}
    for category in categories:
        names = sorted(inflections(category), key=len, reverse=True)
        words = words_of(category)
        if _CJK.search(words) and re.search(r"[a-z]", words):  # "洗碗机 dishwashers": one name per language
            names += _CJK_RUN.findall(words)
            names += sorted(inflections(" ".join(re.findall(r"[a-z][a-z0-9']*", words))), key=len, reverse=True)
        for form in list(names):
            names.extend(lex.category_aliases.get(form, ()))
        aliases[category] = names
    members = Counter(p.category for p in products if p.category)
    tags = _kind_words(products, members, lambda p: {words_of(t) for t in p.uses if t.strip()}, known)
    for category, found in tags.items():
        aliases[category].extend(a for tag in found for a in sorted(inflections(tag), key=len, reverse=True))
    names_zh = _kind_words(products, members, lambda p: _cjk_ngrams(p.name_zh), known)
    for category, found in names_zh.items():
        if not any(_CJK.search(a) for a in aliases[category]):
            aliases[category].extend(found[:MAX_NAME_ALIASES])
    return {c: list(dict.fromkeys(a for a in names if a)) for c, names in aliases.items()}


def _kind_words(
    products: Sequence[Product],
    members: Counter[str],
    words_of_product: Callable[[Product], set[str]],
    known: set[str],
) -> dict[str, list[str]]:
    """Words most of one category carries and hardly any other product does, most common (then longest) first."""
    total: Counter[str] = Counter()
    within: dict[str, Counter[str]] = defaultdict(Counter)
    for product in products:
        for word in words_of_product(product):
            total[word] += 1
            if product.category:
                within[product.category][word] += 1
    found: dict[str, list[str]] = {}
    for category, counts in within.items():
        ranked = sorted(counts.items(), key=lambda item: (-item[1], -len(item[0]), item[0]))
        found[category] = [
            word
            for word, n in ranked
            if word not in known
            and len(word) >= 2
            and n >= TAG_CATEGORY_SHARE * members[category]
            and n >= TAG_EXCLUSIVITY * total[word]
        ]
    return found


def _cjk_ngrams(text: str) -> set[str]:
    return {
        run[i : i + size]
        for run in _CJK_RUN.findall(text)
        for size in range(2, MAX_NGRAM + 1)
        for i in range(len(run) - size + 1)
    }


def _label(category: str, aliases: Sequence[str]) -> tuple[str, str]:
    """(en, zh) display label: the defaults' for a well-known kind, else the catalog's own names."""
    lex = lexicon()
    for form in sorted(inflections(category), key=len, reverse=True):
        if form in lex.category_labels:
            return lex.category_labels[form]
    words = words_of(category)
    en = words[:1].upper() + words[1:] if words.isascii() else category
    zh = next((a for a in aliases if _CJK.search(a) and not re.search(r"[a-z]", a)), "")
    zh = zh or (category if _CJK.search(category) else en)
    if not en.isascii() and any(a.isascii() for a in aliases):
        en = next(a for a in aliases if a.isascii()).capitalize()
    return en, zh


def _attribute_words(products: Sequence[Product]) -> tuple[tuple[tuple[str, ...], str, AttributeValue], ...]:
    """Must-have phrases: boolean attribute names ("waterproof") and distinctive enum values ("trail")."""
    lex = lexicon()
    bools: set[str] = set()
    values: dict[str, set[str]] = defaultdict(set)
    for product in products:
        for key, value in product.attributes.items():
            if isinstance(value, bool):
                bools.add(key)
            elif isinstance(value, str) and value.strip():
                values[key].add(value.strip())
    known = bools | set(values)
    out: list[tuple[tuple[str, ...], str, AttributeValue]] = [
        (words, key, value) for words, key, value in lex.attribute_words if key in known
    ]
    out.extend(((words_of(key),), key, True) for key in sorted(bools) if len(words_of(key)) >= MIN_VALUE_CHARS)
    owners: Counter[str] = Counter(v.lower() for vs in values.values() for v in vs)
    for key in sorted(values):
        if len(values[key]) > MAX_ENUM_VALUES:
            continue
        for value in sorted(values[key]):
            low = value.lower()
            if (
                owners[low] == 1
                and len(low) >= MIN_VALUE_CHARS
                and not any(ch.isdigit() for ch in low)
                and low not in lex.vague_values
            ):
                out.append(((low,), key, value))
    return tuple(out)


def _value_categories(products: Sequence[Product]) -> dict[tuple[str, str], frozenset[str]]:
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for product in products:
        for key, value in product.attributes.items():
            if isinstance(value, str):
                found[(key, value)].add(product.category)
    return {k: frozenset(v) for k, v in found.items()}


def _ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()
