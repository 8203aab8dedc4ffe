"""Plain-Python building blocks shared by every source: HTTP, raw landing, warehouse."""
