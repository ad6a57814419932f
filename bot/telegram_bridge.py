"""Telegram channel: python-telegram-bot carries updates to the assistant and its replies back.

Rasa's own Telegram connector calls Telegram at start-up and puts the chat id in the
tracker; this bridge does neither. The chat id is replaced by a keyed hash before anything
reaches Rasa, buttons become inline keyboards, and the person's language comes from
Telegram's `language_code`.

Commands: /start, /stop, /taal (language), /privacy, and /wis, which deletes this chat's
messages (the person's and the bot's) as far as Telegram allows: up to 48 hours old.

Run: TELEGRAM_BOT_TOKEN=... python -m bot.telegram_bridge   (polling, for development)
     add TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET for webhook mode (production).
Without a token it does not start, and says so.
"""
from __future__ import annotations

import argparse
import gettext
import hashlib
import hmac
import logging
import os
import secrets
import sys
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any, Callable, Optional

import httpx
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import (Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes,
                          MessageHandler, filters)

from bot.assistant import LOCALE, Reply, ask_rasa_async, emergency_reply
from bot.languages import DEFAULT, SUPPORTED, normalise

logger = logging.getLogger("hulpwijzer.telegram")

CALLBACK_DATA_LIMIT = 64  # bytes: Telegram refuses longer callback data
DELETE_WINDOW_SECONDS = 48 * 3600  # Telegram lets a bot delete messages up to 48 hours old
DELETE_BATCH = 100  # deleteMessages takes at most 100 ids at a time


def translator(language: str) -> Callable[[str], str]:
    return gettext.translation("hulpwijzer", localedir=LOCALE, languages=[language], fallback=True).gettext


def conversation_id(chat_id: int, secret: bytes) -> str:
    """What Rasa sees instead of the Telegram chat id: a keyed hash, not reversible without the secret."""
    return hmac.new(secret, f"telegram:{chat_id}".encode(), hashlib.sha256).hexdigest()[:32]


