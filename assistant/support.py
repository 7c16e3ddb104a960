"""Is a claim backed by the facts? Yes/no feature claims, "free" claims, and answers that echo the question.

Lexical and cheap, since it runs on every answer: a feature claim is backed by the fact clause that
holds the question's feature words (or, across languages, by the passage retrieval ranked relevant),
and its polarity (does / does not) must agree with that clause. Phrase lists are ``data/claims.json``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from typing import TYPE_CHECKING

from .quantities import claims_data, tables

if TYPE_CHECKING:
    from knowledge.models import Product
    from knowledge.search import PassageHit

# A question shorter than this (after dropping spaces and punctuation) is too short to call an echo.
ECHO_MIN_CHARS = 6
# A question sentence in an answer this similar to the question (difflib ratio) repeats it, a word changed.
ECHO_SIMILARITY = 0.8
# Share of the question's feature words one fact clause must hold to back a claim about them.
COVERAGE_MIN = 0.5
# Retrieval relevance (cosine) above which a passage is about the question even with no shared words
# (a Chinese question over an English description). Chosen on the demo catalog's own descriptions.
RELEVANT_PASSAGE = 0.35
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Not at ":" or brackets: "Cup holder: no" and "Power bank (USB output): no" are one clause each.
_CLAUSE_SPLIT = re.compile(r"[.!?;,，。！？；、\n]+|\s[-–—]\s")


@dataclass(frozen=True)
class _Phrases:
    free_claim: tuple[re.Pattern[str], ...]
    free_product: tuple[re.Pattern[str], ...]
    free_policy: tuple[re.Pattern[str], ...]
    yes_no_en: re.Pattern[str]
    yes_no_zh: re.Pattern[str]
    fact_question: tuple[str, ...]
    temporal: re.Pattern[str]
    stop_en: frozenset[str]
    stop_zh: frozenset[str]
    stop_bigrams_zh: frozenset[str]
    neg_en: re.Pattern[str]
    neg_zh: re.Pattern[str]
    lead_yes: re.Pattern[str]
    lead_no: re.Pattern[str]
    dont_know: tuple[str, ...]
    review_attribution: re.Pattern[str]
    concepts: tuple[tuple[str, re.Pattern[str]], ...]
    question_cue: re.Pattern[str]
    stop_phrases_en: re.Pattern[str]
    price_question: tuple[str, ...]
    price_role: re.Pattern[str]
    prompt_internal: tuple[re.Pattern[str], ...]
    yes_value: re.Pattern[str]
    no_value: re.Pattern[str]
    review_question: re.Pattern[str]
    amount_split_zh: re.Pattern[str]
    asked_unit: tuple[tuple[str, re.Pattern[str]], ...]


def _asked_units(amount_words: list[str], concepts: dict[str, str]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """``<weight>`` for "多少克" / "几公斤": Chinese units of each class, right after an amount question word."""
    out = []
    for unit_class, concept in concepts.items():
        cjk = [u for u, (c, _) in tables().units.items() if c == unit_class and not u.isascii()]
        if cjk:
            out.append((f"<{concept}>", re.compile(rf"(?:{_words(amount_words)})\s*(?:{_words(cjk)})")))
    return tuple(out)


def _words(items: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(items, key=len, reverse=True))


@cache
def phrases() -> _Phrases:
    d = claims_data()
    neg_en = [w for w in d["negations_en"] if w != "n't"]
    return _Phrases(
        free_claim=tuple(re.compile(p, re.IGNORECASE) for p in d["free_claim"]),
        free_product=tuple(re.compile(p, re.IGNORECASE) for p in d["free_support_product"]),
        free_policy=tuple(re.compile(p, re.IGNORECASE) for p in d["free_support_policy"]),
        yes_no_en=re.compile(d["yes_no_question_en"], re.IGNORECASE),
        yes_no_zh=re.compile(d["yes_no_question_zh"]),
        fact_question=tuple(w.lower() for w in d["fact_questions"]),
        temporal=_concept_pattern(d["temporal_cues"]),
        stop_en=frozenset(d["stopwords_en"]),
        stop_zh=frozenset(d["stop_chars_zh"]),
        stop_bigrams_zh=frozenset(d["stop_bigrams_zh"]),
        neg_en=re.compile(rf"\b(?:{_words([*neg_en, 'false'])})\b|n't\b", re.IGNORECASE),
        neg_zh=re.compile(_words(d["negations_zh"])),
        lead_yes=re.compile(rf"^\s*(?:{_words(d['yes_words_en'])})\b|^\s*(?:{_words(d['yes_words_zh'])})[，,。！!\s]"),
        lead_no=re.compile(rf"^\s*(?:{_words(d['no_words_en'])})\b|^\s*(?:{_words(d['no_words_zh'])})", re.IGNORECASE),
        dont_know=tuple(w.lower() for w in [*d["dont_know_en"], *d["dont_know_zh"]]),
        review_attribution=re.compile(d["review_attribution"], re.IGNORECASE),
        concepts=tuple((f"<{name}>", _concept_pattern(words)) for name, words in d["concepts"].items()),
        question_cue=re.compile(
            rf"\b(?:{_words(d['question_cues_en'])})\b|{_words(d['question_cues_zh'])}", re.IGNORECASE
        ),
        # Multi-word stop phrases ("right now", "you have") go before the text is cut into words.
        stop_phrases_en=re.compile(rf"\b(?:{_words([w for w in d['stopwords_en'] if ' ' in w])})\b"),
        price_question=tuple(w.lower() for w in d["price_questions"]),
        price_role=re.compile(d["price_role"], re.IGNORECASE),
        prompt_internal=tuple(re.compile(p) for p in d["prompt_internal"]),
        yes_value=_value_pattern(d["yes_values_en"], d["yes_values_zh"]),
        no_value=_value_pattern(d["no_values_en"], d["no_values_zh"]),
        review_question=re.compile(d["review_question"], re.IGNORECASE),
        amount_split_zh=re.compile(_words(d["amount_question_zh"])),
        asked_unit=_asked_units(d["amount_question_zh"], d["unit_concepts"]),
    )


def _value_pattern(latin: list[str], cjk: list[str]) -> re.Pattern[str]:
    """A spec value that starts with one of the words, then ends or goes on after a break: "否（仅细菌）",
    "no (telescoping)", "是" — not "不锈钢" or "nothing else"."""
    return re.compile(rf"^\s*(?:(?:{_words(latin)})\b|(?:{_words(cjk)})(?=$|[\s，,。；;（(、/]))", re.IGNORECASE)


def _concept_pattern(words: list[str]) -> re.Pattern[str]:
    latin = [w for w in words if w.isascii()]
    cjk = [w for w in words if not w.isascii()]
    parts = [rf"\b(?:{_words(latin)})\b"] if latin else []
    parts += [_words(cjk)] if cjk else []
    return re.compile("|".join(parts), re.IGNORECASE)


def product_text(product: Product) -> str:
    """Everything the catalog states about a product, as text the checks can read."""
    attrs = "; ".join(f"{k}: {v}" for k, v in product.attributes.items())
    return "\n".join(
        p for p in (product.name, product.name_zh, attrs, product.description, product.description_zh) if p
    )


# ---- echo --------------------------------------------------------------------------------------
def _squash(text: str) -> str:
    return _PUNCT.sub("", text.lower())


def echoes_question(answer: str, question: str) -> bool:
    """The answer repeats the question, whole or one of its question sentences."""
    q = _squash(question)
    a = _squash(answer)
    if len(q) >= ECHO_MIN_CHARS and q in a:
        return True
    for sentence in re.findall(r"[^.!?。！？\n]*[?？]", answer):
        s = _squash(sentence)
        # Near-verbatim counts too: the question back with a word changed ("夜间jar … 送压缩袋吗？").
        if len(s) >= ECHO_MIN_CHARS and (s in q or _near(s, q)):
            return True
    return False


def _near(a: str, b: str) -> bool:
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= ECHO_SIMILARITY


# ---- "free" ------------------------------------------------------------------------------------
def free_claim(sentence: str) -> bool:
    return any(p.search(sentence) for p in phrases().free_claim)


def free_supported(product_texts_at_zero: Sequence[str], policy_texts: Sequence[str]) -> bool:
    """A product is free only if the catalog prices it 0 and says free; a service if a policy says so."""
    p = phrases()
    if any(any(r.search(t) for r in p.free_policy) for t in policy_texts):
        return True
    return any(any(r.search(t) for r in p.free_product) for t in product_texts_at_zero)


# ---- abstention --------------------------------------------------------------------------------
def says_dont_know(text: str) -> bool:
    lowered = text.lower()
    return any(phrase in lowered for phrase in phrases().dont_know)


# ---- yes/no feature claims ---------------------------------------------------------------------
def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def terms(text: str, exclude: frozenset[str] = frozenset()) -> set[str]:
    """Content terms: English word stems, Chinese character pairs and spec concepts, without stop words.

    A concept (``<weight>`` for "heavy", "weight_g", "多重") lets "how heavy is it?" meet "weight g: 254"
    and a Chinese question meet an English attribute name.
    """
    p = phrases()
    lowered = p.stop_phrases_en.sub(" ", text.lower().replace("_", " "))
    out = {_stem(w) for w in _LATIN_WORD.findall(lowered) if w not in p.stop_en and not w.isdigit()}
    for run in _CJK_RUN.findall(p.amount_split_zh.sub(" ", text)):
        pairs = (run[i : i + 2] for i in range(len(run) - 1))
        out.update(pair for pair in pairs if not (set(pair) & p.stop_zh) and pair not in p.stop_bigrams_zh)
        if len(run) == 1 and run not in p.stop_zh:
            out.add(run)
    out.update(name for name, pattern in p.concepts if pattern.search(lowered))
    for name, pattern in p.asked_unit:
        for asked in pattern.finditer(lowered):
            out.add(name)
            out.discard(p.amount_split_zh.sub("", asked.group()).strip())  # the unit is the concept now
    return {t for t in out if t not in exclude}


def asks_fact(question: str) -> bool:
    """The question is about price or stock (now, or when either changes)."""
    lowered = question.lower()
    return any(w in lowered for w in phrases().fact_question)


def asks_reviews(question: str) -> bool:
    """The question asks what shoppers think of a product ("what do other customers say about X?")."""
    return bool(phrases().review_question.search(question))


def asks_price(question: str) -> bool:
    """The question asks what something costs."""
    lowered = question.lower()
    return any(w in lowered for w in phrases().price_question)


def price_role_numbers(sentence: str) -> list[int]:
    """Where numbers said in the role of a price start ("the price is 3", "价格是15升")."""
    return [m.end() for m in phrases().price_role.finditer(sentence)]


def prompt_internal(sentence: str) -> str | None:
    """The prompt's own layout words in an answer sentence ("根据 FACTS", "适合 shoppers"), if any."""
    for pattern in phrases().prompt_internal:
        found = pattern.search(sentence)
        if found:
            return found.group(0).strip()
    return None


