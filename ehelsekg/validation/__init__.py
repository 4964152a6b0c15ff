"""SHACL validation: the shapes as a model, compiled to SPARQL, the report, the update gate."""
