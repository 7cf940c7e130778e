"""The REST API under /api/v1/: the same permissions and services as the pages."""
