"""Measuring the NLU and the triage: labelled cases, the held-out set, Rasa's cross-
validation reports.
"""
