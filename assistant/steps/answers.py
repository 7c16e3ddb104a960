"""Answer steps, one per kind of question: each finds the facts its intents need, and answers at once
when no model is needed (a greeting, an exact superlative, nothing found). A step skips other intents.
"""

from __future__ import annotations

from knowledge.models import Product
from knowledge.search import PassageHit

from ..answerability import Verdict, grounded_fallback, honest_answer, policy_answers
from ..answerability import judge as judge_answerable
from ..conversation import Slots
from ..guide import ShoppingGuide
from ..personal.demand import UnmetRequests
from ..ports import Retriever
from ..render import attribute_text, compare_answer, list_answer, money, use_text
from ..superlative_answer import comparison_answer
from ..support import asks_price
from ..texts import text
from ..turn import TurnContext
from ..types import Choice, Intent, Language, ProductCard
from ..understanding import CatalogVocabulary

POLICY_PASSAGES = 3  # near-ties are common among policy sections: give the model all three
POLICY_MIN_SCORE = 0.2  # below this cosine similarity no passage is about the question
# Passages of the asked product ranked to judge answerability; the best few go into the prompt (each
# costs up to ~80 tokens of prefill). An attribute passage is short and says what the fact line leaves
# out ("waterproof: no"), which is what a yes/no question asks.
PASSAGE_CANDIDATES = 6
PROMPT_PASSAGES = 3
COMPARE_PASSAGES = 2  # per product: two products' passages cost what one product's three do
MAX_UNKNOWN_BEFORE_HUMAN = 2
# Every answer step's time is reported under one name, so latency figures stay comparable.
RETRIEVE = "retrieve"


def _asked(ctx: TurnContext) -> Intent:
    u = ctx.found.understanding
    assert u is not None, "the understanding step runs first"
    return u.intent


def category_choices(vocabulary: CatalogVocabulary, language: Language) -> list[Choice]:
    labels = [vocabulary.label(category, language) for category in vocabulary.categories]
    return [Choice(label, label) for label in labels]


class FixedReplyStep:
    """Greetings, requests for a person and messages we did not understand: a fixed text and choices."""

    name = RETRIEVE
    blocking = True

    def __init__(self, vocabulary: CatalogVocabulary, handoff_available: bool) -> None:
        self.vocabulary = vocabulary
        self.handoff_available = handoff_available

    def run(self, ctx: TurnContext) -> None:
        lang = ctx.language
        intent = _asked(ctx)
        if intent is Intent.GREETING:
            ctx.finish(text("greeting", lang), choices=category_choices(self.vocabulary, lang))
        elif intent is Intent.HUMAN:
            ctx.draft.handoff_reason = "asked_for_human"
            ctx.finish(text("handoff" if self.handoff_available else "handoff_unavailable", lang))
        elif intent is Intent.UNKNOWN:
            choices = category_choices(self.vocabulary, lang)
            if _unknown_streak(ctx) >= MAX_UNKNOWN_BEFORE_HUMAN and self.handoff_available:
                choices.append(Choice(text("human_choice", lang), text("human_choice", lang)))
            ctx.finish(text("unknown", lang), choices=choices)


def _unknown_streak(ctx: TurnContext) -> int:
    # Counted from memory: the assistant's last answers that were the "unknown" text.
    unknown = {text("unknown", "en"), text("unknown", "zh")}
    streak = 1
    for turn in reversed(ctx.state.turns):
        if turn.role == "assistant":
            if turn.text in unknown:
                streak += 1
            else:
                break
    return streak


class PolicyStep:
    """Shop policy questions: the closest sections of the shop's documents, or an honest 'none'."""

    name = RETRIEVE
    blocking = True

    def __init__(self, retriever: Retriever, vocabulary: CatalogVocabulary | None = None) -> None:
        self.retriever = retriever
        self.vocabulary = vocabulary

    def run(self, ctx: TurnContext) -> None:
        if _asked(ctx) is not Intent.POLICY:
            return
        hits = [h for h in self.retriever.search_docs(ctx.message.text, ctx.language, k=POLICY_PASSAGES)]
        hits = [h for h in hits if h.score >= POLICY_MIN_SCORE]
        # The closest sections are not an answer unless they hold what is asked: say so, never guess.
        u = ctx.found.understanding
        kinds = self.vocabulary.category_words if self.vocabulary is not None else ()
        asked = [word for word, kind in kinds if u is not None and kind == u.slots.category]
        if not policy_answers(ctx.message.text, hits, asked, [word for word, _ in kinds]):
            ctx.finish(text("policy_none", ctx.language))
            return
        ctx.found.passages = hits
        top = hits[0].doc
        ctx.draft.fallback_text = f"{top.title}: {' '.join(top.text.split())}"


