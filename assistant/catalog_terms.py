"""Terms a catalog's products give its vocabulary: title parts that name one product, product-name
variants, category aliases and labels (from names, tags and the default lexicon), attribute values."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from knowledge.models import AttributeValue, Product

from .lexicon import inflections, lexicon, words_of

# A tag names its products' kind when most of one category carries it and hardly any other product does
# ("洗碗机" on every dishwasher); a tag spread over categories ("gift", "sale") is not a kind.
TAG_CATEGORY_SHARE = 0.5
TAG_EXCLUSIVITY = 0.9
# An enum attribute with more distinct values than this is free text (model names), not a must-have choice.
MAX_ENUM_VALUES = 12
MIN_VALUE_CHARS = 3  # shorter attribute values ("xl", "s") are too ambiguous to read as a must-have
MIN_NAME_CHARS = 4  # a product name shorter than this would match inside ordinary words
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


def _title(product: Product) -> str:
    return product.name.rsplit(" - ", 1)[0] if " - " in product.name else product.name


def name_parts(products: Sequence[Product], kind_words: set[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
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


def name_index(products: Sequence[Product]) -> tuple[tuple[str, str], ...]:
    names: list[tuple[str, str]] = []
    for product in products:
        variants = {product.name.lower(), product.name_zh.lower()}
        for name in (product.name, product.name_zh):
            if " - " in name:  # a variant ("Trail Runner 3 - 42"): shoppers name the product's title
                variants.add(name.rsplit(" - ", 1)[0].lower())
        if product.brand and product.name.lower().startswith(product.brand.lower() + " "):
            variants.add(product.name[len(product.brand) + 1 :].lower())  # "AeroRun 3" without brand
        if product.brand and product.name_zh.startswith(product.brand):
            variants.add(product.name_zh[len(product.brand) :].strip().lower())
        # Chinese shoppers seldom type the spaces of "山脊 1人超轻帐篷": the name without them is a name too.
        variants |= {"".join(v.split()) for v in variants if _CJK.search(v)}
        names.extend((v, product.sku) for v in variants if len(v) >= MIN_NAME_CHARS)
    names.sort(key=lambda item: len(item[0]), reverse=True)
    return tuple(names)


def category_aliases(products: Sequence[Product], categories: Sequence[str], brands: set[str]) -> dict[str, list[str]]:
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


def category_label(category: str, aliases: Sequence[str]) -> tuple[str, str]:
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


def attribute_words(products: Sequence[Product]) -> tuple[tuple[tuple[str, ...], str, AttributeValue], ...]:
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


def value_categories(products: Sequence[Product]) -> dict[tuple[str, str], frozenset[str]]:
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for product in products:
        for key, value in product.attributes.items():
            if isinstance(value, str):
                found[(key, value)].add(product.category)
    return {k: frozenset(v) for k, v in found.items()}
