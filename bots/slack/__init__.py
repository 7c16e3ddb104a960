"""Slack adapter for support staff: mentions, DMs, ``/shopguide`` commands, Block Kit replies, handoff desk."""

from .app import SlackBot, build_slack_bot

__all__ = ["SlackBot", "build_slack_bot"]
