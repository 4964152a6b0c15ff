"""Interactive graph views: what a view shows (model, context), how it is built, its HTML."""
