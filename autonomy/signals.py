"""Signals the autonomy package sends after a change, for the packages above it (the API's
changes feed).

Sent with the acting user as sender (None for the system); receivers run in the same
transaction as the change and never commit.

`level_granted`: ``grant``, the AutonomyGrant a person now holds (approved, or the level
below after a lowering), and ``previous``, the grant it superseded or ended (or None).
`level_lowered`: ``grant``, the grant lowered (now revoked), and ``lowered_to``, the grant of
the level below, or None when the person held the first level.
"""

from blinker import Namespace

_signals = Namespace()

level_granted = _signals.signal("autonomy.level-granted")
level_lowered = _signals.signal("autonomy.level-lowered")
