"""WSGI entry point: `gunicorn wsgi:app`, and what `flask` finds through .flaskenv."""

from config import Config
from schoolbell import create_app

app = create_app(Config)
