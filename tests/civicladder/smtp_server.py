"""A minimal SMTP server on 127.0.0.1 for tests: accepts mail and keeps what it received (or,
for one subject, takes the message in and never answers, as a server that hangs)."""

from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        self.reply("220 test-smtp ready")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 test-smtp")
            elif command.startswith(("MAIL FROM", "RCPT TO", "RSET", "NOOP")):
                self.reply("250 OK")
            elif command == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                message = message_from_bytes(self._read_data())
                if self.server.stall_on is not None and message["Subject"] == self.server.stall_on:
                    # Never accepted: the sender waits for an answer that does not come.
                    self.server.stalled.set()
                    self.server.release.wait(120)
                    return
                self.server.received.append(message)
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")

    def _read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, stall_on: str | None = None):
        """`stall_on`: a subject whose message the server takes in but never accepts."""
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received = []
        self.stall_on = stall_on
        self.stalled = threading.Event()
        self.release = threading.Event()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.server_address[1]}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.shutdown()
        self.server_close()
