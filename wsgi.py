"""The WSGI entry point: the only module that builds the app at import time."""

from civicladder.app import create_app

app = create_app()
