import type { Instant } from '../calendar/london-time';
import type { AlertSettings } from '../compliance/alerts';
import type { ComplianceRules } from '../compliance/rules';

/**
 * Everything impure a decision needs, passed in: the clock and an id source (docs/architecture.md,
 * principle 3). The application wires a real clock once at its root; tests pass fixed values.
 */
export interface DecisionContext {
  /** The moment of decision; instants after it (beyond the allowed skew) are refused as future. */
  readonly now: Instant;
  /** A fresh unique id (remedy ids). */
  readonly newId: () => string;
  /** Tolerated difference between a client's clock and ours before an instant counts as future. */
  readonly clockSkewMs?: number;
  /** The calendar, timescales and warning period: needed only to decide deadline alerts. */
  readonly compliance?: { readonly rules: ComplianceRules; readonly alerts: AlertSettings };
}
