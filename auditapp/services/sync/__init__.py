"""Audit bundles between laptops: the file, snapshots, three-way merge and import."""
