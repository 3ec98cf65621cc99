"""The clinical encounter: readings, findings, programs, handouts and their delivery."""
