import type { AlertSettings, ComplianceRules } from '@complaint-ledger/domain';
import { alertProjection } from './alerts/alert-projection';
import { complaintProjection } from './complaints/complaint-projection';
import type { AnyProjection } from './projection';

/** The read models the service keeps: complaints (with their deadlines and alert index) and alerts. */
export const readModelProjections = (rules: ComplianceRules, alerts: AlertSettings): AnyProjection[] => [
  complaintProjection(rules, alerts),
  alertProjection(),
];
