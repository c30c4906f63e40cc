"""Invoicing: drafts built from time, milestone fees and credits (`invoices`),
what goes on a draft (`sources`), numbers (`numbers`), payments and overdue
invoices (`payments`), service credits (`credits`), the document and its
exports (`document`), and the reads they share (`records`)."""
