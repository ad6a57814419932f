"""The staff web app: helpline staff keep the directory right (localhost only by default).

    python -m staff            # http://127.0.0.1:8090
"""
from staff.app import create_app

__all__ = ["create_app"]
