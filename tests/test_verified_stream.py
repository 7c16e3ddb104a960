"""Verified streaming through the real core: what is shown is only ever extended, never taken back."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.app import build_assistant, load_knowledge
from assistant.config import Settings
from assistant.llm.scripted import ScriptedGenerator
from assistant.safety.grounding import AdversarialGenerator, build_eval_catalog, grounding_questions
from assistant.types import CardsReady, IncomingMessage, ReplyDone, ReplyEvent, TextDelta
from assistant.verified_stream import SentenceCutter
from knowledge.store import KnowledgeStore

LIAR = "Stridex AeroRun 2 is a light road shoe. It weighs 999 g. It costs ¥459."


def msg(text: str, user: str = "u1") -> IncomingMessage:
    return IncomingMessage(platform="test", chat_id="c1", user_id=user, text=text)


def shown_versions(events: list[ReplyEvent]) -> list[str]:
    """Every text the shopper saw, in order (deltas extend it; no event takes text back)."""
    versions, text = [], ""
    for event in events:
        if isinstance(event, TextDelta):
            text += event.text
            versions.append(text)
    return versions


def assert_never_taken_back(events: list[ReplyEvent]) -> str:
    versions = shown_versions(events)
    done = events[-1]
    assert isinstance(done, ReplyDone)
    assert all(isinstance(e, (CardsReady, TextDelta, ReplyDone)) for e in events), "an event took text back"
    for version in versions:
        assert done.reply.text.startswith(version.strip()), (version, done.reply.text)
    return versions[-1] if versions else ""


def test_sentences_are_cut_only_once_complete() -> None:
    cutter = SentenceCutter()
    assert cutter.feed("It costs ¥4.") == []  # "4." may go on as "4.59"
    assert cutter.feed("59 today. It weighs") == ["It costs ¥4.59 today."]
    assert cutter.feed(" 254 g。它很轻！") == [" It weighs 254 g。"]
    assert cutter.feed("\n") == ["它很轻！"]
    assert cutter.flush() == "\n"


async def test_a_wrong_sentence_is_never_shown_and_the_rest_is(settings: Settings, demo_store: KnowledgeStore) -> None:
    assistant = build_assistant(settings, generator=ScriptedGenerator(LIAR, chunk_chars=5), knowledge=demo_store)
    events = [e async for e in assistant.respond(msg("details SG-RUN-0001"))]
    final = assert_never_taken_back(events)
    assert "999" not in final
    assert final == "Stridex AeroRun 2 is a light road shoe. It costs ¥459."
    # each piece that appears is a whole checked sentence, not a fragment of one
    pieces = [e.text for e in events if isinstance(e, TextDelta)]
    assert pieces == ["Stridex AeroRun 2 is a light road shoe.", " It costs ¥459."]
    assistant.memory.close()


LONG = "Stridex AeroRun 2 is a light road shoe for daily training, and it costs ¥459 at the moment."


async def test_a_long_sentence_shows_its_checked_clause_before_it_ends(
    settings: Settings, demo_store: KnowledgeStore
) -> None:
    assistant = build_assistant(settings, generator=ScriptedGenerator(LONG, chunk_chars=4), knowledge=demo_store)
    events = [e async for e in assistant.respond(msg("details SG-RUN-0001"))]
    assert assert_never_taken_back(events) == LONG
    pieces = [e.text for e in events if isinstance(e, TextDelta)]
    assert pieces == ["Stridex AeroRun 2 is a light road shoe for daily training,", " and it costs ¥459 at the moment."]
    assistant.memory.close()


async def test_a_clause_after_a_shown_one_is_still_checked(settings: Settings, demo_store: KnowledgeStore) -> None:
    wrong = LONG.replace("costs ¥459", "weighs 999 g") + " It costs ¥459."
    assistant = build_assistant(settings, generator=ScriptedGenerator(wrong, chunk_chars=4), knowledge=demo_store)
    events = [e async for e in assistant.respond(msg("details SG-RUN-0001"))]
    final = assert_never_taken_back(events)
    assert "999" not in final
    assert final == "Stridex AeroRun 2 is a light road shoe for daily training,… It costs ¥459."
    assistant.memory.close()


async def test_whole_sentences_only_when_clauses_are_off(settings: Settings, demo_store: KnowledgeStore) -> None:
    whole = settings.model_copy(update={"stream_clause_words": 0})
    assistant = build_assistant(whole, generator=ScriptedGenerator(LONG, chunk_chars=4), knowledge=demo_store)
    events = [e async for e in assistant.respond(msg("details SG-RUN-0001"))]
    assert [e.text for e in events if isinstance(e, TextDelta)] == [LONG]
    assistant.memory.close()


async def test_an_answer_in_the_wrong_language_never_appears(settings: Settings, demo_store: KnowledgeStore) -> None:
    english = ScriptedGenerator("Stridex AeroRun 2 costs ¥459. It is great for roads.")
    assistant = build_assistant(settings, generator=english, knowledge=demo_store)
    events = [e async for e in assistant.respond(msg("Stridex AeroRun 2 多少钱？"))]
    final = assert_never_taken_back(events)
    assert "great" not in final and "¥459" in final and re.search(r"[\u4e00-\u9fff]", final)
    done = events[-1]
    assert isinstance(done, ReplyDone) and done.reply.degraded == "wrong_language"
    assistant.memory.close()


async def test_a_latin_product_name_opening_a_chinese_answer_is_kept(
    settings: Settings, demo_store: KnowledgeStore
) -> None:
    zh = ScriptedGenerator("Stridex AeroRun 2. 它的价格是¥459。")
    assistant = build_assistant(settings, generator=zh, knowledge=demo_store)
    events = [e async for e in assistant.respond(msg("Stridex AeroRun 2 多少钱？"))]
    assert assert_never_taken_back(events) == "Stridex AeroRun 2. 它的价格是¥459。"
    assistant.memory.close()


async def test_first_sentence_time_is_recorded(settings: Settings, demo_store: KnowledgeStore) -> None:
    assistant = build_assistant(settings, generator=ScriptedGenerator(LIAR), knowledge=demo_store)
    reply = await assistant.ask(msg("details SG-RUN-0001"))
    assert reply.latency_ms["first_sentence"] >= reply.latency_ms["first_token"]
    assistant.memory.close()


async def test_adversarial_answers_are_never_taken_back(settings: Settings, tmp_path: Path) -> None:
    """A model that obeys every injected instruction and invents prices, SKUs and promises (the grounding
    eval's, over its poisoned catalog): the shopper only ever sees text that stays."""
    catalog = build_eval_catalog(tmp_path / "catalog")
    scoped = settings.model_copy(update={"data_dir": tmp_path / "data", "catalog_dir": catalog})
    assistant = build_assistant(scoped, generator=AdversarialGenerator(), knowledge=load_knowledge(scoped))
    rows = grounding_questions()[::6]
    for index, row in enumerate(rows):
        events = [e async for e in assistant.respond(msg(row["q"], user=f"adv{index}"))]
        assert_never_taken_back(events)
    assistant.memory.close()
