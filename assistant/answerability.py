"""Can the catalog answer a question about one product? Decided from retrieval before the model speaks.

``facts``: price, stock or a general "tell me about it" (the fact line answers); ``passage``: a fact
clause holds the question's feature words, or a passage of the product's own text is close in meaning
(across languages); ``reviews_only``: only shoppers' reviews speak to it (an opinion, never a fact);
``unknown``: nothing does. The last two are answered honestly without the model; the first two go to
the model, whose answer the fact check then holds to the same facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from knowledge.models import Product
from knowledge.passages import without_name
from knowledge.search import PassageHit

from .render import spec_answer
from .support import (
    COVERAGE_MIN,
    RELEVANT_PASSAGE,
    asked_part,
    best_clause,
    is_fact_question,
    is_yes_no_question,
    negative,
    product_text,
    terms,
)
from .texts import text
from .types import Language

Answerability = Literal["facts", "passage", "reviews_only", "unknown"]
QUOTE_CHARS = 240  # a quoted passage stays readable in a chat bubble
RELEVANT_REVIEW = 0.5


@dataclass(frozen=True)
class Verdict:
    kind: Answerability
    evidence: PassageHit | None = None  # the passage that answers (a review for ``reviews_only``)
    says_no: bool | None = None  # for a yes/no question whose words a fact clause holds: does it say no


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
    if is_fact_question(question):
        return Verdict("facts", best)
    wanted = feature_terms(question, product)
    if not wanted:
        return Verdict("facts", best)
    clause, share = best_clause(wanted, "\n".join([product_text(product), *(h.doc.text for h in facts)]))
    if share >= COVERAGE_MIN:
        holding = next((h for h in facts if clause and clause in h.doc.text), best)
        # Yes or no only when the clause holds the asked word itself ("LED light", "waterproof: no"),
        # not just its concept: "is it heavy?" is not answered yes by "weight: 254 g".
        literal = {t for t in wanted if not t.startswith("<")}
        holds_all = bool(literal) and literal <= terms(clause)  # "cork grips?" is not answered by "grips: EVA"
        asks_yes_no = is_yes_no_question(without_name(question, product))
        polarity = negative(clause) if asks_yes_no and holds_all else None
        return Verdict("passage", holding, polarity)
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


def _quote(hit: PassageHit) -> str:
    body = " ".join(hit.doc.text.split())
    return body if len(body) <= QUOTE_CHARS else body[: QUOTE_CHARS - 1].rstrip() + "…"


def honest_answer(verdict: Verdict, product: Product, language: Language, *, colleague: bool) -> str:
    """What the shopper reads when the catalog does not answer: say so, give what is known, offer a human."""
    lines: list[str] = []
    if verdict.kind == "reviews_only" and verdict.evidence is not None:
        lines.append(text("reviews_only", language, quote=_quote(verdict.evidence)))
    else:
        lines.append(text("dont_know", language, product=product.display_name(language)))
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
