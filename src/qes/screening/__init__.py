"""Screening in stages: resolution of reviewers' decisions, agreement statistics, other tools' decision files."""
