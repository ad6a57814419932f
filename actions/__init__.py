"""Rasa custom actions: a thin adapter from the conversation to `helplines`."""
