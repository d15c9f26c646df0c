# tests/emu: filled in by its owner
