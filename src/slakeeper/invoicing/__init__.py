"""Invoices: what an invoice says (`document`), how it is built from time entries
and stored (`slakeeper.services.invoicing.invoices`), and how it is rendered
(PDF, Factur-X, CSV, JSON)."""
