"""The demo commune and the synthetic province-scale data (`seed_demo`,
`generate_synthetic`), on top of every layer: they write through every app."""
