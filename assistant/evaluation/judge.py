"""Mechanical, conservative judging of one answer against a labelled question (catalog evaluation).

The judge reads only what a shopper sees (the answer text and the product cards) and the catalog as loaded.
It shares no code or word list with the pipeline it judges (its phrases live in ``data/judge_rules.json``),
so a change to the assistant's own checks cannot make its answers look right. Rules, per gold field:

- **product** (``skus``): the first catalog product the answer names (by SKU, name, Chinese name, or name
  without the brand) is a gold SKU; if the answer names none, the first product card must be one.
- **price**: the gold price is stated as a price (currency sign or 元/yuan) in the answer text.
- **in_stock**: the text says in stock / out of stock as the gold says, and not both. On superlative
  questions asked "in stock" it only must not say out of stock.
- **answer** (yes/no): read from the answer's first clause (up to the first , . ; : ! ? or line break,
  zh or en): an opening yes/no word decides, else a negation inside the clause means "no", else an
  affirmative verb means "yes"; anything else is unparsed and counts as wrong.
- **allowed_skus** (budget): at least one product named or shown, and every product named or shown is
  allowed, and every price stated is within the asked range.
- **absent** (not sold): the text says the shop does not sell it (or honestly cannot find it).
- **unanswerable**: the text says it does not know / cannot find / is not listed (or hands over to staff),
  and states no price for the product.
- **values** (policy): one of the gold numbers appears in the answer.
- Always: every number with a unit in the answer must be a fact of the same kind (price, weight, volume,
  stock, temperature, ...) of a product named, shown or asked about, of the shop's documents, or a number
  from the question. A number equal only to a fact of another kind is **in a wrong role**; one equal to no
  fact is **unsupported**. The answer must not repeat the question verbatim, and must be in the question's language.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

RULES_FILE = Path(__file__).resolve().parent / "data" / "judge_rules.json"
NUMBER = r"-?\d[\d,]*(?:\.\d+)?"
NUMBER_RE = re.compile(NUMBER)
FIRST_CLAUSE_RE = re.compile(r"[,.;:!?，。；：！？\n]")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD_RE = re.compile(r"[A-Za-z]{2,}")
# An echo: the question, verbatim once punctuation and spaces are removed, inside the answer. (A statement
# that rephrases the question, "The X is made of carbon fibre.", is a claim, judged as one, not an echo.)
ECHO_MIN_CHARS = 6
# A short name (the name without the brand) must be this long to count as naming a product.
SHORT_NAME_MIN_CHARS = 6
# Numbers equal within this tolerance (prices like 1,118.00 vs 1118; 1.08 kg vs 1080 g).
TOLERANCE = 1e-6


class ProductLike(Protocol):
    sku: str
    name: str
    name_zh: str
    brand: str
    description: str
    description_zh: str

    @property
    def price(self) -> float | None: ...

    @property
    def stock(self) -> int | None: ...

    @property
    def attributes(self) -> dict[str, Any]: ...


class CardLike(Protocol):
    @property
    def sku(self) -> str: ...


@dataclass(frozen=True)
class Rules:
    abstain: list[re.Pattern[str]]
    not_sold: list[re.Pattern[str]]
    yes_start: dict[str, re.Pattern[str]]
    no_start: dict[str, re.Pattern[str]]
    yes_inside: dict[str, re.Pattern[str]]
    no_inside: dict[str, re.Pattern[str]]
    in_stock: list[re.Pattern[str]]
    out_of_stock: list[re.Pattern[str]]
    price_prefix: re.Pattern[str]
    units: list[tuple[str, re.Pattern[str], float]]


def _compile(patterns: Iterable[str]) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in patterns]


@lru_cache(maxsize=1)
def load_rules(path: Path = RULES_FILE) -> Rules:
    raw = json.loads(path.read_text(encoding="utf-8"))
    by_lang = {k: {lang: re.compile(p, re.IGNORECASE) for lang, p in raw[k].items()}
               for k in ("yes_start", "no_start", "yes_inside", "no_inside")}  # fmt: skip
    return Rules(
        abstain=_compile(raw["abstain"]),
        not_sold=_compile(raw["not_sold"]),
        yes_start=by_lang["yes_start"],
        no_start=by_lang["no_start"],
        yes_inside=by_lang["yes_inside"],
        no_inside=by_lang["no_inside"],
        in_stock=_compile(raw["in_stock"]),
        out_of_stock=_compile(raw["out_of_stock"]),
        price_prefix=re.compile(raw["units"]["price_prefix"], re.IGNORECASE),
        units=[
            # "2-year warranty", "6-person tent": a hyphen may join the number to its unit.
            (role, re.compile(r"[\s-]*" + p, re.IGNORECASE), float(scale))
            for role, p, scale in raw["units"]["suffix"]
        ],
    )


def fold(text: str) -> str:
    """NFKC (full-width to half-width), lower case, one space between words."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().lower()


def _value(raw: str) -> float:
    return float(raw.replace(",", ""))


