import { SetMetadata } from '@nestjs/common';

/**
 * Who may do what (README "Security and privacy"):
 * - case_handler: commands, and reading complaints' state and deadlines;
 * - auditor: reading everything (histories, exports, integrity, lists, statistics);
 * - analyst: statistics, breaches and reports;
 * - admin: erasure and retention, bulk imports.
 */
export const ROLES = ['case_handler', 'auditor', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

export const ROLES_KEY = 'ledger:roles';
export const PUBLIC_KEY = 'ledger:public';

/** The roles allowed to call an endpoint (any one suffices). Endpoints without it are refused. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** Open to anyone: health checks and API docs. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
