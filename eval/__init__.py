"""Evaluation set, faithfulness judge and reports (see the eval issue; not built yet)."""
