"""A small HTTP/1.1 client over one kept-alive connection, with cookies and a sign-in.

The standard library only, so each load-generator process is cheap to start. It keeps the
connection open between requests; when the server closes it (gunicorn's sync workers do after
each response), the next request opens a new one, as a browser would.
"""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from bench.errors import BenchError

USER_AGENT = "civicladder-bench/1"
_CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
_VALUE = re.compile(r'value="([^"]*)"')


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float  # from sending the request to the last byte of the body


class Client:
    def __init__(
        self,
        host: str,
        port: int,
        cookies: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = dict(cookies or {})
        # Sent with every request (an API client's bearer token).
        self.headers: dict[str, str] = dict(headers or {})
        self.dropped_secure: list[str] = []
        self._connection = http.client.HTTPConnection(host, port, timeout=30)

    def close(self) -> None:
        self._connection.close()

    def speaking(self, language: str) -> Client:
        """The same person on a connection of its own whose browser asks for `language`."""
        headers = self.headers | {"Accept-Language": language}
        return Client(self.host, self.port, cookies=self.cookies, headers=headers)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def request(self, method: str, path: str, body: bytes | None = None, headers=None) -> Response:
        headers = {
            "User-Agent": USER_AGENT,
            "Connection": "keep-alive",
            **self.headers,
            **(headers or {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self._connection.request(method, path, body=body, headers=headers)
                reply = self._connection.getresponse()
                data = reply.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed a kept-alive connection between two requests: reconnect.
                self._connection.close()
                if attempt == 2:
                    raise
        seconds = time.perf_counter() - started
        if reply.will_close:
            self._connection.close()
        self._keep_cookies(reply.headers.get_all("Set-Cookie") or [])
        return Response(reply.status, reply.headers, data, seconds)

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        for line in set_cookies:
            jar = SimpleCookie()
            jar.load(line)
            for name, morsel in jar.items():
                if morsel["secure"]:
                    # Like a browser on plain http: a Secure cookie is never sent back.
                    self.dropped_secure.append(name)
                    continue
                expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
                if expired or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def sign_in(self, email: str, password: str) -> None:
        """Sign in through the real form: the CSRF token from GET /sign-in, then the POST."""
        form = self.get("/sign-in")
        field = _CSRF.search(form.body.decode("utf-8", "replace"))
        value = _VALUE.search(field.group(0)) if field else None
        if form.status != 200 or value is None:
            raise BenchError(f"GET /sign-in gave {form.status} without a csrf_token field.")
        body = urlencode({"csrf_token": value.group(1), "email": email, "password": password})
        reply = self.request(
            "POST",
            "/sign-in",
            body=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if reply.status != 302:
            hint = ""
            if self.dropped_secure:
                names = ", ".join(sorted(set(self.dropped_secure)))
                hint = (
                    f" The server set Secure cookies ({names}) over plain http: run it with "
                    "SESSION_COOKIE_SECURE=0."
                )
            raise BenchError(f"Signing in as {email} gave {reply.status}, not a redirect.{hint}")
        home = self.get("/")
        if home.status != 200:
            raise BenchError(f"After signing in as {email}, / gave {home.status}.")
