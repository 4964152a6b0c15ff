"""The named queries (``queries/*.rq``): their parameters, running them, and their answers."""
