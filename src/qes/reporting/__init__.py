"""Reporting: tables, the PRISMA 2020 diagram, the review report and exports, as pure functions over plain data."""
