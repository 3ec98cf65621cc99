"""The exercise library: a catalogue with no athlete data. Filled in by the exercise-library issue."""