def value_polarity(value: str) -> bool | None:
    """Does a spec value say no (True), yes (False), or neither (None)? "否（仅细菌）" -> True."""
    p = phrases()
    if p.no_value.search(value):
        return True
    if p.yes_value.search(value):
        return False
    return None


_LABELLED = re.compile(r"^\s*(?:[-*•·]\s*)?([^:：\n]{1,60})[:：]\s*(.+)$", re.MULTILINE)


def clause_polarity(clause: str) -> bool:
    """Does a fact clause say no? A "label: value" clause is read by its value, so "无极调光：支持" (a
    feature whose name holds 无) says yes; other clauses by any negation in them."""
    label_value = re.split(r"[:：]", clause, maxsplit=1)
    if len(label_value) == 2:
        said = value_polarity(label_value[1])
        if said is not None:
            return said
    return negative(clause)


def labelled_polarity(wanted: set[str], text: str) -> tuple[str, bool] | None:
    """A "label: value" line whose label holds a word the question asks about and whose value says yes
    or no ("Folding (Z-fold): no (telescoping)" answers "does it fold?"); the line and whether it says no.
    The line whose label holds most of the asked words wins."""
    best: tuple[int, str, bool] | None = None
    for match in _LABELLED.finditer(text):
        label, value = match.group(1), match.group(2)
        shared = len(wanted & terms(label))
        says_no = value_polarity(value)
        if says_no is None:
            says_no = _other_value(wanted, terms(label), value)
        if shared and says_no is not None and (best is None or shared > best[0]):
            best = (shared, match.group(0).strip(), says_no)
    return None if best is None else (best[1], best[2])


