"""WSGI entry point: `gunicorn wsgi:app`, and what `flask` finds through .flaskenv."""

import sys

from config import Config
from schoolbell import create_app
from schoolbell.settings import SettingsError

try:
    app = create_app(Config)
except SettingsError as error:
    # One line that says what to fix, not a traceback, from `flask …` and from gunicorn alike.
    sys.exit(str(error))
