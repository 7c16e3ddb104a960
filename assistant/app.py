"""Composition root of the core: builds the knowledge store, the generator and the pipeline from settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from knowledge.bootstrap import open_knowledge
from knowledge.durable import private_dir
from knowledge.release_models import live_model_dir
from knowledge.store import KnowledgeStore

from .admin import KnowledgeAdmin, load_options
from .config import Settings
from .conversation import ConversationState, ConversationStore
from .errors import ConfigError
from .operations import SCRAPE_TIME, OperationsServer, Readiness, measured, model_check
from .personal.profile import Erased, Reaction
from .personal.recommender import LEGACY_MODEL_DIR, RELEASE_MODEL
from .personal.service import Personaliser
from .pipeline import HandoffDesk, Pipeline
from .ports import Catalog, Generator
from .prompt import SYSTEM_PROMPTS
from .safety import build_input_checks, build_output_checks
from .state.backends import dependency_checks, open_conversation_store, open_profile_store, open_release_pointer
from .texts import text
from .types import Choice, IncomingMessage, Intent, Language, Reply, ReplyDone, ReplyEvent, TextDelta


def feedback_choices(language: Language, *, recommendation: bool = True) -> list[Choice]:
    from .personal.ranking import reply

    rate = [Choice("👍", "👍"), Choice("👎", "👎")]
    if not recommendation:
        return rate
    other = reply("something_else", language)
    return [*rate, Choice(other, other)]


# Answers a shopper can rate with buttons: recommendations, and answers from the catalog and the shop's
# policies (a 👎 on one is a question that failed, in the staff digest). Greetings and refusals are not.
RATED_ANSWERS = frozenset({Intent.RECOMMEND, Intent.PRODUCT_INFO, Intent.COMPARE, Intent.POLICY})


# Messages that are a reaction to the last answer, from a quick-reply button or typed.
REACTION_TEXTS: dict[str, Reaction] = {"👍": "up", "👎": "down"}
Progress = Callable[[str, int, int], None]


def load_generator(settings: Settings, progress: Progress | None = None) -> Generator | None:
    """The configured backend; ``none`` runs retrieval-only answers (no model)."""
    backend = settings.llm_backend
    if backend == "none":
        return None
    if backend == "openai":
        from .llm.openai_http import OpenAIGenerator

        return OpenAIGenerator(
            settings.openai_base_url,
            settings.openai_model,
            settings.openai_api_key.get_secret_value(),
            timeout_s=settings.llm_timeout_s,
        )
    model_path = settings.model_path
    if model_path is None:
        from .llm.model_files import assemble_model

        model_path = assemble_model(
            settings.llm_model,
            settings.cache_dir,
            (lambda done, total: progress("model", done, total)) if progress else None,
        )
    if backend == "llamacpp":
        from .llm.llamacpp import LlamaCppGenerator

        return LlamaCppGenerator(
            model_path,
            threads=settings.llm_threads,
            context=settings.llm_context,
            parallel=max(settings.generation_limit, settings.llm_cache_slots),
            pin_slots=settings.generation_limit == 1,
        )
    if backend == "transformers":
        from .llm.transformers_backend import TransformersGenerator

        return TransformersGenerator(model_path, cache_dir=settings.cache_dir, threads=settings.llm_threads)
    raise ConfigError(f"unknown llm backend {backend!r}", hint="use llamacpp, transformers, openai or none")


def load_knowledge(settings: Settings, progress: Progress | None = None) -> KnowledgeStore:
    return open_knowledge(
        mode=settings.chroma_mode,
        data_dir=settings.data_dir,
        catalog_dir=settings.catalog_dir,
        host=settings.chroma_host,
        port=settings.chroma_port,
        embed_threads=settings.embed_threads,
        progress=progress,
        keep_releases=settings.kb_keep_releases,
        load_options=load_options(settings),
        pointer=open_release_pointer(settings),
    )


@dataclass
class Assistant:
    """What adapters talk to: respond, reset, language, and the services built on the same parts."""

    settings: Settings
    # The concrete store stays here: adapters get the ``catalog`` port and a ``release_admin``.
    _knowledge: KnowledgeStore
    generator: Generator | None
    memory: ConversationStore
    pipeline: Pipeline
    personaliser: Personaliser
    _closers: list[Callable[[], object]] = field(default_factory=list)

    @property
    def catalog(self) -> Catalog:
        """Read access to the live catalog through the core's port (what evaluation, staff tools and the
        handoff desk need)."""
        return self._knowledge

    def release_admin(self, kind: type[KnowledgeAdmin] = KnowledgeAdmin) -> KnowledgeAdmin:
        """The permission-checked, audited release operations (a ``ReleaseAdmin``) over this assistant's store;
        ``kind`` lets an adapter widen who counts as an admin (Slack's verified user group)."""
        return kind(self._knowledge, self.settings)

    def respond(self, message: IncomingMessage) -> AsyncIterator[ReplyEvent]:
        reaction = REACTION_TEXTS.get(message.text.strip())
        if reaction is not None:
            # A 👍/👎 button (its value comes back as the message) or the same emoji typed: rates the last answer.
            return self._react_turn(message, reaction)
        return measured(message, self._with_feedback(message, self.pipeline.respond(message)))

    async def _with_feedback(
        self, message: IncomingMessage, events: AsyncIterator[ReplyEvent]
    ) -> AsyncIterator[ReplyEvent]:
        """A recommendation in a one-to-one chat ends with 👍 / 👎 / "something else" quick replies, an answer
        about products or policies with 👍 / 👎: every surface renders quick replies as buttons (Telegram
        inline, Slack Block Kit, numbered in the terminal)."""
        async for event in events:
            reply = event.reply if isinstance(event, ReplyDone) else None
            if reply is not None and self._rateable(reply) and self.personaliser.active(message):
                recommendation = reply.intent is Intent.RECOMMEND
                reply.choices = [*reply.choices, *feedback_choices(reply.language, recommendation=recommendation)]
            yield event

    @staticmethod
    def _rateable(reply: Reply) -> bool:
        if reply.blocked or reply.handoff or reply.intent not in RATED_ANSWERS:
            return False
        # A recommendation is rated by what it shows; a clarifying question (no cards) is not an answer yet.
        return bool(reply.cards) if reply.intent is Intent.RECOMMEND else bool(reply.text)

    async def _react_turn(self, message: IncomingMessage, reaction: Reaction) -> AsyncIterator[ReplyEvent]:
        language = self.language_of(message)
        body = self.react(message, reaction)
        yield ReplyDone(Reply(text=body, language=language))

    async def ask(self, message: IncomingMessage) -> Reply:
        """Non-streaming convenience: run the turn and return the final reply."""
        reply: Reply | None = None
        async for event in self.respond(message):
            if isinstance(event, ReplyDone):
                reply = event.reply
        assert reply is not None
        return reply

    def reset(self, message: IncomingMessage) -> str:
        state = self.memory.load(message.conversation_key)
        language = state.language or self.settings.default_language
        self.memory.reset(message.conversation_key)
        return text("reset", language)

    def set_language(self, message: IncomingMessage, language: Language) -> str:
        def lock_language(state: ConversationState) -> None:
            state.language = language
            state.language_locked = True

        self.memory.update(message.conversation_key, lock_language)
        return text("language_set", language)

    def react(self, message: IncomingMessage, reaction: Reaction) -> str:
        """A 👍, 👎 or "something else" on the last answer of this conversation (buttons, or typed)."""
        return self.personaliser.react(message, reaction, self.memory, self.language_of(message))

    def profile(self, message: IncomingMessage) -> str:
        """``/profile``: what is kept about this shopper."""
        return self.personaliser.describe(message, self.language_of(message))

    def forget(self, message: IncomingMessage) -> tuple[str, Erased]:
        """``/forget``: erase this shopper's profile, history, feedback and this conversation."""
        language = self.language_of(message)
        erased = self.personaliser.forget(message, self.memory)
        from .personal.ranking import reply

        return reply("forgotten", language), erased

    def language_of(self, message: IncomingMessage) -> Language:
        state = self.memory.load(message.conversation_key)
        return state.language or message.language_hint or self.settings.default_language

    def greeting(self, language: Language) -> str:
        return text("greeting", language)

    def help_text(self, language: Language) -> str:
        return text("help", language)

    def on_release_switched(self) -> None:
        """Call after a knowledge release switch so vocabulary, facets and the recommender follow it."""
        self.serve_recommender()
        self.pipeline.refresh_catalog()

    def serve_recommender(self) -> None:
        """Serve the recommender the live release names (a newly trained one, or a rolled-back release's)."""
        knowledge = self._knowledge
        folder = live_model_dir(knowledge, RELEASE_MODEL)
        if folder is None:
            legacy = self.settings.data_dir / LEGACY_MODEL_DIR
            folder = legacy if legacy.is_dir() else None
        catalog = {p.sku for p in knowledge.all_products()} if knowledge.has_live else set()
        self.personaliser.serve(folder, catalog)

    async def aclose(self) -> None:
        if self.generator is not None:
            await self.generator.aclose()
        self.memory.close()
        self.personaliser.store.close()
        for close in self._closers:
            close()


def build_assistant(
    settings: Settings | None = None,
    *,
    generator: Generator | None = None,
    use_configured_generator: bool = True,
    knowledge: KnowledgeStore | None = None,
    handoff: HandoffDesk | None = None,
    progress: Progress | None = None,
    prime_model: bool = False,
) -> Assistant:
    """Wire the core. Pass ``generator`` (e.g. a ScriptedGenerator) to skip loading the configured model.
    ``prime_model``: long-running processes (chat, the bots) fill the model's prompt cache in the background."""
    settings = settings or Settings()
    private_dir(settings.data_dir)
    knowledge = knowledge or load_knowledge(settings, progress)
    if generator is None and use_configured_generator:
        generator = load_generator(settings, progress)
    memory = open_conversation_store(settings)
    bind_memory = getattr(handoff, "bind_memory", None)
    if callable(bind_memory):
        # The handoff service clears ``state.handoff`` on resolve, in this same store.
        bind_memory(memory)
    # Profiles live beside conversation memory (same file or database, own tables): one thing to back up and purge.
    personaliser = Personaliser(open_profile_store(settings), None, enabled=settings.personalisation)
    pipeline = Pipeline(
        settings,
        retriever=knowledge,
        generator=generator,
        memory=memory,
        input_checks=build_input_checks(settings),
        output_checks=build_output_checks(settings),
        handoff=handoff,
        personaliser=personaliser,
    )
    pipeline.input_safety.warm_up()
    pipeline.output_safety.warm_up()
    prime = getattr(generator, "prime", None)
    if prime_model and callable(prime):
        prime(list(SYSTEM_PROMPTS.values()))
    assistant = Assistant(
        settings=settings,
        _knowledge=knowledge,
        generator=generator,
        memory=memory,
        pipeline=pipeline,
        personaliser=personaliser,
    )
    # The one place the vocabulary follows the catalog: the store notifies after every switch or live
    # update, whether a chat admin, this process's CLI or another process made it.
    assistant.serve_recommender()
    knowledge.subscribe(lambda _release_id: assistant.on_release_switched())
    if settings.metrics_port:
        server = start_operations(settings, knowledge, generator, handoff)
        assistant._closers.append(server.close)
    return assistant


def start_operations(
    settings: Settings, knowledge: KnowledgeStore, generator: Generator | None, handoff: HandoffDesk | None
) -> OperationsServer:
    """Serve ``/healthz``, ``/readyz`` and ``/metrics`` on ``settings.metrics_port`` for this replica."""
    checks = dependency_checks(settings)

    def chroma() -> str:
        knowledge.client.heartbeat()
        return knowledge.live.release_id

    checks["chroma"] = chroma
    if generator is None:
        checks["model"] = lambda: "off (retrieval-only answers)"
    elif settings.llm_backend == "openai":
        checks["model"] = model_check(settings.openai_base_url)
    else:
        checks["model"] = lambda: f"{generator.name} loaded in process"
    SCRAPE_TIME.live_release = lambda: knowledge.live.release_id if knowledge.has_live else None
    tickets = getattr(handoff, "tickets", None)
    if tickets is not None:
        SCRAPE_TIME.open_tickets = lambda: len(tickets.list_open())
    return OperationsServer(settings.metrics_host, settings.metrics_port, Readiness(checks)).start()


async def collect_text(events: AsyncIterator[ReplyEvent]) -> tuple[str, Reply]:
    """Fold a stream the way an adapter would: deltas append."""
    shown = ""
    reply: Reply | None = None
    async for event in events:
        if isinstance(event, TextDelta):
            shown += event.text
        elif isinstance(event, ReplyDone):
            reply = event.reply
    assert reply is not None
    return shown, reply
