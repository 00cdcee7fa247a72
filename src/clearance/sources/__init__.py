"""List importers, one module per format. ``read_paths`` detects formats and groups files."""
