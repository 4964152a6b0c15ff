"""Analysis over the knowledge graph: the dependency network, critical paths, impact, stats."""
