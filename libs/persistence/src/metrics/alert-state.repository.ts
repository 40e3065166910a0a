/** One alert as stored while it fires and after it resolves (see `AlertStateRepository`). */
export interface StoredAlert {
  /** Kind plus labels: the same for every replica that sees the same condition. */
  key: string;
  kind: string;
  severity: string;
  labels: Record<string, string>;
  message: string;
  /** The detector's value when the alert fired. */
  value: number;
  baseline: number | null;
  threshold: number;
  firedAt: Date;
  /** The detector's value at the latest evaluation that still saw the condition. */
  lastValue: number;
  lastSeenAt: Date;
  /** Null while the alert is open. */
  resolvedAt: Date | null;
}

export type AlertToFire = Omit<StoredAlert, 'lastValue' | 'lastSeenAt' | 'resolvedAt'>;

/**
 * Which alerts are firing, shared by every metrics replica and kept across restarts. At most one
 * alert per key is open. A transition is claimed atomically: of several callers that try to fire
 * (or resolve) the same key, exactly one is told it won, and only that one publishes the transition.
 */
export interface AlertStateRepository {
  /** Opens `alert` unless an alert with its key is already open; true only for the caller that opened it. */
  claimFiring(alert: AlertToFire): Promise<boolean>;
  /** Records the latest value of the open alert `key` (no-op when none is open). */
  observe(key: string, value: number, at: Date): Promise<void>;
  /** Resolves the open alert `key`; returns it, resolved, only to the caller that resolved it (null otherwise). */
  claimResolve(key: string, at: Date): Promise<StoredAlert | null>;
  /** Every open alert, oldest first. */
  listOpen(): Promise<StoredAlert[]>;
  /** The most recently resolved alerts, newest first. */
  listResolved(limit: number): Promise<StoredAlert[]>;
  /** Deletes alerts resolved before `before`; returns how many. Open alerts are never deleted. */
  deleteResolvedBefore(before: Date): Promise<number>;
}
