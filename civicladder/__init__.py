"""CivicLadder: the app shell (factory, settings, sign-in, access, audit, errors, notifications)."""