class NamedProductStep:
    """Questions about named products: one product's facts and passages, or two products compared."""

    name = RETRIEVE
    blocking = True

    def __init__(
        self,
        retriever: Retriever,
        guide: ShoppingGuide,
        vocabulary: CatalogVocabulary,
        handoff_available: bool,
        requests: UnmetRequests | None = None,
    ) -> None:
        self.retriever = retriever
        self.guide = guide
        self.vocabulary = vocabulary
        self.handoff_available = handoff_available
        self.requests = requests  # questions nobody could answer, for staff

    def run(self, ctx: TurnContext) -> None:
        if _asked(ctx) not in (Intent.PRODUCT_INFO, Intent.COMPARE):
            return
        u = ctx.found.understanding
        assert u is not None
        found, lang = ctx.found, ctx.language
        products = self.retriever.get_products(u.named_skus[:2])
        if not products:
            ctx.finish(text("product_missing", lang))
            return
        found.products = products
        found.cards = [card(p, lang, label=self.vocabulary.label(p.category, lang)) for p in products]
        if u.intent is Intent.COMPARE and len(products) >= 2:
            found.passages = self._compare_passages(ctx, products[:2])
            ctx.draft.fallback_text = compare_answer(products[0], products[1], lang)
            winner = comparison_answer(ctx.message.text, products[0], products[1], lang)
            if winner is not None:
                # "Which is cheaper?" has one exact answer in the two products' facts: no model needed.
                ctx.finish(f"{winner}\n{ctx.draft.fallback_text}")
        elif u.slots.sort is not None and u.slots.sort_measure is None:
            # "Is X the cheapest tent?": the store's sorted query answers yes or no, exactly.
            ctx.draft.intent = Intent.PRODUCT_INFO
            decision = self.guide.is_top(products[0], u.slots, lang)
            found.products = decision.products
            found.cards = [
                card(p, lang, decision.reasons.get(p.sku, ""), label=self.vocabulary.label(p.category, lang))
                for p in decision.products
            ]
            ctx.finish(list_answer(decision.products, decision.reasons, lang, decision.headline))
        else:
            ctx.draft.intent = Intent.PRODUCT_INFO
            found.products = products[:1]
            found.cards = found.cards[:1]
            self._ground(ctx, products[0])
        ctx.state.last_skus = [p.sku for p in found.products]

    def _compare_passages(self, ctx: TurnContext, products: list[Product]) -> list[PassageHit]:
        """Each product's own passages closest to the question: facts only in descriptions get compared too."""
        passages: list[PassageHit] = []
        for product in products:
            question = ctx.message.text
            hits = self.retriever.search_product_passages(product.sku, question, ctx.language, PASSAGE_CANDIDATES)
            passages += [h for h in hits if h.doc.kind != "review"][:COMPARE_PASSAGES]
        return passages

    def _ground(self, ctx: TurnContext, product: Product) -> None:
        """The product's own passages that answer the question; an honest answer when none does."""
        found, draft, lang = ctx.found, ctx.draft, ctx.language
        hits = self.retriever.search_product_passages(product.sku, ctx.message.text, lang, PASSAGE_CANDIDATES)
        shop_docs = self.retriever.search_docs(ctx.message.text, lang, k=1)
        verdict = judge_answerable(ctx.message.text, product, hits, shop_docs)
        found.verdict = verdict
        found.passages = hits[:PROMPT_PASSAGES]
        if verdict.evidence is not None and verdict.evidence not in found.passages:
            found.passages = [verdict.evidence, *found.passages[: PROMPT_PASSAGES - 1]]
        draft.fallback_text = grounded_fallback(verdict, product, lang)
        draft.honest_text = honest_answer(Verdict("unknown"), product, lang, colleague=self.handoff_available)
        if verdict.kind == "facts" and product.price is None and asks_price(ctx.message.text):
            # No price in the catalog: the fact line says so, and no model wording can state one.
            ctx.finish(draft.fallback_text)
            return
        if verdict.kind in ("unknown", "reviews_only"):
            if verdict.kind == "unknown" and self.requests is not None:
                self.requests.unanswered(ctx.message.text, product.sku, lang)
            colleague = self.handoff_available
            choices = [Choice(text("human_choice", lang), text("human_choice", lang))]
            body = honest_answer(verdict, product, lang, colleague=colleague)
            ctx.finish(body, choices=choices if colleague else ())


