// Tests assert behaviour, not log lines: keep service logs to warnings unless a run asks for more.
process.env.LOG_LEVEL ??= 'warn';
