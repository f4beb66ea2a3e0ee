"""Base levels and the monthly amounts people are owed: below the payment
cycles, which pay them, and beside the accounts (neither needs the other)."""
