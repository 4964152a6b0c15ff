"""The knowledge graph as a service: guarded, time-limited jobs in worker processes, and
validated updates. Both faces (CLI and server) reach the store through here."""