class CallbackPayloads:
    """Button payloads as callback data within Telegram's 64 bytes.

    A payload that fits travels as it is, so buttons keep working after a restart. A longer
    one is replaced by a short key kept in memory (bounded).
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._long: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity

    def data_for(self, payload: str) -> str:
        if len(payload.encode()) <= CALLBACK_DATA_LIMIT and not payload.startswith("#"):
            return payload
        key = "#" + hashlib.sha256(payload.encode()).hexdigest()[:24]
        self._long[key] = payload
        self._long.move_to_end(key)
        while len(self._long) > self._capacity:
            self._long.popitem(last=False)
        return key

    def payload_for(self, data: str) -> Optional[str]:
        return self._long.get(data) if data.startswith("#") else data


class ChatMessages:
    """Ids of the messages in each chat, so /wis can delete them. Memory only, never stored."""

    def __init__(self, per_chat: int = 500) -> None:
        self._chats: dict[str, deque[tuple[int, float]]] = {}
        self._per_chat = per_chat

    def add(self, chat_key: str, message_id: int, at: Optional[float] = None) -> None:
        self._chats.setdefault(chat_key, deque(maxlen=self._per_chat)).append((message_id, at or time.time()))

    def take_deletable(self, chat_key: str, now: Optional[float] = None) -> list[int]:
        """Ids young enough to delete; the chat is forgotten either way."""
        now = now or time.time()
        return [mid for mid, at in self._chats.pop(chat_key, ()) if now - at < DELETE_WINDOW_SECONDS]


def keyboard(buttons: list[dict[str, Any]], payloads: CallbackPayloads) -> Optional[InlineKeyboardMarkup]:
    """One button per row: titles are whole sentences, and stay readable on a phone."""
    rows = [[InlineKeyboardButton(str(b["title"]), callback_data=payloads.data_for(str(b["payload"])))]
            for b in buttons if b.get("title") and b.get("payload")]
    return InlineKeyboardMarkup(rows) if rows else None


@dataclass
class TelegramSettings:
    token: str
    secret: bytes
    rasa_url: str = "http://127.0.0.1:5005"
    base_url: Optional[str] = None
    webhook_url: Optional[str] = None
    webhook_secret: Optional[str] = None
    listen: str = "127.0.0.1"
    port: int = 8443

    @classmethod
    def from_environment(cls, env: Optional[dict[str, str]] = None) -> Optional["TelegramSettings"]:
        """None when no token is set: the channel then simply does not start."""
        env = dict(os.environ if env is None else env)
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            return None
        secret = env.get("HULPWIJZER_CHANNEL_SECRET", "").encode()
        if not secret:
            logger.warning("HULPWIJZER_CHANNEL_SECRET is not set: using a random one, so conversations "
                           "do not survive a restart of this bridge")
            secret = secrets.token_bytes(32)
        return cls(token=token, secret=secret,
                   rasa_url=env.get("HULPWIJZER_RASA_URL", cls.rasa_url).rstrip("/"),
                   base_url=env.get("TELEGRAM_API_BASE_URL") or None,
                   webhook_url=env.get("TELEGRAM_WEBHOOK_URL") or None,
                   webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
                   listen=env.get("TELEGRAM_WEBHOOK_LISTEN", cls.listen),
                   port=int(env.get("TELEGRAM_WEBHOOK_PORT", cls.port)))


class TelegramBridge:
    """Handlers that pass each update to the assistant and send its replies back."""

    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings
        self.payloads = CallbackPayloads()
        self.messages = ChatMessages()
        self._http: Optional[httpx.AsyncClient] = None

    def build(self) -> Application:
        builder = ApplicationBuilder().token(self.settings.token).post_init(self._started).post_shutdown(self._stopped)
        if self.settings.base_url:
            builder = builder.base_url(self.settings.base_url)
        app = builder.build()
        app.add_handler(CommandHandler("start", self.on_start))
        app.add_handler(CommandHandler("stop", self.on_stop))
        app.add_handler(CommandHandler("taal", self.on_language))
        app.add_handler(CommandHandler("privacy", self.on_privacy))
        app.add_handler(CommandHandler("wis", self.on_delete))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self.on_text))
        app.add_error_handler(self.on_error)
        return app

    async def _started(self, app: Application) -> None:
        self._http = httpx.AsyncClient(timeout=30)
        await app.bot.set_my_commands(commands(translator(DEFAULT)))
        for language in SUPPORTED:
            await app.bot.set_my_commands(commands(translator(language)), language_code=language)

    async def _stopped(self, app: Application) -> None:
        if self._http is not None:
            await self._http.aclose()

    @staticmethod
    def language_of(update: Update) -> str:
        user = update.effective_user
        return normalise(user.language_code if user else None) or DEFAULT

    def chat_key(self, update: Update) -> str:
        assert update.effective_chat is not None
        return conversation_id(update.effective_chat.id, self.settings.secret)

    def _remember_incoming(self, update: Update) -> None:
        if update.effective_message is not None and update.callback_query is None:
            self.messages.add(self.chat_key(update), update.effective_message.message_id)

    async def relay(self, update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
        """Send what the person said (or pressed) to the assistant and its replies to the chat."""
        language = self.language_of(update)
        replies: list[Reply] = []
        if self._http is not None:
            replies = await ask_rasa_async(self._http, self.settings.rasa_url, self.chat_key(update), text, language)
        await self.send(update, context, replies or emergency_reply(language))

    async def send(self, update: Update, context: ContextTypes.DEFAULT_TYPE, replies: list[Reply]) -> None:
        assert update.effective_chat is not None
        for reply in replies:
            text = reply.get("text") or ""
            markup = keyboard(reply.get("buttons") or [], self.payloads)
            if not text and markup is None:
                continue
            sent = await context.bot.send_message(update.effective_chat.id, text or "…", reply_markup=markup)
            self.messages.add(self.chat_key(update), sent.message_id)

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self._remember_incoming(update)
        await self.relay(update, context, "/greet")

    async def on_stop(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self._remember_incoming(update)
        await self.relay(update, context, "/stop")

    async def on_language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self._remember_incoming(update)
        await self.relay(update, context, "/change_language")

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self._remember_incoming(update)
        assert update.effective_message is not None
        await self.relay(update, context, update.effective_message.text or "")

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        payload = self.payloads.payload_for(query.data or "")
        if payload is None:  # a long payload from before a restart: the numbers, then the menu
            language = self.language_of(update)
            await self.send(update, context, emergency_reply(language))
            payload = "/restart_conversation"
        await self.relay(update, context, payload)

    async def on_privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self._remember_incoming(update)
        _ = translator(self.language_of(update))
        await self.send(update, context, [{"text": privacy_note(_)}])

    async def on_delete(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Delete the chat's messages in Telegram and start the conversation afresh in Rasa."""
        assert update.effective_chat is not None and update.effective_message is not None
        chat_id, key = update.effective_chat.id, self.chat_key(update)
        ids = self.messages.take_deletable(key) + [update.effective_message.message_id]
        for start in range(0, len(ids), DELETE_BATCH):
            try:
                await context.bot.delete_messages(chat_id, ids[start:start + DELETE_BATCH])
            except TelegramError as error:
                logger.warning("could not delete messages: %s", type(error).__name__)
        if self._http is not None:
            await ask_rasa_async(self._http, self.settings.rasa_url, key, "/restart_conversation",
                                 self.language_of(update))
        _ = translator(self.language_of(update))
        sent = await context.bot.send_message(chat_id, deleted_note(_))
        self.messages.add(key, sent.message_id)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Whatever failed, the person gets the emergency numbers; the log gets no message text."""
        logger.error("handler failed: %s", type(context.error).__name__)
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await context.bot.send_message(update.effective_chat.id,
                                               emergency_reply(self.language_of(update))[0]["text"])
            except TelegramError:
                pass

    def run(self) -> None:
        app = self.build()
        if self.settings.webhook_url:
            app.run_webhook(listen=self.settings.listen, port=self.settings.port, url_path="telegram",
                            webhook_url=self.settings.webhook_url, secret_token=self.settings.webhook_secret,
                            allowed_updates=["message", "callback_query"], drop_pending_updates=True)
        else:
            app.run_polling(allowed_updates=["message", "callback_query"], drop_pending_updates=True)


def commands(_: Callable[[str], str]) -> list[BotCommand]:
    """The command menu Telegram shows, in the language of the person's Telegram app."""
    return [BotCommand("start", _("Begin")), BotCommand("taal", _("Andere taal")),
            BotCommand("wis", _("Wis dit gesprek")), BotCommand("privacy", _("Wat bewaart Telegram?")),
            BotCommand("stop", _("Stoppen"))]


