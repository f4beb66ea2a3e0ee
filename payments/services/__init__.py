"""Operations on payment cycles: one module per concern (cycles, results, re-issue, the monthly run)."""
