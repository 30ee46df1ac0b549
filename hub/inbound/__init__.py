"""The inbound data path: webhook items stored with group commit, then processed in rounds
per lane (contact, conversation, message, bot step), and recovery of what was left pending."""
