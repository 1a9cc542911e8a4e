"""statefulset-playground terminal UI (Textual)."""
