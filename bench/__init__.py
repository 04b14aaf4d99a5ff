"""`make bench`: the app under gunicorn with production settings, measured page by page.

Not part of the app and never imported by it; `python -m bench` runs it (see bench/run.py).
"""
