"""Checklists of questions to ask at an interview (/interviews/<pk>/checklist/...)
and the question bank they are picked from (/interviews/questions/...).

services.py seeds the bank and adds, orders and exports a checklist's
questions; forms.py and views.py are the HTTP side, urls.py their routes in
the "interviews" namespace. The interview's own page shows the checklist
panel through views.checklist_context.
"""
