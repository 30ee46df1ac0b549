"""The outbound data path: replies written as Message + Outbox rows, sent by a job with
retries, and receipts that arrived early replayed once their send is recorded."""
