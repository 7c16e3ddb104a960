"""Can the catalog answer a question about one product? Decided from retrieval before the model speaks.

``facts``: price, stock or a general "tell me about it" (the fact line answers); ``passage``: a fact
clause holds the question's feature words, or a passage of the product's own text is close in meaning
(across languages); ``reviews_only``: only shoppers' reviews speak to it (an opinion, never a fact);
``unknown``: nothing does. The last two are answered honestly without the model; the first two go to
the model, whose answer the fact check then holds to the same facts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from knowledge.models import Product
from knowledge.passages import without_name
from knowledge.search import PassageHit

from .lexicon import contains
from .render import spec_answer
from .support import (
    COVERAGE_MIN,
    RELEVANT_PASSAGE,
    asked_part,
    asks_fact,
    asks_reviews,
    asks_when,
    best_clause,
    clause_polarity,
    coverage,
    fact_terms,
    is_fact_question,
    is_yes_no_question,
    labelled_polarity,
    product_text,
    terms,
)
from .texts import text
from .types import Language

Answerability = Literal["facts", "passage", "reviews_only", "unknown"]
# Shop documents (FAQ, policies) answer a question when they hold enough of its words. English words are
# whole words, so half of them must be there ("do you ship to Hong Kong?" holds only "ship"); Chinese
# character pairs are too noisy for a share, so one held pair is enough there.
POLICY_COVERAGE_EN = 0.5
POLICY_COVERAGE_ANY = 0.01
_SENTENCE = re.compile(r"[^.!?;。！？；\n]+")
QUOTE_CHARS = 240  # a quoted passage stays readable in a chat bubble
RELEVANT_REVIEW = 0.5


@dataclass(frozen=True)
class Verdict:
    kind: Answerability
    evidence: PassageHit | None = None  # the passage that answers (a review for ``reviews_only``)
    says_no: bool | None = None  # for a yes/no question whose words a fact clause holds: does it say no
    about_reviews: bool = False  # the question asks what shoppers think, and no review says


def feature_terms(question: str, product: Product) -> set[str]:
    """The question's content words outside the product's name (as asked), brand and category.

    Only the name as it appears is removed: "does the X Drill with Charger come with a charger?" still
    asks about a charger, and the title that says so answers it.
    """
    kind = terms(f"{product.brand} {product.category.replace('_', ' ')}")
    return terms(without_name(asked_part(question), product), frozenset(kind))


def judge(question: str, product: Product, hits: Sequence[PassageHit], shop_docs: Sequence[PassageHit] = ()) -> Verdict:
    """``hits``: the product's passages, best first; ``shop_docs``: the closest FAQ/policy sections."""
    facts = [h for h in hits if h.doc.kind != "review"]
    reviews = [h for h in hits if h.doc.kind == "review"]
    best = facts[0] if facts else None
    if asks_fact(question) and asks_when(question):
        # A catalog holds today's price and stock, never the date either changes: no passage answers
        # "when is it back in stock?", however close its words are.
        return Verdict("unknown")
    if asks_reviews(asked_part(question)):
        # What shoppers think is only in reviews, quoted as opinions; no review: say there is none.
        return Verdict("reviews_only", reviews[0]) if reviews else Verdict("unknown", about_reviews=True)
    wanted = feature_terms(question, product)
    if is_fact_question(question):
        # "Is it available in green?" asks about a colour, not the stock: a yes/no price or stock question
        # with words of its own beyond the fact words is judged by those words.
        wanted -= fact_terms(question)
        if not (wanted and is_yes_no_question(without_name(question, product))):
            return Verdict("facts", best)
    if not wanted:
        return Verdict("facts", best)
    clause, share = best_clause(wanted, "\n".join([product_text(product), *(h.doc.text for h in facts)]))
    asks_yes_no = is_yes_no_question(without_name(question, product))
    # A "label: value" line whose label is what is asked and whose value says yes or no answers a yes/no
    # question even in other words ("能过滤病毒吗?" / "去除病毒：否"; "does it fold?" / "Folding: no").
    labelled = labelled_polarity(wanted, _spec_lines(product, facts)) if asks_yes_no else None
    if share >= COVERAGE_MIN:
        holding = next((h for h in facts if clause and clause in h.doc.text), best)
        # Yes or no only when the clause holds the asked word itself ("LED light", "waterproof: no"),
        # not just its concept: "is it heavy?" is not answered yes by "weight: 254 g".
        literal = {t for t in wanted if not t.startswith("<")}
        holds_all = bool(literal) and literal <= terms(clause)  # "cork grips?" is not answered by "grips: EVA"
        if asks_yes_no and holds_all:
            return Verdict("passage", holding, clause_polarity(clause))
        if labelled is not None:
            return Verdict("passage", _holding(labelled[0], facts, holding), labelled[1])
        return Verdict("passage", holding)
    if labelled is not None:
        return Verdict("passage", _holding(labelled[0], facts, best), labelled[1])
    if best is not None and best.score >= RELEVANT_PASSAGE:
        return Verdict("passage", best)
    for doc in shop_docs:  # "what is the warranty on X?" is answered by the warranty policy
        if best_clause(wanted, doc.doc.text)[1] >= COVERAGE_MIN:
            return Verdict("passage", doc)
    if reviews:
        _, review_share = best_clause(wanted, "\n".join(h.doc.text for h in reviews))
        # A review is quoted only when it clearly speaks to the question: shared words, or close meaning.
        if review_share >= COVERAGE_MIN or reviews[0].score >= RELEVANT_REVIEW:
            return Verdict("reviews_only", reviews[0])
    return Verdict("unknown")


