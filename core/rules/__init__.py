"""Pure domain rules (personal ID, names, money, accounts): no models, no database."""
