"""An app served by a real WSGI server in a thread, and a visitor that signs in through the form.

The Flask test client ends a request differently from a server: a server writes a streamed body
only after the request's unit of work has committed and its context has been torn down. What
only a server shows (streamed downloads, headers as sent) is tested through this.
"""

from __future__ import annotations

import http.cookiejar
import io
import logging
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.serving import make_server
from werkzeug.test import encode_multipart

_CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """The app on a free port of 127.0.0.1 while the block runs; yields its base URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="real-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


class Visitor:
    """One person's browser, reduced to cookies: signs in through the sign-in form."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> Fetched:
        try:
            with self.opener.open(self.base_url + path, timeout=60) as response:
                return Fetched(response.status, _headers(response), response.read())
        except urllib.error.HTTPError as error:
            return Fetched(error.code, _headers(error), error.read())

    def post(self, path: str, fields: dict[str, str]) -> Fetched:
        """A form posted; redirects are followed, so a redirect's status is its target's."""
        data = urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(self.base_url + path, data=data, timeout=60) as response:
                return Fetched(response.status, _headers(response), response.read())
        except urllib.error.HTTPError as error:
            return Fetched(error.code, _headers(error), error.read())

    def post_form(self, path: str, fields: dict, files: dict | None = None) -> Fetched:
        """Post the form on the page at `path` as a browser would (its CSRF token, and files
        as multipart/form-data: name -> (filename, bytes)); redirects are followed."""
        form = self.get(path)
        token = _CSRF_FIELD.search(form.body.decode())
        data = dict(fields)
        if token:
            data["csrf_token"] = token.group(1)
        for name, (filename, content) in (files or {}).items():
            data[name] = FileStorage(io.BytesIO(content), filename)
        boundary, body = encode_multipart(MultiDict(data))
        request = urllib.request.Request(  # noqa: S310 (the test server's own http address)
            self.base_url + path,
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return Fetched(response.status, _headers(response), response.read())
        except urllib.error.HTTPError as error:
            return Fetched(error.code, _headers(error), error.read())

    def sign_in(self, email: str, password: str) -> Visitor:
        form = self.get("/sign-in")
        assert form.status == 200, form.status
        fields = {"email": email, "password": password}
        token = _CSRF_FIELD.search(form.body.decode())
        if token:  # the form carries one whenever the app checks CSRF
            fields["csrf_token"] = token.group(1)
        data = urllib.parse.urlencode(fields).encode()
        with self.opener.open(self.base_url + "/sign-in", data=data, timeout=60) as response:
            # Signed in: the form redirects away (urllib follows it); a refusal shows the form.
            assert urllib.parse.urlsplit(response.url).path != "/sign-in", (
                f"{email} could not sign in"
            )
        return self


def _headers(response) -> dict[str, str]:
    return {name.lower(): value for name, value in response.headers.items()}
