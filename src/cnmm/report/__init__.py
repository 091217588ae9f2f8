"""Report formats, one module per format (`render`-style pure functions)."""
