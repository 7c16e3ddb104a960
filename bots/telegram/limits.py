"""Telegram platform limits the adapter must respect, each with where the number comes from."""

from __future__ import annotations

# Bot API sendMessage: "Text of the message to be sent, 1-4096 characters after entities parsing".
# Telegram counts UTF-16 code units (an emoji outside the BMP counts twice).
MAX_MESSAGE_LENGTH = 4096
# Bot API sendPhoto: "Photo caption ... 0-1024 characters after entities parsing".
MAX_CAPTION_LENGTH = 1024
# Bot API InlineKeyboardButton.callback_data: "Data to be sent in a callback query to the bot, 1-64 bytes".
MAX_CALLBACK_DATA_BYTES = 64
# Bots FAQ "My bot is hitting limits": "avoid sending more than one message per second" in a chat.
CHAT_MESSAGES_PER_SECOND = 1.0
# Short bursts are tolerated (Bots FAQ: "you may get away with bursts"); a product reply is up to three
# cards plus its text, which we send at once and then pace.
CHAT_BURST = 4
# Bots FAQ: "your bot will not be able to send more than 20 messages per minute to the same group".
GROUP_MESSAGES_PER_MINUTE = 20
# Bots FAQ: "The API will not allow bulk notifications to more than ~30 users per second".
GLOBAL_MESSAGES_PER_SECOND = 30.0
# Streaming: edits of one message at most this often (the per-chat one-per-second guideline).
EDIT_INTERVAL_S = 1.0
# sendChatAction: "The status is set for 5 seconds or less (when a message arrives from your bot,
# Telegram clients clear its typing status)"; refresh it a little before it fades.
TYPING_REFRESH_S = 4.5
# Bot API setMyCommands: command "1-32 characters", description "1-256 characters", at most 100 commands.
MAX_COMMAND_DESCRIPTION = 256
# Telegram shows the loading spinner on a pressed button until answerCallbackQuery or about 15 s
# (Bot API: "the Telegram clients will display a progress bar until you call answerCallbackQuery").
CALLBACK_ANSWER_DEADLINE_S = 15.0
# Typing starts only if nothing is visible after this long: a fast answer needs no "typing…" (and
# one API call fewer per message); a slower one shows it well before a shopper wonders.
TYPING_DELAY_S = 0.15
# BotCommand.command: "Text of the command; 1-32 characters. Can contain only lowercase English letters,
# digits and underscores"; an unknown command is echoed back at most this long.
MAX_COMMAND_ECHO = 32
