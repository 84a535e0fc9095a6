"""Card exports (/export/..., /topics/<pk>/export...): every card, or a topic's,
as CSV for spreadsheets or as text for Anki's importer.

formats.py picks the cards and writes the rows, streamed; views.py serves the
downloads, urls.py their routes in the "cards" namespace.
"""