class RecommendStep:
    """A shopping need: the guide asks the one most useful question, or picks products."""

    name = RETRIEVE
    blocking = True

    def __init__(
        self, guide: ShoppingGuide, vocabulary: CatalogVocabulary, requests: UnmetRequests | None = None
    ) -> None:
        self.guide = guide
        self.vocabulary = vocabulary
        self.requests = requests  # kinds of item asked for that the shop does not sell, for staff

    def run(self, ctx: TurnContext) -> None:
        if _asked(ctx) is not Intent.RECOMMEND:
            return
        u = ctx.found.understanding
        assert u is not None
        lang, found = ctx.language, ctx.found
        if u.not_carried:
            if self.requests is not None:
                self.requests.not_carried(u.not_carried, lang)
            ctx.finish(text("not_carried", lang, item=u.not_carried), choices=category_choices(self.vocabulary, lang))
            return
        state = ctx.state
        personal = ctx.personal
        decision = self.guide.decide(
            state.slots,
            ctx.message.text,
            lang,
            clarify_count=state.clarify_count,
            just_recommend=u.just_recommend,
            ranker=personal.ranking if personal else None,
        )
        found.decision = decision
        if decision.kind == "clarify":
            state.clarify_count += 1
            ctx.finish(decision.question, choices=decision.choices)
            return
        # What the profile filled in ("you usually look under ¥800 — still right?") is said first.
        note = ctx.draft.note = personal.note if personal else ""
        state.clarify_count = 0
        found.products = decision.products
        found.cards = [
            card(p, lang, decision.reasons.get(p.sku, ""), label=self.vocabulary.label(p.category, lang))
            for p in decision.products
        ]
        state.last_skus = [p.sku for p in decision.products]
        if decision.kind == "top":
            # Exact from the catalog (the store sorted it): no model wording to check or get wrong.
            ctx.finish(_said_first(note, list_answer(decision.products, decision.reasons, lang, decision.headline)))
            return
        if decision.kind == "no_match":
            body = text("no_match", lang) if decision.products else text("no_match_empty", lang)
            if decision.products:
                body = list_answer(decision.products, decision.reasons, lang, body)
            ctx.finish(_said_first(note, body))
            return
        fallback = list_answer(decision.products, decision.reasons, lang, text("recommend_intro", lang))
        ctx.draft.fallback_text = _said_first(note, fallback)


def _said_first(note: str, body: str) -> str:
    return f"{note}\n{body}" if note else body


def describe_need(slots: Slots, language: Language, vocabulary: CatalogVocabulary) -> str:
    parts: list[str] = []
    if slots.category:
        label = vocabulary.label(slots.category, language)
        parts.append(label if language == "zh" else label.lower())
    if slots.price_max is not None:
        parts.append(f"≤ {money(slots.price_max)}")
    if slots.price_min is not None:
        parts.append(f"≥ {money(slots.price_min)}")
    if slots.use:
        parts.append(use_text(slots.use, language))
    parts.extend(t for k, v in slots.attributes.items() if (t := attribute_text(k, v, language)))
    if slots.brand:
        parts.append(slots.brand)
    return ", ".join(parts)


def card(product: Product, language: Language, reason: str = "", *, label: str = "") -> ProductCard:
    return ProductCard(
        sku=product.sku,
        name=product.display_name(language),
        price=product.price,
        currency=product.currency,
        stock=product.stock,
        url=product.url,
        image_url=product.image_url,
        reason=reason,
        brand=product.brand,
        category=product.category,
        category_label=label,
    )
