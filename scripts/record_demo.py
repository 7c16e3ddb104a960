"""Record the demo conversation as Telegram and Slack show it, and picture it for the README.

The lines of ``shopguide demo`` (bots/common/demo_script.json) are sent to the real adapters talking to the
loopback fakes of ``shopguide_testkit``; what the fakes recorded (messages, cards, buttons, Slack blocks) is
written as HTML under docs/, and shot as PNG with headless Chromium when Debian's ``chromium`` is installed.
Retrieval-only answers (no model), so the pictures match ``shopguide demo``.

    python scripts/record_demo.py [--out docs]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from pydantic import SecretStr

from assistant.app import build_assistant, load_knowledge
from assistant.config import Settings
from assistant.types import Language
from bots.cli_demo import demo_settings
from bots.common.demo import DEMO_LANGUAGES, RecordingDesk, load_script
from bots.telegram.flow import FlowControl
from shopguide_testkit.fake_bot_api import FakeBotApi
from shopguide_testkit.slack_harness import start_harness

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:DEMO-token-not-real"
QUIET_S = 1.0  # a turn is over when the fake saw no write for this long
SHOT_WIDTH = 1100  # px: two 520 px columns, one per language
SHOT_HEIGHT = 4000  # px: taller than any transcript; the empty rest is cut
TRIM_MARGIN_PX = 16
Transcript = list[tuple[str, list[dict[str, Any]]]]  # (what the shopper typed, what the bot showed after it)


def count(messages: Callable[..., list[Any]], *where: Any) -> int:
    return len(messages(*where))


def answered(counted: Callable[[], int], before: int) -> Callable[[], bool]:
    return lambda: counted() > before


async def record_telegram(settings: Settings, work: Path) -> dict[Language, Transcript]:
    from bots.telegram.adapter import TelegramAdapter

    script = load_script()
    fake = FakeBotApi()
    await fake.start()
    store = load_knowledge(settings)
    settings = settings.model_copy(update={"data_dir": work})  # conversations of this recording only
    assistant = build_assistant(settings, knowledge=store, handoff=RecordingDesk())
    adapter = TelegramAdapter(
        assistant,
        settings.model_copy(update={"telegram_token": SecretStr(TOKEN)}),
        base_url=fake.base_url,
        edit_interval_s=0.3,
        flow=FlowControl(),
    )
    out: dict[Language, Transcript] = {}
    try:
        async with adapter.polling(poll_timeout=5):
            for index, language in enumerate(DEMO_LANGUAGES):
                chat = 7000 + index
                out[language] = []
                for line in script[language]:
                    before = len(fake.shown(chat))
                    await fake.send_text(chat, chat, line.text)
                    await fake.wait_for(answered(partial(count, fake.shown, chat), before), within=60)
                    await fake.wait_until_quiet(QUIET_S, within=60)
                    shown = [
                        {"text": m.text, "buttons": m.button_labels, "photo": bool(m.photo)}
                        for m in fake.shown(chat)[before:]
                    ]
                    out[language].append((line.text, shown))
    finally:
        adapter.close()
        assistant.memory.close()
        await fake.stop()
    return out


async def record_slack(settings: Settings, work: Path) -> dict[Language, Transcript]:
    script = load_script()
    store = load_knowledge(settings)
    # Retrieval-only like the terminal demo: no generator given, and the settings configure none.
    none: Any = None
    harness = await start_harness(work, store, generator=none, llm_backend="none", catalog_dir=settings.catalog_dir)
    out: dict[Language, Transcript] = {}
    try:
        for index, language in enumerate(DEMO_LANGUAGES):
            channel, root = f"D{index + 1}DEMO", f"17000{index}0000.000100"
            out[language] = []
            for step, line in enumerate(script[language]):
                before = len(harness.api.thread(channel, root))
                ts = root if step == 0 else f"17000{index}{step:04d}.000200"
                await harness.dm(line.text, channel=channel, ts=ts, thread_ts=None if step == 0 else root)
                await harness.api.wait_for(answered(partial(count, harness.api.thread, channel, root), before), 60)
                await asyncio.sleep(QUIET_S)
                shown = [{"text": m.text, "blocks": m.blocks} for m in harness.api.thread(channel, root)[before:]]
                out[language].append((line.text, shown))
    finally:
        await harness.aclose()
    return out


# ---- HTML -------------------------------------------------------------------------------------------------
def mrkdwn(text: str) -> str:
    """Slack mrkdwn to HTML: *bold*, _italic_, `code`, <url|label>, line breaks (enough for what shopguide sends)."""
    out = html.escape(text)
    out = re.sub(r"&lt;(https?://[^|&]+)\|([^&]+)&gt;", r'<a href="\1">\2</a>', out)
    out = re.sub(r"\*([^*\n]+)\*", r"<b>\1</b>", out)
    out = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", out)
    out = re.sub(r"(?<!\w)_([^_\n]+)_(?!\w)", r"<i>\1</i>", out)
    return out.replace("\n", "<br>")


def telegram_html(transcript: dict[Language, Transcript]) -> str:
    columns = []
    for language, turns in transcript.items():
        parts = [f"<h2>Telegram · {language}</h2>"]
        for typed, shown in turns:
            parts.append(f'<div class="me">{html.escape(typed)}</div>')
            for message in shown:
                photo = '<div class="photo">photo</div>' if message["photo"] else ""
                keys = "".join(
                    "<div class='row'>" + "".join(f"<span>{html.escape(b)}</span>" for b in row) + "</div>"
                    for row in message["buttons"]
                )
                body = html.escape(message["text"]).replace("\n", "<br>")
                parts.append(f'<div class="bot">{photo}{body}</div><div class="keys">{keys}</div>')
        columns.append(f'<div class="col">{"".join(parts)}</div>')
    style = """body{margin:0;background:#a7c4a0;font:14px -apple-system,'Noto Sans CJK SC',sans-serif;display:flex}
.col{width:520px;padding:10px 14px}h2{font-size:15px;color:#fff;margin:4px 0 10px}
.me,.bot{max-width:400px;padding:7px 10px;border-radius:12px;margin:6px 0;line-height:1.4}
.me{background:#e1ffc7;margin-left:auto;width:fit-content}.bot{background:#fff;width:fit-content}
.photo{background:#d9e4ef;color:#6b7d90;height:60px;border-radius:8px;margin-bottom:6px;
text-align:center;line-height:60px}
.keys{max-width:424px}.row{display:flex;gap:4px;margin:2px 0}
.row span{flex:1;text-align:center;background:rgba(0,0,0,.22);color:#fff;border-radius:8px;padding:6px 4px;
font-size:13px}"""
    return f"<!doctype html><meta charset='utf-8'><style>{style}</style>{''.join(columns)}"


def slack_block(block: dict[str, Any]) -> str:
    kind = block.get("type")
    if kind == "section":
        text = mrkdwn(block.get("text", {}).get("text", ""))
        fields = "".join(f"<div>{mrkdwn(f.get('text', ''))}</div>" for f in block.get("fields", []))
        return f'<div class="sec">{text}<div class="fields">{fields}</div></div>'
    if kind == "actions":
        buttons = "".join(
            f"<span>{html.escape(e.get('text', {}).get('text', ''))}</span>" for e in block.get("elements", [])
        )
        return f'<div class="acts">{buttons}</div>'
    if kind == "context":
        return '<div class="ctx">' + " ".join(mrkdwn(e.get("text", "")) for e in block.get("elements", [])) + "</div>"
    if kind == "divider":
        return "<hr>"
    if kind == "header":
        return f"<h3>{html.escape(block.get('text', {}).get('text', ''))}</h3>"
    return ""


def slack_html(transcript: dict[Language, Transcript]) -> str:
    columns = []
    for language, turns in transcript.items():
        parts = [f"<h2>Slack · {language}</h2>"]
        for typed, shown in turns:
            parts.append(f'<div class="msg"><b>Shopper</b><div>{html.escape(typed)}</div></div>')
            for message in shown:
                body = "".join(slack_block(b) for b in message["blocks"]) or mrkdwn(message["text"])
                parts.append(f'<div class="msg"><b>shopguide</b> <small>APP</small><div>{body}</div></div>')
        columns.append(f'<div class="col">{"".join(parts)}</div>')
    style = """body{margin:0;background:#fff;font:14px Lato,'Noto Sans CJK SC',sans-serif;color:#1d1c1d;display:flex}
.col{width:520px;padding:10px 14px;border-right:1px solid #eee}h2{font-size:15px;margin:4px 0 10px}
.msg{margin:8px 0;line-height:1.45}.msg small{background:#eee;color:#666;font-size:10px;padding:0 3px}
.sec{margin:4px 0}.fields{display:grid;grid-template-columns:1fr 1fr;gap:2px 12px;margin-top:3px}
.acts span{display:inline-block;border:1px solid #ccc;border-radius:4px;padding:3px 10px;margin:3px 4px 0 0;
font-weight:600}
.ctx{color:#616061;font-size:12px}hr{border:0;border-top:1px solid #eee}h3{margin:4px 0}"""
    return f"<!doctype html><meta charset='utf-8'><style>{style}</style>{''.join(columns)}"


def shoot(page: Path, png: Path) -> bool:
    """A full-page PNG with Debian's headless Chromium; False when it is not installed."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        return False
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                f"--user-data-dir={profile}", f"--window-size={SHOT_WIDTH},{SHOT_HEIGHT}",
                f"--screenshot={png}", page.resolve().as_uri(),
            ],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    trim_bottom(png)
    return png.exists()


def trim_bottom(png: Path) -> None:
    """Cut the empty page below the conversation (the window is taller than any transcript)."""
    try:
        from PIL import Image, ImageChops
    except ImportError:
        return  # Pillow is optional here: the uncut shot is still right
    with Image.open(png) as shot:
        image = shot.convert("RGB")
    background = Image.new("RGB", image.size, image.getpixel((image.width - 1, image.height - 1)))
    box = ImageChops.difference(image, background).getbbox()
    if box is not None:
        image.crop((0, 0, image.width, min(image.height, box[3] + TRIM_MARGIN_PX))).save(png, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    settings = demo_settings(Settings(), model=False)  # the demo's own knowledge base, built once
    with tempfile.TemporaryDirectory() as tmp:
        telegram = asyncio.run(record_telegram(settings, Path(tmp) / "telegram"))
        slack = asyncio.run(record_slack(settings, Path(tmp) / "slack"))
    for name, page in (("telegram", telegram_html(telegram)), ("slack", slack_html(slack))):
        target = args.out / f"demo-{name}.html"
        target.write_text(page, encoding="utf-8")
        png = target.with_suffix(".png")
        print(f"{target}" + (f" and {png}" if shoot(target, png) else " (no chromium: no PNG)"))


if __name__ == "__main__":
    main()
