"""Operating the service: liveness, readiness and Prometheus metrics."""
