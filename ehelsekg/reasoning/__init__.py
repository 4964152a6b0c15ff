"""OWL 2 RL reasoning: rules compiled from the ontology, kept up to date after every write."""
