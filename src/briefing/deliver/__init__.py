"""Deliver: the briefing as text (templates, audiences, the folders they are found in), written
to a file, mailed, and remembered in the state of scheduled runs."""
