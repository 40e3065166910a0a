// Tests assert behaviour, not log lines: keep service logs to warnings unless a run asks for more.
process.env.LOG_LEVEL ??= 'warn';
// Every in-process hand-off on the in-memory bus is checked against what its bytes decode to.
process.env.BALLAST_BUS_VERIFY ??= 'true';