def _other_value(wanted: set[str], label: set[str], value: str) -> bool | None:
    """ "cork grips?" against "Grips: EVA foam": the line is about exactly the asked feature and states a
    value, so the asked value's words missing from it mean no (all there: yes). Only for a label the question
    covers whole, so "rain fly?" is not answered by "Fly waterproof rating: 3000 mm"."""
    literal = {t for t in label if not t.startswith("<")}
    concepts = label - literal  # "made of?" asks about "Material:" by its concept
    covered = (bool(literal) and literal <= wanted) or bool(concepts & wanted)
    if not covered or not _word_value(value):
        return None
    asked = {t for t in wanted - label if not t.startswith("<") and not any(c.startswith("<") for c in terms(t))}
    if not asked:
        return None
    held = asked & terms(value)
    if not held:
        return True
    return False if held == asked else None


def _word_value(value: str) -> bool:
    """A value in words ("EVA foam", "7075 aluminium"), not a measure or a count ("3000 mm", "2")."""
    return bool(re.search(r"[A-Za-z\u4e00-\u9fff]{2,}", value)) and not _MEASURE_END.search(value)


_MEASURE_END = re.compile(r"\d(?:[.,]\d+)?\s*[A-Za-z%°\u4e00-\u9fff]{0,6}\s*$")


def fact_terms(question: str) -> set[str]:
    """The terms of the price and stock words the question uses ("available", "库存")."""
    lowered = question.lower()
    return {t for w in phrases().fact_question if w in lowered for t in terms(w)}


