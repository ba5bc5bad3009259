"""What every stage shares: where things live (config), the one-line errors, the canonical
schema, the calendar of events, school terms and bank holidays, and spreadsheet-safe CSV.
Imports nothing else from the package."""
