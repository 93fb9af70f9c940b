"""Qualitative coding: agreement between coders, code suggestions, built-in frameworks, REFI-QDA exchange."""
