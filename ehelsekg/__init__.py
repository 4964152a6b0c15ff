"""ehelsekg: a knowledge graph of Norway's national e-health strategy, portfolio and roadmap."""

__version__ = "0.1.0"
