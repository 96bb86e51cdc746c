"""Files in and out of the platform: the one importer and the one exporter, beside each other."""
