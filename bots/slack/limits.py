"""Slack platform limits, each with where the number comes from."""

from __future__ import annotations

# Events API and interactivity: "respond with HTTP 200 within three seconds"
# (https://api.slack.com/apis/events-api#responding, https://api.slack.com/interactivity/handling#acknowledgment_response)
ACK_DEADLINE_S = 3.0
# Request signing: slack-sdk's SignatureVerifier refuses timestamps older than five minutes
# (https://api.slack.com/authentication/verifying-requests-from-slack)
SIGNATURE_WINDOW_S = 5 * 60
# Block Kit section block: text max 3000 characters, fields max 10 items of 2000 characters each
# (https://api.slack.com/reference/block-kit/blocks#section)
SECTION_TEXT_MAX = 3000
SECTION_FIELDS_MAX = 10
SECTION_FIELD_MAX = 2000
# A message carries at most 50 blocks (https://api.slack.com/reference/block-kit/blocks)
MESSAGE_BLOCKS_MAX = 50
# Actions block: at most 25 elements; button text 75 chars, value 2000 chars
# (https://api.slack.com/reference/block-kit/blocks#actions, .../block-elements#button)
ACTIONS_ELEMENTS_MAX = 25
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
# Header block text: plain_text, max 150 characters (https://api.slack.com/reference/block-kit/blocks#header)
HEADER_TEXT_MAX = 150
# chat.postMessage: keep ``text`` under 4000 characters; longer is truncated at 40000
# (https://api.slack.com/methods/chat.postMessage#truncating)
MESSAGE_TEXT_MAX = 4000
# chat.postMessage is rate limited to about one message per second per channel, bursts briefly allowed
# (https://api.slack.com/methods/chat.postMessage#rate_limiting); we pace chat.update the same way.
WRITES_PER_CHANNEL_INTERVAL_S = 1.0
# chat.startStream / appendStream / stopStream: markdown_text max 12000 characters per call
# (slack_sdk.web.async_chat_stream, https://docs.slack.dev/reference/methods/chat.appendStream)
STREAM_MARKDOWN_MAX = 12000
