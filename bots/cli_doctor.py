"""``shopguide doctor``: check the install (model, embeddings, data directory, Chroma, tokens, ports) and say
what to do, one line per fix. Exit 0: ready (warnings allowed); 1: a problem to fix; 2: the settings
themselves cannot be read.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlparse

import typer
from pydantic import ValidationError
from rich.markup import escape

from assistant.config import Settings
from assistant.errors import ShopguideError

from .cli_groups import app
from .cli_output import console, report_settings_error

Level = Literal["ok", "warn", "error", "skip"]
EXIT_OK, EXIT_PROBLEM, EXIT_SETTINGS = 0, 1, 2
# Below this much free space a reload (a new release beside the live one) may not fit.
MIN_FREE_DISK_MB = 500
CONNECT_TIMEOUT_S = 0.5
# Token shapes as the platforms issue them (BotFather: "<bot id>:<35 chars>"; Slack: typed prefixes).
TELEGRAM_TOKEN_RE = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")
SLACK_PREFIXES = {"slack_bot_token": "xoxb-", "slack_app_token": "xapp-"}


@dataclass
class Check:
    level: Level
    subject: str
    message: str
    fix: str = ""

    def line(self) -> str:
        mark = {"ok": "ok   ", "warn": "warn ", "error": "ERROR", "skip": "-    "}[self.level]
        return f"{mark} {self.subject}: {self.message}" + (f"\n      fix: {self.fix}" if self.fix else "")


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S):
            return True
    except OSError:
        return False


def check_model(settings: Settings) -> Check:
    backend = settings.llm_backend
    if backend == "none":
        return Check("ok", "model", "SHOPGUIDE_LLM_BACKEND=none: retrieval-only answers, no model needed")
    if backend == "openai":
        url = urlparse(settings.openai_base_url)
        host, port = url.hostname or "127.0.0.1", url.port or (443 if url.scheme == "https" else 80)
        if _listening(host, port):
            return Check("ok", "model", f"model server answers at {host}:{port}")
        return Check(
            "error",
            "model",
            f"no model server at {host}:{port} (SHOPGUIDE_OPENAI_BASE_URL)",
            "start it with `shopguide serve llm`, or set SHOPGUIDE_LLM_BACKEND=llamacpp",
        )
    if settings.model_path is not None:
        if settings.model_path.exists():
            return Check("ok", "model", f"SHOPGUIDE_MODEL_PATH {settings.model_path.name} exists")
        return Check(
            "error", "model", f"SHOPGUIDE_MODEL_PATH {settings.model_path} does not exist", "point it at a GGUF file"
        )
    from assistant.llm.model_files import part_paths, shipped_model

    try:
        model = shipped_model(settings.llm_model)
        parts = part_paths(model)
    except ShopguideError as exc:
        return Check("error", "model", exc.message, exc.hint)
    assembled = settings.cache_dir / model.file_name
    if assembled.is_file() and assembled.stat().st_size == model.size:
        return Check("ok", "model", f"{model.name} assembled in the cache directory ({model.size // 2**20} MB)")
    return Check("ok", "model", f"{model.name}: {len(parts)} parts installed; the first start assembles it (~1 s)")


def check_embeddings() -> Check:
    try:
        from knowledge.embedding import EMBEDDING_DIM, MultilingualUSE

        vector = MultilingualUSE(threads=1).encode(["running shoes 跑鞋"])
    except Exception as exc:  # any failure here has the same fix
        return Check(
            "error", "embeddings", f"the embedding model does not load ({type(exc).__name__})", "run `pip install -e .`"
        )
    if vector.shape != (1, EMBEDDING_DIM):
        return Check("error", "embeddings", f"unexpected vector shape {vector.shape}", "run `pip install -e .`")
    return Check("ok", "embeddings", f"multilingual encoder loads offline ({EMBEDDING_DIM} dimensions)")


def check_data_dir(settings: Settings) -> list[Check]:
    data_dir = settings.data_dir
    probe = data_dir if data_dir.exists() else next((p for p in data_dir.parents if p.exists()), Path("/"))
    if not os.access(probe, os.W_OK):
        return [
            Check(
                "error",
                "data directory",
                f"{data_dir} is not writable by this user",
                "set SHOPGUIDE_DATA_DIR to a folder you own",
            )
        ]
    free_mb = shutil.disk_usage(probe).free // 2**20
    checks = [
        Check("ok", "data directory", f"{data_dir} ({'exists' if data_dir.exists() else 'created on first start'})"),
        Check("ok", "disk", f"{free_mb} MB free")
        if free_mb >= MIN_FREE_DISK_MB
        else Check(
            "warn", "disk", f"only {free_mb} MB free", f"free at least {MIN_FREE_DISK_MB} MB for catalog reloads"
        ),
    ]
    return checks


def check_chroma(settings: Settings) -> list[Check]:
    if settings.chroma_mode == "server":
        host, port = settings.chroma_host, settings.chroma_port
        if _listening(host, port):
            return [Check("ok", "chroma", f"server answers at {host}:{port}")]
        return [
            Check(
                "error",
                "chroma",
                f"no Chroma server at {host}:{port}",
                "start it (see README: Chroma server mode) or set SHOPGUIDE_CHROMA_MODE=embedded",
            )
        ]
    from knowledge.doctor import diagnose

    report = diagnose(settings.data_dir, embed_threads=1, keep_releases=settings.kb_keep_releases)
    problems = report.problems
    if not problems:
        return [Check("ok", "chroma", "embedded index and releases are healthy")]
    return [
        Check(
            "error" if f.level == "error" else "warn",
            f"chroma/{f.subject}",
            f.message,
            f.fix or "run `shopguide kb doctor` for details",
        )
        for f in problems
    ]


def check_tokens(settings: Settings) -> list[Check]:
    """Which adapters can start; token values are never printed, only whether their shape is right."""
    checks: list[Check] = []
    telegram = settings.telegram_token.get_secret_value()
    if not telegram:
        checks.append(
            Check("skip", "telegram", "no token: `serve telegram` will not start", "set SHOPGUIDE_TELEGRAM_TOKEN")
        )
    elif not TELEGRAM_TOKEN_RE.match(telegram):
        checks.append(
            Check(
                "error",
                "telegram",
                "SHOPGUIDE_TELEGRAM_TOKEN is not shaped like a BotFather token (<bot id>:<secret>)",
                "copy the token again from @BotFather",
            )
        )
    else:
        checks.append(Check("ok", "telegram", "token present"))
    bot = settings.slack_bot_token.get_secret_value()
    if not bot:
        checks.append(
            Check("skip", "slack", "no bot token: `serve slack` will not start", "set SHOPGUIDE_SLACK_BOT_TOKEN")
        )
        return checks
    needed = ["slack_bot_token", "slack_app_token" if settings.slack_mode == "socket" else "slack_signing_secret"]
    for name in needed:
        value = getattr(settings, name).get_secret_value()
        env = f"SHOPGUIDE_{name.upper()}"
        prefix = SLACK_PREFIXES.get(name)
        if not value:
            checks.append(
                Check("error", "slack", f"{env} is empty ({settings.slack_mode} mode needs it)", f"set {env}")
            )
        elif prefix and not value.startswith(prefix):
            checks.append(Check("error", "slack", f"{env} does not start with {prefix}", f"use the {prefix}… token"))
    if all(c.subject != "slack" or c.level == "ok" for c in checks):
        checks.append(Check("ok", "slack", f"tokens present ({settings.slack_mode} mode)"))
    return checks


def check_ports(settings: Settings) -> list[Check]:
    wanted: list[tuple[str, str, int, str]] = []
    if settings.slack_bot_token.get_secret_value() and settings.slack_mode == "http":
        wanted.append(("slack http", settings.slack_http_host, settings.slack_http_port, "SHOPGUIDE_SLACK_HTTP_PORT"))
    if settings.telegram_token.get_secret_value() and settings.telegram_webhook_url:
        listen, port = settings.telegram_webhook_listen, settings.telegram_webhook_port
        wanted.append(("telegram webhook", listen, port, "SHOPGUIDE_TELEGRAM_WEBHOOK_PORT"))
    if settings.llm_backend != "openai":
        url = urlparse(settings.openai_base_url)
        wanted.append(("serve llm", url.hostname or "127.0.0.1", url.port or 8088, "`serve llm --port`"))
    checks = []
    for subject, host, port, setting in wanted:
        if _port_free(host, port):
            checks.append(Check("ok", f"port {port}", f"free for {subject}"))
        else:
            level: Level = "warn" if subject == "serve llm" else "error"
            checks.append(
                Check(
                    level,
                    f"port {port}",
                    f"{host}:{port} is in use ({subject})",
                    f"stop what uses it or change {setting}",
                )
            )
    return checks


def run_checks(settings: Settings) -> list[Check]:
    return [
        check_model(settings),
        check_embeddings(),
        *check_data_dir(settings),
        *check_chroma(settings),
        *check_tokens(settings),
        *check_ports(settings),
    ]


@app.command()
def doctor(
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object on stdout")] = False,
) -> None:
    """Check the install (model, embeddings, data directory, Chroma, tokens, ports) and print what to do.

    Exit codes: 0 ready (warnings allowed), 1 a problem to fix (each ERROR line names its fix), 2 the
    settings cannot be read.
    """
    started = time.perf_counter()
    try:
        settings = Settings()
    except ValidationError as exc:  # the command group's callback reports this first; kept for direct calls
        report_settings_error(exc)
        raise typer.Exit(code=EXIT_SETTINGS) from exc
    checks = run_checks(settings)
    problems = [c for c in checks if c.level == "error"]
    code = EXIT_PROBLEM if problems else EXIT_OK
    if as_json:
        payload = {"ok": not problems, "exit_code": code, "checks": [asdict(c) for c in checks]}
        print(json.dumps(payload, ensure_ascii=False))
        raise typer.Exit(code=code)
    for check in checks:
        style = {"ok": "green", "warn": "yellow", "error": "red", "skip": "dim"}[check.level]
        console.print(f"[{style}]{escape(check.line())}[/{style}]", soft_wrap=True)
    elapsed = time.perf_counter() - started
    if problems:
        console.print(f"{len(problems)} problem(s) to fix, listed above with their fix ({elapsed:.1f} s)")
    else:
        console.print(f"ready: `shopguide chat` to try it, `shopguide demo` to watch one ({elapsed:.1f} s)")
    raise typer.Exit(code=code)