def _spec_lines(product: Product, facts: Sequence[PassageHit]) -> str:
    """The product's attributes and passages one statement a line, for "label: value" reading."""
    lines = [f"{key.replace('_', ' ')}: {_plain(value)}" for key, value in product.attributes.items()]
    lines += [product.description, product.description_zh, *(h.doc.text for h in facts)]
    return "\n".join(lines)


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _holding(line: str, facts: Sequence[PassageHit], default: PassageHit | None) -> PassageHit | None:
    """The passage that holds ``line`` (quoted as the evidence), else ``default``."""
    return next((h for h in facts if line in h.doc.text or h.doc.text in line), default)


def _quote(hit: PassageHit) -> str:
    body = " ".join(hit.doc.text.split())
    return body if len(body) <= QUOTE_CHARS else body[: QUOTE_CHARS - 1].rstrip() + "…"


def honest_answer(verdict: Verdict, product: Product, language: Language, *, colleague: bool) -> str:
    """What the shopper reads when the catalog does not answer: say so, give what is known, offer a human."""
    lines: list[str] = []
    if verdict.kind == "reviews_only" and verdict.evidence is not None:
        lines.append(text("reviews_only", language, quote=_quote(verdict.evidence)))
    else:
        kind = "no_reviews" if verdict.about_reviews else "dont_know"
        lines.append(text(kind, language, product=product.display_name(language)))
    lines.append(spec_answer(product, language))
    if colleague:
        lines.append(text("colleague_offer", language))
    return "\n".join(lines)


def grounded_fallback(verdict: Verdict, product: Product, language: Language) -> str:
    """The retrieval-only answer: the product's facts, and the passage that answers when there is one."""
    facts = spec_answer(product, language)
    # A yes/no question whose feature a fact clause holds is answered yes or no, by that clause.
    lead = "" if verdict.says_no is None else text("no_lead" if verdict.says_no else "yes_lead", language) + " "
    if verdict.kind == "passage" and verdict.evidence is not None and verdict.evidence.doc.kind != "attributes":
        return f"{lead}{text('passage_quote', language, quote=_quote(verdict.evidence))}\n{facts}"
    return f"{lead}{facts}" if lead else facts


def policy_answers(
    question: str, hits: Sequence[PassageHit], asked_kinds: Sequence[str], all_kinds: Sequence[str]
) -> bool:
    """Do the closest shop sections answer the question? Never a guess from a section on another topic.

    ``asked_kinds``: the names of the product kind the question is about ("sleeping bags", "睡袋"), if any;
    ``all_kinds``: every kind name of the catalog. A section that lists the kinds a rule covers ("tents and
    stoves carry a 2-year warranty") does not answer for a kind it leaves out.
    """
    if not hits:
        return False
    wanted = terms(asked_part(question))
    text = "\n".join(f"{h.doc.title}\n{h.doc.text}" for h in hits)
    latin = all(t.isascii() for t in wanted)
    if coverage(wanted, text) < (POLICY_COVERAGE_EN if latin and wanted else POLICY_COVERAGE_ANY):
        return False
    if not asked_kinds:
        return True
    kind_terms = terms(" ".join(all_kinds))
    topic = wanted - kind_terms
    sentences = [m.group(0) for h in hits for m in _SENTENCE.finditer(h.doc.text)]
    scored = [(len(topic & terms(s)), s.lower()) for s in sentences]
    best = max((n for n, _ in scored), default=0)
    if not topic or best == 0:
        return True
    on_topic = [s for n, s in scored if n == best]
    # A sentence on the topic that names no kind is a rule for everything ("unused gear can be returned").
    return any(_names_any(s, asked_kinds) or not _names_any(s, all_kinds) for s in on_topic)


def _names_any(sentence: str, kinds: Sequence[str]) -> bool:
    return any(contains(sentence, k.lower()) for k in kinds)
