"""Athlete profiles, consent, export and erasure. Filled in by the athletes issue."""
