"""Configuration: one pydantic-settings class, read from SHOPGUIDE_* environment variables or ``.env``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from platformdirs import user_cache_dir, user_data_dir
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "shopguide"
DEMO_DATA_DIR = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "demo"
# Generations a replica streams at once from an OpenAI-compatible model tier when none is configured: that
# tier queues and batches on its own (llama.cpp slots, vLLM), so one at a time would leave it idle and make
# every replica's turns queue behind each other's streams.
REMOTE_LLM_CONCURRENCY = 16


def _default_threads() -> int:
    # llama.cpp and BLAS oversubscribe badly when asked for more threads than cores.
    return max(1, os.cpu_count() or 1)


class Settings(BaseSettings):
    """All runtime settings. Secrets are ``SecretStr`` so they never end up in logs or reprs."""

    model_config = SettingsConfigDict(env_prefix="SHOPGUIDE_", env_file=".env", extra="ignore")

    # --- storage ---
    data_dir: Path = Field(default=Path(user_data_dir(APP_NAME)), description="SQLite memory, Chroma, audit log")
    cache_dir: Path = Field(default=Path(user_cache_dir(APP_NAME)), description="assembled model files")
    catalog_dir: Path = Field(default=DEMO_DATA_DIR, description="catalog loaded when the store is empty")

    # --- shared state (several replicas); empty = the one-machine SQLite/in-process default ---
    database_url: SecretStr = Field(
        default=SecretStr(""),
        description="postgresql://user@host/db: conversations, tickets, audit log and delivery ids in Postgres",
    )
    database_schema: str = Field(
        default="public", description="Postgres schema holding shopguide's tables (one per deployment or test run)"
    )
    redis_url: SecretStr = Field(
        default=SecretStr(""),
        description="redis://host:6379/0: per-chat turn order, rate limits, delivery ids, leader lock, release news",
    )
    redis_prefix: str = Field(default="shopguide", description="prefix of every Redis key (one per deployment)")
    turns_per_second: int = Field(
        default=0, description="turns started per second across all replicas and users; 0 = unlimited"
    )
    metrics_port: int = Field(
        default=0, description="serve /healthz, /readyz and Prometheus /metrics on this port; 0 = off"
    )
    metrics_host: str = Field(default="127.0.0.1", description="bind address of the health and metrics server")

    # --- knowledge ---
    chroma_mode: Literal["embedded", "server"] = "embedded"
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8000
    retrieval_k: int = Field(default=8, description="candidate products fetched per query")
    embed_threads: int = Field(
        default=1,
        description="threads for batch embedding at ingest; one is fastest on a busy 2-core machine "
        "(measured: 10k products in 55 s on one thread, 64 s on two)",
    )
    kb_keep_releases: int = Field(default=3, description="previous knowledge releases kept for instant rollback")
    kb_column_map: dict[str, str] = Field(
        default_factory=dict,
        description="CSV column mapping for unrecognised headers: Product field (or 'attr.NAME') -> CSV header",
    )
    kb_default_currency: str = Field(default="CNY", description="currency of catalog prices that name none")
    kb_max_catalog_mb: float = Field(default=128.0, description="largest catalog file (CSV/JSON) accepted by a reload")
    kb_max_doc_mb: float = Field(default=5.0, description="largest Markdown/text document accepted by a reload")
    kb_reference_questions: Path | None = Field(
        default=None,
        description="labelled questions (JSONL) the release gate must keep answering; "
        "a reference_questions.jsonl beside the catalog takes precedence",
    )
    kb_source_roots: list[Path] = Field(
        default_factory=list,
        description="folders chat admins may reload from (default: catalog_dir); the CLI may use any path",
    )

    # --- model ---
    llm_backend: Literal["llamacpp", "transformers", "openai", "none"] = "llamacpp"
    model_path: Path | None = Field(default=None, description="GGUF file or HF directory; default: bundled Qwen")
    llm_model: Literal["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"] = Field(
        default="qwen2.5-coder-0.5b",
        description="which shipped model to assemble when model_path is unset; the 1.5B needs the larger-model extra",
    )
    llm_threads: int = Field(default_factory=_default_threads)
    llm_context: int = 2048
    llm_max_tokens: int = Field(default=96, description="cap on generated tokens per answer")
    llm_temperature: float = 0.2
    llm_timeout_s: float = Field(default=20.0, description="after this the retrieval-only answer is sent")
    stream_clause_words: int = Field(
        default=6,
        description="a sentence still being written shows its checked clauses once one holds this many words "
        "(a CJK character counts half); 0 shows whole sentences only",
    )
    llm_concurrency: int | None = Field(
        default=None,
        ge=1,
        description="parallel generations; unset: 1 for an in-process model (its 2 cores), "
        f"{REMOTE_LLM_CONCURRENCY} for an OpenAI-compatible model tier",
    )
    llm_cache_slots: int = Field(
        default=4, description="llama.cpp slots; each keeps one intent's system prompt in its KV cache"
    )
    openai_base_url: str = "http://127.0.0.1:8088/v1"
    openai_api_key: SecretStr = SecretStr("")
    openai_model: str = "shopguide"

    # --- conversation ---
    history_turns: int = Field(default=6, description="turns kept in memory per conversation")
    max_input_chars: int = Field(default=2000, description="longer messages are refused politely")
    default_language: Literal["zh", "en"] = "en"

    # --- safety and privacy ---
    safety_classifier: bool = Field(
        default=True, description="run the learned detector (embeddings + character n-grams) after the input rules"
    )
    safety_classifier_path: Path | None = Field(
        default=None, description="detector weights (.npz); default: the model shipped in assistant/safety/data"
    )
    safety_block_off_topic: bool = Field(
        default=True, description="refuse using the bot as a free general chatbot (essays, code, homework)"
    )
    safety_competitors: list[str] = Field(
        default_factory=list, description="shop names the bot must not disparage; empty: a built-in list"
    )
    pii_keep: list[str] = Field(
        default_factory=list, description="PII kinds kept in clear in memory and transcripts, e.g. ['email']"
    )
    pii_show_last_digits: int = Field(default=0, description="keep this many last digits of redacted numbers")
    retention_days: int = Field(default=30, description="`shopguide privacy purge` default: drop older conversations")
    personalisation: bool = Field(
        default=True,
        description="keep shopper profiles (stated preferences, imported history, feedback) and rank for them; "
        "off: nothing about a shopper is kept beyond the conversation, feedback is stored without a name",
    )

    # --- logging (one policy for every command: stderr for servers, the file always unless turned off) ---
    log_format: Literal["plain", "json"] = Field(
        default="plain", description="plain key=value lines, or one JSON object per line (for log shippers)"
    )
    log_stream: Literal["stderr", "stdout"] = Field(
        default="stderr", description="where servers write log lines; stdout for containers (with log_format=json)"
    )
    log_file: bool = Field(default=True, description="also write a rotating shopguide.log in the data directory")

    # --- admin ---
    admin_ids: list[str] = Field(default_factory=list, description="'platform:user_id' allowed to run kb commands")

    # --- slack (staff) ---
    slack_bot_token: SecretStr = Field(default=SecretStr(""), description="xoxb- bot token of the Slack app")
    slack_app_token: SecretStr = Field(default=SecretStr(""), description="xapp- app-level token (Socket Mode)")
    slack_signing_secret: SecretStr = Field(
        default=SecretStr(""), description="signing secret; HTTP mode verifies every request with it"
    )
    slack_mode: Literal["socket", "http"] = Field(default="socket", description="Socket Mode or HTTP Events API")
    slack_http_host: str = Field(default="127.0.0.1", description="bind address in HTTP mode")
    slack_http_port: int = Field(default=3000, description="port in HTTP mode (events, commands, actions)")
    slack_api_url: str = Field(
        default="https://slack.com/api/", description="Slack Web API base URL (tests point it at a fake)"
    )
    slack_support_channel: str = Field(default="", description="channel id where handoff tickets open as threads")
    slack_streaming: Literal["auto", "native", "update"] = Field(
        default="auto", description="native chat streaming, throttled chat.update, or native with update fallback"
    )
    slack_update_interval_s: float = Field(
        default=1.0, description="minimum seconds between message writes per channel while streaming"
    )
    slack_admin_group: str = Field(default="", description="Slack user group id whose members may run kb commands")
    slack_max_turns: int = Field(default=4, description="Slack turns processed at once; more wait in a queue")
    digest_channel: str = Field(
        default="", description="Slack channel id for the weekly staff feedback digest; empty: no scheduled digest"
    )
    digest_weekday: int = Field(default=0, ge=0, le=6, description="day the digest is posted (0 = Monday, UTC)")
    digest_hour: int = Field(default=9, ge=0, le=23, description="hour (UTC) the digest is posted")

    # --- telegram ---
    telegram_token: SecretStr = Field(default=SecretStr(""), description="bot token from @BotFather (env or .env only)")
    telegram_webhook_secret: SecretStr = Field(
        default=SecretStr(""),
        description="webhook mode: secret Telegram sends in X-Telegram-Bot-Api-Secret-Token (1-256 of A-Z a-z 0-9 _ -)",
    )
    telegram_webhook_url: str = Field(default="", description="public HTTPS URL of the webhook; empty = long polling")
    telegram_webhook_listen: str = Field(default="127.0.0.1", description="webhook bind address (behind a proxy)")
    telegram_webhook_port: int = Field(default=8443, description="webhook port the reverse proxy forwards to")
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot", description="Bot API base URL (a self-hosted Bot API server or a fake)"
    )
    telegram_drop_pending_updates: bool = Field(
        default=False,
        description="on start, discard updates Telegram queued while the bot was down instead of answering them",
    )
    telegram_user_messages_per_minute: int = Field(
        default=10, description="messages (and button presses) per user per minute; 0 = unlimited"
    )

    @property
    def generation_limit(self) -> int:
        """Generations run at once by this process (``llm_concurrency``, or its default for the backend)."""
        if self.llm_concurrency is not None:
            return self.llm_concurrency
        return REMOTE_LLM_CONCURRENCY if self.llm_backend == "openai" else 1

    @property
    def memory_db(self) -> Path:
        return self.data_dir / "memory.sqlite3"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def slack_db(self) -> Path:
        """Seen Slack event ids (exactly-once replies) and handoff tickets."""
        return self.data_dir / "slack.sqlite3"

    @property
    def telegram_db(self) -> Path:
        """Seen Telegram update ids (webhook redeliveries are answered once)."""
        return self.data_dir / "telegram.sqlite3"

    @property
    def handoff_db(self) -> Path:
        return self.data_dir / "handoff.sqlite3"

    @property
    def audit_log(self) -> Path:
        return self.data_dir / "audit.jsonl"