def privacy_note(_: Callable[[str], str]) -> str:
    return "\n".join([
        _("Hulpwijzer bewaart je berichten niet en weet niet wie je bent."),
        _("Telegram zelf bewaart dit gesprek: op je telefoon en op de servers van Telegram."),
        _("Met /wis haal je de berichten hier weg. Dat kan tot 48 uur na een bericht."),
        _("Haal daarna ook de chat weg in Telegram. Dan ziet niemand op je telefoon dat je hier was."),
        _("Ben je nu in gevaar? Bel 112. Op Bonaire, Sint Eustatius en Saba: bel 911."),
    ])


def deleted_note(_: Callable[[str], str]) -> str:
    return "\n".join([
        _("Dit gesprek is gewist. Haal de chat ook weg in Telegram."),
        _("Ben je nu in gevaar? Bel 112. Op Bonaire, Sint Eustatius en Saba: bel 911."),
    ])


def main() -> int:
    argparse.ArgumentParser(description="Hulpwijzer on Telegram (settings come from the environment)").parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # httpx logs every request URL, and Telegram's URLs hold the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = TelegramSettings.from_environment()
    if settings is None:
        print("Telegram: no TELEGRAM_BOT_TOKEN set, so the Telegram channel does not start.")
        return 0
    TelegramBridge(settings).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
