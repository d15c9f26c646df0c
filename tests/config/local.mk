# tests/config: filled in by its owner
