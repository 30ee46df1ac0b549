"""The thin applier around the pure brain (``automations.conversation.decide``).

``state`` loads what a decision reads (a batch in a few queries), ``step`` calls ``decide``
(after the remote NLU provider when the config uses one), ``apply`` writes the Decision in
the caller's transaction, ``timers`` keeps the timer table and its alarms, ``actions``
delivers recorded notifications. Nothing here decides."""