def asks_when(question: str) -> bool:
    """The question asks for a time or date ("when", "back in stock", "什么时候", "补货")."""
    return bool(phrases().temporal.search(question))


def is_fact_question(question: str) -> bool:
    """Price and stock questions the product's fact line answers: what it costs and holds now, not when
    either changes ("when is it back in stock?" asks for a date no catalog export holds)."""
    return asks_fact(question) and not asks_when(question)


# A clause with its terminator: "tell me about X," / "does it fold?" / "可以发短信给我".
_CLAUSE_WITH_END = re.compile(r"[^.!?;,，。！？；、\n]+[.!?;,，。！？；、\n]*")


def asked_part(question: str) -> str:
    """The clauses of a message that ask something; the rest ("you can text me on …") is no question.

    A clause asks when it ends with a question mark, has a yes/no form, or holds a question or request
    cue ("what", "tell me", "多少", "介绍"). A message with no such clause is taken whole.
    """
    p = phrases()
    parts = [m.group(0) for m in _CLAUSE_WITH_END.finditer(question) if m.group(0).strip(" .,，。;；、\n")]
    asked = [c for c in parts if c.rstrip().endswith(("?", "？")) or is_yes_no_question(c) or p.question_cue.search(c)]
    return " ".join(asked) if asked and len(parts) > 1 else question


def is_yes_no_question(question: str) -> bool:
    p = phrases()
    stripped = question.strip()
    return bool(p.yes_no_en.search(stripped) or p.yes_no_zh.search(stripped))


def negative(text: str) -> bool:
    p = phrases()
    return bool(p.lead_no.search(text) or p.neg_en.search(text) or p.neg_zh.search(text))


def coverage(wanted: set[str], text: str) -> float:
    """Share of ``wanted`` that ``text`` holds anywhere."""
    return len(wanted & terms(text)) / len(wanted) if wanted else 1.0


def clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_SPLIT.split(text) if c.strip()]


def best_clause(wanted: set[str], fact_text: str) -> tuple[str, float]:
    """The fact clause holding most of ``wanted``, and the share it holds."""
    best, share = "", 0.0
    if not wanted:
        return best, share
    for clause in clauses(fact_text):
        have = terms(clause)
        got = len(wanted & have) / len(wanted)
        if got > share:
            best, share = clause, got
    return best, share


class FeatureClaims:
    """Checks the yes/no claims an answer makes about the feature a yes/no question asks about."""

    def __init__(
        self,
        question: str,
        fact_text: str,
        passages: Sequence[PassageHit] = (),
        name_terms: frozenset[str] = frozenset(),
    ) -> None:
        self.active = bool(question) and is_yes_no_question(question) and not is_fact_question(question)
        self.fact_text = fact_text
        self.wanted = terms(question, name_terms) if self.active else set()
        self.reviews = [h for h in passages if h.doc.kind == "review"]
        relevant = [h for h in passages if h.doc.kind != "review" and h.score >= RELEVANT_PASSAGE]
        self.relevant = max(relevant, key=lambda h: h.score) if relevant else None

    def evidence(self) -> tuple[str, bool] | None:
        """The fact text that answers the question, and whether it says no; None if no fact does."""
        clause, share = best_clause(self.wanted, self.fact_text)
        literal = {t for t in self.wanted if not t.startswith("<")}
        if clause and share >= COVERAGE_MIN and literal and literal <= terms(clause):
            return clause, clause_polarity(clause)
        # A "label: value" line on the asked feature says yes or no ("Grips: EVA foam" to "cork grips?").
        labelled = labelled_polarity(self.wanted, self.fact_text.replace("; ", "\n"))
        if labelled is not None:
            return labelled
        if clause and share >= COVERAGE_MIN:
            return clause, negative(clause)
        if self.relevant is not None:
            text = self.relevant.doc.text
            return text, negative(text)
        return None

    def supported(self, sentence: str, dropped: list[str]) -> bool:
        """False (and the reason appended to ``dropped``) for a yes/no claim no fact backs."""
        if not self.active or not sentence.strip():
            return True
        p = phrases()
        leads = bool(p.lead_yes.search(sentence) or p.lead_no.search(sentence))
        about = self.wanted & terms(sentence)
        if not leads and not about:
            return True  # not a claim about the asked feature (a price, a name, a pleasantry)
        if says_dont_know(sentence):
            return True  # abstaining is judged by the pipeline, not here
        if self.reviews and p.review_attribution.search(sentence):
            return True  # attributed to shoppers, and the prompt carried their reviews
        found = self.evidence()
        if found is None:
            dropped.append(f"unsupported feature claim: {sentence.strip()}")
            return False
        _, says_no = found
        if negative(sentence) != says_no:
            dropped.append(f"feature claim contradicts the facts: {sentence.strip()}")
            return False
        return True
