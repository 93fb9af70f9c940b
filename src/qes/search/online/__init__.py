"""Clients for the public search APIs (PubMed E-utilities, OpenAlex): what `qes search online` runs."""