def role_numbers(text: str, rules: Rules) -> list[tuple[str, float]]:
    """Numbers with a unit, as (role, value in the role's base unit); unit-less numbers are skipped."""
    folded = fold(text)
    found: list[tuple[str, float]] = []
    for match in NUMBER_RE.finditer(folded):
        before = folded[match.start() - 1] if match.start() > 0 else ""
        # Glued to a Latin letter or digit (IPX7, SG-1); a Chinese character before it ("卖268元") is a word.
        glued = bool(before) and ((before.isascii() and before.isalnum()) or before in "-.")
        if glued and not rules.price_prefix.search(folded[: match.start()]):
            continue  # part of a model code (IPX7, SG-1) or the second half of a range (handled below)
        value = _value(match.group(0))
        if rules.price_prefix.search(folded[max(0, match.start() - 5) : match.start()]):
            found.append(("price", value))
            continue
        rest = folded[match.end() :]
        # "100-135 cm", "2–4 business days": the first number of a range takes the range's unit.
        range_tail = re.match(rf"\s*[-–~到至]\s*{NUMBER}", rest)
        if range_tail:
            rest = rest[range_tail.end() :]
        for role, pattern, scale in rules.units:
            if pattern.match(rest):
                found.append((role, round(value * scale, 6)))
                break
        if range_tail:
            second = _value(NUMBER_RE.search(range_tail.group(0)).group(0))  # type: ignore[union-attr]
            for role, pattern, scale in rules.units:
                if pattern.match(rest):
                    found.append((role, round(second * scale, 6)))
                    break
    return found


def product_facts(product: ProductLike, rules: Rules) -> set[tuple[str, float]]:
    """Every (role, value) the catalog states about a product: price, stock, and numbers in its text."""
    facts: set[tuple[str, float]] = set()
    if product.price is not None:
        facts.add(("price", float(product.price)))
    if product.stock is not None:
        facts.add(("stock", float(product.stock)))
    text = " ".join([product.name, product.name_zh, product.description, product.description_zh])
    text += " " + " ".join(f"{k} {v}" for k, v in product.attributes.items())
    facts.update(role_numbers(text, rules))
    return facts


@dataclass
class CatalogIndex:
    """The loaded catalog as the judge sees it: names to look for, facts per product, document facts."""

    products: dict[str, ProductLike]
    names: list[tuple[str, str]]  # (folded alias, sku), longest first
    facts: dict[str, set[tuple[str, float]]]
    doc_facts: set[tuple[str, float]]
    rules: Rules

    @classmethod
    def build(
        cls, products: Sequence[ProductLike], doc_texts: Sequence[str], rules: Rules | None = None
    ) -> CatalogIndex:
        rules = rules or load_rules()
        names: list[tuple[str, str]] = []
        for product in products:
            aliases = {product.sku, product.name, product.name_zh}
            if product.brand and product.name.lower().startswith(product.brand.lower()):
                aliases.add(product.name[len(product.brand) :])
            if " - " in product.name:  # a Shopify variant "Title - Option": the title alone names it too
                title, option = product.name.rsplit(" - ", 1)
                aliases.add(title)
                aliases.add(f"{title} ({option})")  # "Title (Long)" names the Long variant, not its twin
            names.extend((fold(a), product.sku) for a in aliases if len(fold(a)) >= SHORT_NAME_MIN_CHARS)
        names.sort(key=lambda pair: -len(pair[0]))
        doc_facts: set[tuple[str, float]] = set()
        for text in doc_texts:
            doc_facts.update(role_numbers(text, rules))
        return cls(
            {p.sku: p for p in products}, names, {p.sku: product_facts(p, rules) for p in products}, doc_facts, rules
        )

    def named(self, text: str) -> list[str]:
        """SKUs the text names, in order of first mention; a longer name wins over a name inside it."""
        folded = fold(text)
        taken = [False] * len(folded)
        hits: list[tuple[int, str]] = []
        for alias, sku in self.names:
            for match in re.finditer(re.escape(alias), folded):
                start, end = match.span()
                if any(taken[start:end]):
                    continue
                before = folded[start - 1] if start else " "
                after = folded[end] if end < len(folded) else " "
                if (_ascii_word(alias[0]) and _ascii_word(before)) or (_ascii_word(alias[-1]) and _ascii_word(after)):
                    continue  # "ridgeback 2" inside "ridgeback 25"
                taken[start:end] = [True] * (end - start)
                hits.append((start, sku))
        ordered: list[str] = []
        for _, sku in sorted(hits):
            if sku not in ordered:
                # Variants share a title: "Ember ... Bag" names the Regular SKU and its "- Long" twin alike.
                ordered.append(sku)
        return ordered


def _ascii_word(char: str) -> bool:
    return char.isascii() and char.isalnum()


@dataclass
class Verdict:
    checks: dict[str, bool] = field(default_factory=dict)
    wrong_role: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    echoed: bool = False
    abstained: bool = False
    yes_no: str | None = None
    named: list[str] = field(default_factory=list)

    @property
    def fully_right(self) -> bool:
        return all(self.checks.values()) and not self.wrong_role and not self.unsupported and not self.echoed


