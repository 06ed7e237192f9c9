"""The model layer shared by the worker (`stream`) and the retraining pipeline (`training`).

It imports neither Kafka nor Prometheus: text in, enrichment out.
"""
