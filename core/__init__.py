"""The bottom layer: pure rules (CCCD, names, money, months), roles and the access
primitives, the history stamp and bulk writers, database helpers, the template filters
for dates and amounts. It imports no app of the project."""
