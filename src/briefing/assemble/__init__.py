"""Assemble: everything between the engine's facts and the finished briefing. Grounding locates
each quote in its file; merging joins what several sources say; conflicts set differing figures
side by side; stories and composing choose what the briefing says and in what order."""
