"""Operations endpoints: liveness, readiness, the supervisor status and metrics."""
