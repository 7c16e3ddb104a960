"""Words the Telegram adapter itself shows (buttons, commands, refusals), in both languages."""

from __future__ import annotations

from assistant.types import Language

UI_TEXTS: dict[str, dict[Language, str]] = {
    "details": {"en": "Details", "zh": "详情"},
    "compare": {"en": "Compare", "zh": "对比"},
    "similar": {"en": "Similar under {price}", "zh": "{price}以内的同类"},
    "open_shop": {"en": "View in shop", "zh": "去店铺看看"},
    "in_stock": {"en": "In stock", "zh": "有货"},
    "low_stock": {"en": "Only {n} left", "zh": "仅剩{n}件"},
    "out_of_stock": {"en": "Out of stock", "zh": "缺货"},
    "no_price": {"en": "Price not listed", "zh": "价格未标注"},
    "details_query": {"en": "details {sku}", "zh": "{sku} 的详情"},
    "compare_query": {"en": "compare {a} and {b}", "zh": "比较 {a} 和 {b}"},
    "similar_query": {"en": "just recommend {category} under {price}", "zh": "直接推荐{price}元以内的{category}"},
    "rate_limited": {
        "en": "You're sending messages faster than I can answer. Please wait {seconds} s and try again.",
        "zh": "您发消息太快啦，我有点跟不上。请 {seconds} 秒后再试。",
    },
    "button_expired": {
        "en": "This button has expired. Please ask again.",
        "zh": "这个按钮已失效，请重新提问。",
    },
    "unknown_command": {
        "en": "I don't know the command /{command}. Send /help to see what I can do, or just type your question.",
        "zh": "我不认识 /{command} 这个命令。发送 /help 查看我能做什么，或直接输入您的问题。",
    },
    "lang_usage": {"en": "Usage: /lang zh or /lang en", "zh": "用法：/lang zh 或 /lang en"},
    "admin_only": {
        "en": "Sorry, that command is for shop staff only.",
        "zh": "抱歉，该命令仅限店铺工作人员使用。",
    },
    "admin_unavailable": {
        "en": "Knowledge base administration is not available in this deployment.",
        "zh": "此部署未启用知识库管理功能。",
    },
    "error": {
        "en": "Sorry, something went wrong on my side. Please try again in a moment.",
        "zh": "抱歉，我这边出了点问题，请稍后再试。",
    },
    "cmd_start": {"en": "Start and see what I can do", "zh": "开始，看看我能做什么"},
    "cmd_help": {"en": "How to ask me", "zh": "使用帮助"},
    "cmd_reset": {"en": "Start the conversation over", "zh": "重新开始对话"},
    "cmd_lang": {"en": "Reply language: /lang zh or /lang en", "zh": "回复语言：/lang zh 或 /lang en"},
    "cmd_kb_status": {"en": "Knowledge base: current release", "zh": "知识库：当前版本"},
    "cmd_kb_reload": {"en": "Knowledge base: reload the catalog", "zh": "知识库：重新加载商品目录"},
    "cmd_kb_diff": {"en": "Knowledge base: changes since last release", "zh": "知识库：与上个版本的差异"},
    "cmd_kb_rollback": {"en": "Knowledge base: roll back one release", "zh": "知识库：回滚到上个版本"},
}


def ui(key: str, language: Language, **values: object) -> str:
    template = UI_TEXTS[key][language]
    return template.format(**values) if values else template
