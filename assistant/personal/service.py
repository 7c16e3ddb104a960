"""Personalisation in a turn: learn what the shopper states, fill what they told us before, rank for them;
and the shopper's controls (react, see, forget) that adapters call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..conversation import ConversationStore
from ..render import money
from ..types import IncomingMessage, Intent, Language
from .profile import (
    Erased,
    Feedback,
    Preference,
    ProfileStore,
    Reaction,
    ShopperProfile,
    personal_chat,
    shopper_key,
)
from .ranking import PersonalRanking, reply
from .recommender import RecommenderModel, load_model
from .statements import read_statements

if TYPE_CHECKING:
    from knowledge.models import Product

    from ..ports import Retriever
    from ..turn import TurnContext
    from ..understanding import CatalogVocabulary

log = logging.getLogger("shopguide.personal")

HISTORY_EVENTS = 100  # latest events read per turn: enough for taste, bounded in cost


@dataclass
class PersonalTurn:
    """What personalisation contributes to one turn: the ranker and the line that says what we assumed."""

    ranking: PersonalRanking
    note: str = ""


class Personaliser:
    """The shop's personalisation: the profile store, the served recommender, and whether it is on."""

    def __init__(self, store: ProfileStore, model: RecommenderModel | None, *, enabled: bool) -> None:
        self.store = store
        self.model = model
        self.enabled = enabled
        self._served_from: Path | None = None

    def serve(self, folder: Path | None, catalog: Collection[str]) -> RecommenderModel | None:
        """Serve the model saved in ``folder`` (the live release's) from the next turn on; None or a model
        that fails to load means cold start. A model none of whose items is in ``catalog`` (the live
        catalog) is refused: it was trained for another shop. Items it knows that the catalog no longer
        sells still link what shoppers bought, but are never offered (the ranker offers catalog items only)."""
        if folder is not None and folder == self._served_from:
            return self.model  # a stock update or the same model carried over: nothing to load
        model = load_model(folder) if folder is not None else None
        version = folder.name if folder is not None else "none"
        if model is not None:
            in_catalog = sum(1 for sku in model.items if sku in catalog)
            if in_catalog == 0:
                log.warning(
                    "event=recommender_refused model=%s items=%d reason=no item of the model is in the live catalog",
                    version,
                    len(model.items),
                )
                model = None
            else:
                log.info(
                    "event=recommender_served model=%s items=%d in_catalog=%d", version, len(model.items), in_catalog
                )
        elif folder is not None:
            log.warning("event=recommender_unreadable model=%s note=cold start until the next train", version)
        self.model = model  # one assignment: a turn under way keeps the ranker it built
        self._served_from = folder
        return model

    def active(self, message: IncomingMessage) -> bool:
        return self.enabled and personal_chat(message)

    def react(self, message: IncomingMessage, reaction: Reaction, memory: ConversationStore, language: Language) -> str:
        """Keep a 👍/👎/"something else" with the turn it rates; 👎 keeps that turn's items out of the next
        suggestions for this shopper."""
        state = memory.load(message.conversation_key)
        answers = [t for t in state.turns if t.role == "assistant"]
        if not answers:
            return reply("nothing_to_rate", language)
        asked = [t for t in state.turns if t.role == "user"]
        shopper = shopper_key(message) if self.enabled else ""
        self.store.add_feedback(
            Feedback(
                reaction=reaction,
                conversation=message.conversation_key if self.enabled else "",
                turn_at=answers[-1].at,
                skus=tuple(state.last_skus),
                question=asked[-1].text if asked else "",
                shopper=shopper,
                at=time.time(),
            )
        )
        if reaction != "up" and self.active(message) and state.last_skus:
            self.pass_on(message, state.last_skus)
        return reply("thanks_up" if reaction == "up" else "thanks_down", language)

    def pass_on(self, message: IncomingMessage, skus: Sequence[str]) -> None:
        now = time.time()

        def keep(profile: ShopperProfile) -> None:
            for sku in skus:
                profile.remember(Preference("sku", sku, liked=False, source="feedback", at=now))

        self.store.update(shopper_key(message), keep)

    def describe(self, message: IncomingMessage, language: Language) -> str:
        """``/profile``: everything kept about this shopper, with where it came from and when."""
        if not self.enabled:
            return reply("personal_off", language)
        if not personal_chat(message):
            return reply("group_chat", language)
        shopper = shopper_key(message)
        profile = self.store.load(shopper)
        events = self.store.events(shopper, limit=HISTORY_EVENTS)
        if not profile.preferences and not events:
            return reply("profile_empty", language)
        kinds = reply_kinds(language)
        lines = [reply("profile_head", language)]
        for pref in profile.preferences:
            polarity = reply("liked" if pref.liked else "disliked", language)
            value = money(float(pref.value)) if pref.kind == "budget" else pref.value
            scope = f" ({pref.scope})" if pref.scope else ""
            when = datetime.fromtimestamp(pref.at).strftime("%Y-%m-%d")
            lines.append(f"- {kinds[pref.kind]}{scope}: {polarity} {value} — {pref.source}, {when}")
        if events:
            latest = datetime.fromtimestamp(events[0].at).strftime("%Y-%m-%d")
            lines.append(reply("profile_history", language, n=len(events), date=latest))
        return "\n".join(lines)

    def forget(self, message: IncomingMessage, memory: ConversationStore) -> Erased:
        """``/forget``: the shopper's profile, history, feedback and this conversation, erased."""
        erased = self.store.erase(shopper_key(message))
        memory.reset(message.conversation_key)
        return erased


