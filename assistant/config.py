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

    # --- knowledge ---
    chroma_mode: Literal["embedded", "server"] = "embedded"
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8000
    retrieval_k: int = Field(default=8, description="candidate products fetched per query")
    embed_threads: int = Field(default_factory=_default_threads)

    # --- model ---
    llm_backend: Literal["llamacpp", "transformers", "openai", "none"] = "llamacpp"
    model_path: Path | None = Field(default=None, description="GGUF file or HF directory; default: bundled Qwen")
    llm_threads: int = Field(default_factory=_default_threads)
    llm_context: int = 2048
    llm_max_tokens: int = Field(default=96, description="cap on generated tokens per answer")
    llm_temperature: float = 0.2
    llm_timeout_s: float = Field(default=20.0, description="after this the retrieval-only answer is sent")
    llm_concurrency: int = Field(default=1, description="parallel generations (llama.cpp slots)")
    openai_base_url: str = "http://127.0.0.1:8088/v1"
    openai_api_key: SecretStr = SecretStr("")
    openai_model: str = "shopguide"

    # --- conversation ---
    history_turns: int = Field(default=6, description="turns kept in memory per conversation")
    max_input_chars: int = Field(default=2000, description="longer messages are refused politely")
    default_language: Literal["zh", "en"] = "en"

    # --- safety and privacy ---
    safety_classifier: bool = Field(default=True, description="run the embedding classifier after the input rules")
    safety_classifier_path: Path | None = Field(
        default=None, description="classifier weights JSON; default: the model shipped in assistant/safety/data"
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

    # --- admin ---
    admin_ids: list[str] = Field(default_factory=list, description="'platform:user_id' allowed to run kb commands")

    @property
    def memory_db(self) -> Path:
        return self.data_dir / "memory.sqlite3"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def audit_log(self) -> Path:
        return self.data_dir / "audit.jsonl"
