"""Benchmarks of plan and apply at MSP scale against the embedded sandbox (`make bench`)."""
