"""The token-authenticated JSON API under /api/v1 (to come)."""
