"""Hulpwijzer's helpline directory, routing and warm referral: plain Python, no Rasa.

    directory = open_directory()            # migrate, seed an empty database
    referral = route(Answers(topic="stalking"), datetime.now(timezone.utc), directory)
"""
from helplines.answers import Answers
from helplines.directory import Directory, open_directory
from helplines.referral import ChannelView, Recommendation, Referral
from helplines.routing import route
from helplines.vocabulary import (
    AUDIENCES,
    CAPABILITIES,
    CHANNEL_KINDS,
    ISLANDS,
    TOPICS,
    WHERE,
    WHO,
    WISHES,
)

__all__ = [
    "AUDIENCES",
    "CAPABILITIES",
    "CHANNEL_KINDS",
    "ISLANDS",
    "TOPICS",
    "WHERE",
    "WHO",
    "WISHES",
    "Answers",
    "ChannelView",
    "Directory",
    "Recommendation",
    "Referral",
    "open_directory",
    "route",
]
