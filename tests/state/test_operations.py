"""Health, readiness and Prometheus metrics of a replica, as an orchestrator and Prometheus see them."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from assistant.app import build_assistant
from assistant.config import Settings
from assistant.llm.scripted import ScriptedGenerator
from assistant.state.backends import dispose_shared, open_delivery_claims
from assistant.types import IncomingMessage
from knowledge.store import KnowledgeStore

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_probes_and_metrics_of_a_replica_on_shared_state(
    tmp_path: Path, demo_store: KnowledgeStore, postgres_url: str, pg_schema: str, redis_url: str
) -> None:
    port = _free_port()
    settings = Settings(
        data_dir=tmp_path,
        metrics_port=port,
        database_url=SecretStr(postgres_url),
        database_schema=pg_schema,
        redis_url=SecretStr(redis_url),
    )
    assistant = build_assistant(settings, generator=ScriptedGenerator(), knowledge=demo_store)
    try:
        await assistant.ask(IncomingMessage(platform="telegram", chat_id="1", user_id="1", text="a tent under 800"))
        claims = open_delivery_claims(settings, settings.telegram_db)
        assert claims.claim(f"telegram:probe:{pg_schema}") and not claims.claim(f"telegram:probe:{pg_schema}")
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base) as client:
            alive = await client.get("/healthz")
            ready = await client.get("/readyz")
            metrics = (await client.get("/metrics")).text
        assert alive.status_code == 200
        assert ready.status_code == 200, ready.text
        checks = ready.json()["checks"]
        assert checks["database"] == "ok: postgres" and checks["redis"] == "ok: redis"
        assert checks["chroma"] == f"ok: {demo_store.live.release_id}" and checks["model"].startswith("ok:")
        assert 'shopguide_turns_total{outcome="answered",platform="telegram"}' in metrics
        assert 'shopguide_first_visible_seconds_count{platform="telegram"}' in metrics
        assert f'shopguide_live_release{{release="{demo_store.live.release_id}"}} 1.0' in metrics
        assert 'shopguide_duplicates_dropped_total{source="telegram"}' in metrics
        assert postgres_url not in metrics and redis_url not in ready.text
    finally:
        await assistant.aclose()
        dispose_shared()


async def test_readiness_fails_when_redis_is_down(tmp_path: Path, demo_store: KnowledgeStore) -> None:
    port = _free_port()
    down = f"redis://127.0.0.1:{_free_port()}/0"  # nothing listens there
    settings = Settings(data_dir=tmp_path, metrics_port=port, redis_url=SecretStr(down), llm_backend="none")
    assistant = build_assistant(settings, use_configured_generator=False, knowledge=demo_store)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            ready = await client.get("/readyz")
            alive = await client.get("/healthz")
        assert alive.status_code == 200  # alive, so not restarted; just taken out of the proxy's rotation
        assert ready.status_code == 503
        checks = ready.json()["checks"]
        assert checks["redis"].startswith("failed: ") and checks["database"] == "ok: sqlite files"
        assert checks["model"] == "ok: off (retrieval-only answers)"
    finally:
        await assistant.aclose()
        dispose_shared()


def test_json_log_lines_on_stdout_stay_redacted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    import json
    import logging

    from assistant.logs import configure_logging

    settings = Settings(data_dir=tmp_path, log_format="json", log_stream="stdout", log_file=False)
    configure_logging(settings, to_stderr=True)
    logging.getLogger("shopguide.test").info("handoff opened for shopper mail=%s", "alice@example.com")
    out, err = capsys.readouterr()
    (line,) = [json.loads(raw) for raw in out.splitlines() if "handoff opened" in raw]
    assert line["level"] == "INFO" and "alice@example.com" not in line["message"]
    assert "handoff opened" not in err
