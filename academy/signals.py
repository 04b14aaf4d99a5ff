"""Signals the academy sends after a change, for the packages above it (the API's changes
feed).

`certificate_revoked` goes out after HR revokes a certificate, with the acting user as sender
and ``certificate``: the revoked Certificate. Receivers run in the same transaction and never
commit.
"""

from blinker import Namespace

_signals = Namespace()

certificate_revoked = _signals.signal("academy.certificate-revoked")
