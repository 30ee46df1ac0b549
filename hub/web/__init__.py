"""HTTP surface: webhooks, web chat, agent API, health, OpenAPI."""
