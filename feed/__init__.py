"""Telling other systems what happened: webhooks, the live stream, an AMQP publisher.

Every delivery follows the notification log from a durable cursor; this package
sits beside the integrity ledger (it reads the ledger's leaf indices) and below
the use cases.
"""
