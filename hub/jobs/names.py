"""Names of the jobs both queues run (shared by whoever enqueues them)."""

PROCESS_JOB = "process_event"
SEND_JOB = "send_outbox"
TIMER_JOB = "fire_timer"
