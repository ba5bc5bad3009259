"""What every stage shares: where things live (config), the one-line errors, the canonical
schema, the calendar of events, school terms and bank holidays, dates in words (dates) and
spreadsheet-safe CSV. Imports nothing else from the package."""
