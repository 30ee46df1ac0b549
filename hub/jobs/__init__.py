"""One set of job functions, two queues: in-process (embedded) and arq on Redis (scaled)."""
