"""Pure decision logic: rules, surveys, custom-field validation, NLU and routing choices.

Nothing here touches a database, a socket or the web server; it imports ``config`` only.
"""