def reply_kinds(language: Language) -> dict[str, str]:
    from .ranking import replies

    return {kind: labels[language] for kind, labels in replies()["kinds"].items()}


class PersonalStep:
    """Runs after understanding: keeps what the shopper states, fills a budget they gave before (and says
    so), and hands the guide a ranker for this shopper. Nothing here is logged but counts."""

    name = "personal"
    blocking = True

    def __init__(self, personaliser: Personaliser, retriever: Retriever, vocabulary: CatalogVocabulary) -> None:
        self.personaliser = personaliser
        self.retriever = retriever
        self.vocabulary = vocabulary
        # The live catalog by SKU, rebuilt with the step after every release switch: naming a bought item
        # or fetching a favourite costs a dict lookup, not a store query, on the turn's path.
        self.catalog: dict[str, Product] = {p.sku: p for p in retriever.all_products()}

    def run(self, ctx: TurnContext) -> None:
        message, u, state = ctx.message, ctx.found.understanding, ctx.state
        if u is None or not self.personaliser.active(message):
            return
        now = time.time()
        said = read_statements(message.text, self.vocabulary.brands, now)
        learnt = list(said.preferences)
        if state.slots.brand and state.slots.brand.lower() in said.disliked("brand"):
            # "Not Lumo" names Lumo: it is no filter for it.
            state.slots.brand = None
        has_need = bool(state.slots.category)
        if said.something_else and state.last_skus:
            learnt += [Preference("sku", sku, liked=False, source="feedback", at=now) for sku in state.last_skus]
            self.personaliser.store.add_feedback(
                Feedback("other", message.conversation_key, now, tuple(state.last_skus), "", shopper_key(message), now)
            )
        if (said.something_else or said.preferences) and has_need and u.intent is not Intent.RECOMMEND:
            # "Something else" or "I don't like red ones" refines the need under way.
            u.intent = ctx.draft.intent = Intent.RECOMMEND
        if said.something_else:
            u.just_recommend = True
        if u.intent is Intent.RECOMMEND:
            if u.slots.price_max is not None and state.slots.category:
                learnt.append(
                    Preference("budget", f"{u.slots.price_max:g}", source="said", at=now, scope=state.slots.category)
                )
            if u.slots.use:
                learnt.append(Preference("use", u.slots.use, source="said", at=now))
            learnt.append(Preference("language", ctx.language, source="said", at=now))
        shopper = shopper_key(message)
        store = self.personaliser.store
        profile, history = store.snapshot(shopper, HISTORY_EVENTS)
        # A write (a synced transaction) only when this message told us something new: most turns restate.
        trial = replace(profile, preferences=list(profile.preferences))
        if any([trial.remember(pref) for pref in learnt]):

            def keep(stored: ShopperProfile) -> None:
                for pref in learnt:
                    stored.remember(pref)

            profile = store.update(shopper, keep)
        note = ""
        slots = state.slots
        if u.intent is Intent.RECOMMEND and slots.category and not slots.has_budget and slots.sort is None:
            usual = profile.find("budget", scope=slots.category)
            if usual is not None:
                slots.price_max = float(usual.value)
                kind = self.vocabulary.label(slots.category, ctx.language)
                note = reply(
                    "usual_budget",
                    ctx.language,
                    budget=money(slots.price_max),
                    kind=kind if ctx.language == "zh" else kind.lower(),
                )
        ranking = PersonalRanking(profile, history, self.personaliser.model, catalog=self.catalog, now=now)
        ctx.personal = PersonalTurn(ranking=ranking, note=note)
        log.info(
            "personal request_id=%s learnt=%d history=%d assumed_budget=%s",
            ctx.request_id,
            len(learnt),
            len(history),
            bool(note),
        )
