"""Loopback fakes of the Telegram Bot API and the Slack Web API, and harnesses that drive the real adapters.

Shared by the tests and the benches (like python-telegram-bot's ``tests/auxil`` and slack-bolt's
``tests/mock_web_api_server``): they speak the platforms' wire formats and enforce their limits, so the
real client libraries run against them unchanged.
"""
