"""The HTTP endpoint: a thin FastAPI layer over the ehelsekg library."""

from server.app import create_app

__all__ = ["create_app"]
