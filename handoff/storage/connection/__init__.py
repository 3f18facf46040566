"""Reaching Redis: REDIS_URL to a client (Sentinel and Cluster too), and the embedded Valkey
server used when REDIS_URL is not set."""
