"""Evaluation set, answer metrics and (to come) the faithfulness judge and reports."""
