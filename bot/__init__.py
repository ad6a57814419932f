"""Channels and the processes around the Rasa engine.

Most modules here run on Python 3.11 in `.venv`; `expiring_tracker_store` is loaded
by the Rasa server itself (Python 3.10, `.venv-rasa`), so keep this file import-free.
"""