def answer_language(text: str, index: CatalogIndex) -> str:
    """zh or en, after removing product names (a zh answer often keeps an English product name)."""
    folded = fold(text)
    for alias, _ in index.names:
        folded = folded.replace(alias, " ")
    cjk = len(CJK_RE.findall(folded))
    latin = sum(len(w) for w in LATIN_WORD_RE.findall(folded))
    if cjk == 0 and latin == 0:
        return "none"
    return "zh" if cjk * 2 >= latin else "en"  # a CJK character carries about two letters' worth of text


def first_clause(text: str) -> str:
    stripped = fold(text).lstrip("*-• ")
    return FIRST_CLAUSE_RE.split(stripped, maxsplit=1)[0].strip()


def parse_yes_no(text: str, lang: str, rules: Rules) -> str | None:
    clause = first_clause(text)
    lang = "zh" if lang == "zh" else "en"
    if rules.yes_start[lang].search(clause):
        return "yes"
    if rules.no_start[lang].search(clause):
        return "no"
    if rules.no_inside[lang].search(clause):
        return "no"
    if rules.yes_inside[lang].search(clause):
        return "yes"
    return None


def _any(patterns: Sequence[re.Pattern[str]], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def is_echo(question: str, answer: str) -> bool:
    q = re.sub(r"[\W_]+", "", fold(question))
    a = re.sub(r"[\W_]+", "", fold(answer))
    return len(q) >= ECHO_MIN_CHARS and q in a


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


def judge(row: dict[str, Any], answer: str, cards: Sequence[CardLike], index: CatalogIndex,
          *, handoff: bool = False) -> Verdict:  # fmt: skip
    """Judge one answer; see the module docstring for the rules."""
    rules = index.rules
    verdict = Verdict()
    folded = fold(answer)
    named = index.named(answer)
    verdict.named = named
    card_skus = [c.sku for c in cards]
    gold_skus: list[str] = list(row.get("skus", []))
    verdict.abstained = _any(rules.abstain, folded) or handoff
    stated = role_numbers(answer, rules)
    prices = [v for role, v in stated if role == "price"]

    if row.get("unanswerable"):
        no_price = not (row["kind"] == "no_price" and prices)
        verdict.checks["honest_dont_know"] = verdict.abstained and no_price
    elif row.get("absent"):
        verdict.checks["says_not_sold"] = _any(rules.not_sold, folded) or verdict.abstained
    if gold_skus and not row.get("unanswerable"):
        first = named[0] if named else (card_skus[0] if card_skus else None)
        verdict.checks["product"] = first in gold_skus
    if row.get("price") is not None:
        verdict.checks["price"] = any(_close(p, float(row["price"])) for p in prices)
    if row.get("in_stock") is not None:
        says_out = _any(rules.out_of_stock, folded)
        says_in = _any(rules.in_stock, folded) and not says_out
        if row["kind"] in ("stock", "price_stock"):
            verdict.checks["stock"] = says_in if row["in_stock"] else says_out
        else:
            verdict.checks["stock"] = not says_out if row["in_stock"] else says_out
    if row.get("answer") in ("yes", "no"):
        verdict.yes_no = parse_yes_no(answer, row["lang"], rules)
        verdict.checks["yes_no"] = verdict.yes_no == row["answer"]
    if "allowed_skus" in row:
        allowed = set(row["allowed_skus"])
        shown = set(named) | set(card_skus)
        low, high = float(row.get("price_min", 0)), float(row.get("price_max", float("inf")))
        in_range = all(low - TOLERANCE <= p <= high + TOLERANCE for p in prices)
        verdict.checks["budget"] = bool(shown) and shown <= allowed and in_range
    if "values" in row:
        numbers = {_value(n) for n in NUMBER_RE.findall(folded)}
        verdict.checks["policy_value"] = any(any(_close(float(v), n) for n in numbers) for v in row["values"])
    verdict.checks["language"] = answer_language(answer, index) in (row["lang"], "none")
    verdict.echoed = is_echo(row["q"], answer)

    # Numbers in roles: supported by a fact of the same kind about the products in play, the documents or
    # the question itself; else wrong role (equal to a fact of another kind) or unsupported (equal to none).
    context = set(named) | set(card_skus) | set(gold_skus) | set(row.get("compared", []))
    facts = set(index.doc_facts)
    for sku in context:
        facts |= index.facts.get(sku, set())
    question_numbers = {_value(n) for n in NUMBER_RE.findall(fold(row["q"]))}
    for role, value in stated:
        if any(r == role and _close(v, value) for r, v in facts) or any(_close(value, q) for q in question_numbers):
            continue
        other = sorted({r for r, v in facts if _close(v, value)})
        label = f"{value:g} as {role}" + (f" (the catalog's {', '.join(other)})" if other else "")
        (verdict.wrong_role if other else verdict.unsupported).append(label)
    return verdict
