"""Command-line interface: thin layers that parse, call the library and print."""
