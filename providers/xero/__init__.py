"""Xero as a target: seat counts on repeating invoice lines, one-off charges on draft invoices."""
