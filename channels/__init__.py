"""One adapter per provider: verify webhooks, parse items, send, classify errors."""
