"""Banks and the payment accounts people are paid into: below the registrations
and the payment cycles, which both point at them."""
