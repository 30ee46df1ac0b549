"""Storage: models, migrations, the database clients and their workarounds, bulk writes and
claims. The only package with SQL text or tortoise internals; it imports nothing else of hub."""
