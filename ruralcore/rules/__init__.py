"""The rules: pure functions over the programme files and frames — every document's targets,
scoring, deadlines, quotas and records with their clauses; who may read and write what. They never touch the store."""
